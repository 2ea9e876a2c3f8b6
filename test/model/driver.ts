/**
 * Sends model steps to the real handlers on DynamoDB Local, as AWS would deliver them: the writer
 * gets SQS batches of EventBridge events, the reader, redeemer and admin function API Gateway
 * proxy events, the settle its scheduler input. One clock drives them all. Each run is a fresh
 * customer on a table shared by the whole file, so a run costs only its own requests; the table's
 * stream, read through the publisher, tells what was published for the customer.
 *
 * `run` replays steps on the model and the handlers side by side and returns the first
 * disagreement, described with the step that caused it.
 */
import { createHash, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { createAdminApi } from "../../handlers/admin/admin-api";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../../handlers/domain/contract";
import { parseEarnRules } from "../../handlers/domain/earn-rules";
import { API_ROUTES } from "../../handlers/http/routes";
import { pricedRewards } from "../support/priced-rewards";
import { DynamoAdjustments } from "../../handlers/ledger/dynamo-adjustments";
import { DynamoErasure } from "../../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../../handlers/ledger/dynamo-ledger";
import { DynamoRewards } from "../../handlers/ledger/dynamo-rewards";
import { DynamoRedemptions } from "../../handlers/ledger/dynamo-redemptions";
import { DynamoSettle } from "../../handlers/ledger/dynamo-settle";
import { createReadApi } from "../../handlers/reader/read-api";
import { createRedeemApi } from "../../handlers/redeemer/redeem-api";
import { createLogger } from "../../handlers/runtime/log";
import { createSettleRun } from "../../handlers/settle/settle-run";
import { createBatchWriter } from "../../handlers/writer/batch-writer";
import { apiEvent, balanceRequest, historyRequest } from "../support/api-events";
import type { DynamoEndpoint } from "../support/dynamo-local-per-file";
import { createHarness, type Harness } from "../support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "../support/events";
import { asAdminBackend } from "../support/iam-caller";
import { TEST_RULES } from "../support/writer-harness";
import { readPublishedEvents, type PublishedEvent, type PublishedEvents } from "./published-events";
import { LedgerModel, type Expectation, type HistoryItem, type Published, type View } from "./reference-model";
import {
  adjustmentId,
  DAY_MS,
  dayOf,
  EXPIRING_SOON_DAYS,
  iso,
  LIFECYCLE,
  orderId,
  redemptionId,
  refundId,
  START,
  type Step,
} from "./steps";

const ADMINS = "loyalty-support";
/** Small, so that every history read pages through several cursors. */
const HISTORY_PAGE = "3";

type Json = Record<string, unknown>;

/** The handlers, wired to one table and one clock. */
export function createLedgerSystem(harness: Harness) {
  let clock = Date.parse(START);
  const now = () => new Date(clock);
  const logger = createLogger("error", () => undefined);
  const ledger = new DynamoLedger(harness.documents, harness.tableName);
  const write = createBatchWriter({ ledger, rules: parseEarnRules(TEST_RULES), logger, now, lifecycle: LIFECYCLE });
  const common = { logger, allowedOrigins: [], adminGroup: ADMINS, now };
  const rewards = new DynamoRewards(harness.documents, harness.tableName);
  const readApi = asAdminBackend(createReadApi({ ledger, rewards, ...common }));
  const redeemApi = asAdminBackend(
    createRedeemApi({ redemptions: new DynamoRedemptions(harness.documents, harness.tableName), ...common }),
  );
  const adminApi = asAdminBackend(
    createAdminApi({
      adjustments: new DynamoAdjustments(harness.documents, harness.tableName, LIFECYCLE),
      erasure: new DynamoErasure(harness.documents, harness.tableName),
      rewards,
      ...common,
    }),
  );
  const settle = createSettleRun({ settle: new DynamoSettle(harness.documents, harness.tableName, EXPIRING_SOON_DAYS), logger, now });
  return {
    /** The catalogue's reward of each price the steps spend. */
    priced: pricedRewards(harness),
    setClock: (instant: number) => {
      clock = instant;
    },
    send: async (event: Json) => (await write(sqsBatch(sqsRecord(event)))).batchItemFailures.length === 0,
    readApi,
    redeemApi,
    adminApi,
    settle,
  };
}

export type LedgerSystem = ReturnType<typeof createLedgerSystem>;

const platformEvent = (detailType: string, detail: Json, at: number): Json => ({
  version: "0",
  id: randomUUID(),
  "detail-type": detailType,
  source: DEFAULT_EVENT_SOURCE,
  account: "123456789012",
  time: iso(at),
  region: "eu-west-1",
  resources: [],
  detail,
});

const post = (resource: string, pathParameters: Record<string, string>, body?: Json): APIGatewayProxyEvent =>
  apiEvent({ resource, method: "POST", pathParameters, ...(body ? { body: JSON.stringify(body) } : {}) });

type Answer = { acknowledged: boolean } | { status: number; body: Json };

async function send(system: LedgerSystem, userId: string, step: Step, now: number): Promise<Answer | undefined> {
  switch (step.kind) {
    case "clock":
      return undefined;
    case "order":
      return {
        acknowledged: await system.send(
          orderCompleted({ orderId: orderId(step.order), userId, amount: step.cents, completedAt: iso(now - step.ageHours * 3_600_000) }),
        ),
      };
    case "refund":
      return {
        acknowledged: await system.send(
          orderRefunded({
            orderId: orderId(step.order),
            userId,
            refundId: refundId(step.refund),
            amount: step.cents,
            currency: step.currency,
            refundedAt: iso(now),
          }),
        ),
      };
    case "close":
      return {
        acknowledged: await system.send(
          platformEvent(DETAIL_TYPES.returnWindowClosed, { orderId: orderId(step.order), userId, closedAt: iso(now) }, now),
        ),
      };
    case "redeem":
      return answerOf(
        await system.redeemApi(
          post(
            API_ROUTES.redeem.resource,
            { userId },
            { redemptionId: redemptionId(step.redemption), points: step.points, rewardId: await system.priced(step.points) },
          ),
        ),
      );
    case "cancel":
      return answerOf(
        await system.redeemApi(post(API_ROUTES.cancelRedemption.resource, { userId, redemptionId: redemptionId(step.redemption) })),
      );
    case "adjust":
      return answerOf(
        await system.adminApi(
          post(
            API_ROUTES.adjust.resource,
            { userId },
            { adjustmentId: adjustmentId(step.adjustment), points: step.points, reason: "model", allowNegative: step.allowNegative },
          ),
        ),
      );
    case "settle": {
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      const days = step.daysBack ? [...new Set(step.daysBack)].sort((a, b) => b - a).map((k) => dayOf(today - k * DAY_MS)) : undefined;
      await system.settle(days ? { days } : {});
      return undefined;
    }
    case "erase":
      if (step.via === "event")
        return { acknowledged: await system.send(platformEvent(DETAIL_TYPES.customerDeleted, { userId, deletedAt: iso(now) }, now)) };
      return answerOf(
        await system.adminApi(apiEvent({ resource: API_ROUTES.erase.resource, method: "DELETE", pathParameters: { userId } })),
      );
  }
}

const answerOf = (response: APIGatewayProxyResult): Answer => ({ status: response.statusCode, body: JSON.parse(response.body) as Json });

/** What differs between the model's expectation and the handlers' answer; empty when they agree. */
function answerDiff(expected: Expectation, answer: Answer | undefined): string[] {
  if (expected.kind === "writer") {
    const acknowledged = answer && "acknowledged" in answer ? answer.acknowledged : undefined;
    return acknowledged === expected.acknowledged
      ? []
      : [`writer acknowledged ${String(acknowledged)}, model says ${String(expected.acknowledged)}`];
  }
  if (expected.kind !== "api") return [];
  if (!answer || !("status" in answer)) return ["no API answer"];
  const error = answer.body.error as Json | undefined;
  const diffs: string[] = [];
  if (answer.status !== expected.status) diffs.push(`status ${answer.status}, model says ${expected.status}`);
  if (expected.code !== undefined && error?.code !== expected.code) diffs.push(`code ${String(error?.code)}, model says ${expected.code}`);
  const body = error ?? answer.body;
  for (const [field, value] of Object.entries(expected.body ?? {})) {
    if (body[field] !== value) diffs.push(`${field} ${JSON.stringify(body[field])}, model says ${JSON.stringify(value)}`);
  }
  return diffs.length > 0 ? [...diffs, `answer ${answer.status} ${JSON.stringify(answer.body)}`] : [];
}

/** The reader's view: the balance and every page of the history. */
async function readView(system: LedgerSystem, userId: string): Promise<{ view: View; problems: string[] }> {
  const problems: string[] = [];
  const balance = JSON.parse((await system.readApi(balanceRequest(userId))).body) as Json;
  const history: HistoryItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page += 1) {
    const response = await system.readApi(historyRequest(userId, { query: { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } }));
    const body = JSON.parse(response.body) as Json;
    if (response.statusCode !== 200) {
      problems.push(`history page ${page + 1} answered ${response.statusCode} ${response.body}`);
      break;
    }
    for (const item of body.items as Json[]) history.push(historyItemOf(item));
    if (body.nextCursor === null) break;
    cursor = String(body.nextCursor);
  }
  const times = history.map((item) => item.occurredAt ?? "");
  if (times.some((time, i) => i > 0 && time > (times[i - 1] ?? ""))) problems.push("history is not newest first");
  const view = {
    balance: Number(balance.balance),
    pending: Number(balance.pending),
    lifetimeEarned: Number(balance.lifetimeEarned),
    history,
  };
  return { view, problems };
}

function historyItemOf(item: Json): HistoryItem {
  const type = item.type as HistoryItem["type"];
  const id =
    type === "earn"
      ? String(item.orderId)
      : type === "refund"
        ? `${String(item.orderId)}/${String(item.refundId)}`
        : type === "redemption" || type === "redemption-cancel"
          ? String(item.redemptionId)
          : type === "adjustment"
            ? String(item.adjustmentId)
            : "";
  return { type, id, points: Number(item.points), occurredAt: String(item.occurredAt) };
}

/**
 * Items compared as a set, in one order: the history's own order is checked on its own (newest
 * first), and entries of one instant have no order the README fixes. An expiry's time is not
 * compared (the README does not say it for a late order's), nor an expiry of 0 points.
 */
const comparable = (history: HistoryItem[]) =>
  history
    .filter((item) => !(item.type === "expiry" && item.points === 0))
    .map((item) =>
      item.type === "expiry" ? `${item.type} ${item.points}` : `${item.type} ${item.id} ${item.points} ${item.occurredAt ?? ""}`,
    )
    .sort();

function viewDiff(expected: View, actual: View): string[] {
  const diffs: string[] = [];
  for (const field of ["balance", "pending", "lifetimeEarned"] as const) {
    if (expected[field] !== actual[field]) diffs.push(`${field} ${actual[field]}, model says ${expected[field]}`);
  }
  const want = comparable(expected.history);
  const got = comparable(actual.history);
  // Equal to the model's, the history adds up exactly when the model's does: once the settle has run for every past day.
  if (JSON.stringify(want) !== JSON.stringify(got)) diffs.push(`history ${JSON.stringify(got)}, model says ${JSON.stringify(want)}`);
  return diffs;
}

/**
 * The detail fields compared besides `entryId` and `points`: the ids the README lists for each
 * event (an expiry's `day`; a release, which names none, by its midnight). Amounts and dates the
 * README derives from the order are held by the history's comparison and the points stream tests.
 */
const COMPARED_FIELDS: Record<string, readonly string[]> = {
  "Points Earned": ["orderId"],
  "Points Reversed": ["orderId", "refundId"],
  "Points Redeemed": ["redemptionId"],
  "Redemption Cancelled": ["redemptionId", "expiredPoints"],
  "Points Expired": ["day"],
  "Points Adjusted": ["adjustmentId", "direction"],
  "Points Erased": [],
  "Points Released": ["occurredAt"],
  "Points Expiring Soon": ["expiresAt"],
};

/** Where a customer's events are keyed ("The ledger"): their partition, and their tombstone's, by the id's SHA-256 in hex. */
const partitionsOf = (userId: string) => ({
  user: `USER#${userId}`,
  tombstone: `ERASED#${createHash("sha256").update(userId).digest("hex")}`,
});

/** One event as the comparison reads it; `points` left out where the model cannot state them. */
function describeEvent(detailType: string, entryId: string, points: unknown, detail: Record<string, unknown>): string {
  const fields = (COMPARED_FIELDS[detailType] ?? Object.keys(detail)).map((field) => `${field}=${JSON.stringify(detail[field])}`);
  return [detailType, entryId, ...(points === undefined ? [] : [`points=${JSON.stringify(points)}`]), ...fields].join(" ");
}

/**
 * What differs between the events the model says a step published and those the ledger's stream
 * published for the customer. A step's events are one set (the changes of one write have no order
 * among them); steps follow one another, so the order of the customer's changes is held step by step.
 * Every `entryId` is new to the run: one entry, one event.
 */
function eventDiff(
  userId: string,
  expected: readonly Published[],
  published: { events: PublishedEvent[]; failures: string[] },
  seen: Set<string>,
): string[] {
  const diffs = published.failures.map((failure) => `the publisher refused a record: ${failure}`);
  const { user, tombstone } = partitionsOf(userId);
  const uncounted = new Set(expected.filter((event) => event.points === undefined).map((event) => event.key));
  const want = expected
    .map((event) =>
      describeEvent(event.detailType, `${event.key === "TOMBSTONE" ? tombstone : user}/${event.key}`, event.points, event.detail),
    )
    .sort();
  const got = published.events
    .map(({ detailType, detail }) => {
      const entryId = String(detail.entryId);
      if (seen.has(entryId)) diffs.push(`entryId ${entryId} published a second time`);
      seen.add(entryId);
      return describeEvent(detailType, entryId, uncounted.has(entryId.slice(entryId.indexOf("/") + 1)) ? undefined : detail.points, detail);
    })
    .sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) diffs.push(`events ${JSON.stringify(got)}, model says ${JSON.stringify(want)}`);
  return diffs;
}

/** A table with its stream, shared by the runs of a test file, and what it published. */
export interface ModelTable {
  harness: Harness;
  events: PublishedEvents;
}

export async function createModelTable(dynamo: DynamoEndpoint): Promise<ModelTable> {
  const harness = await createHarness(dynamo, { stream: true });
  return { harness, events: await readPublishedEvents(dynamo, harness) };
}

export interface Disagreement {
  step: number;
  what: Step;
  diffs: string[];
}

/**
 * Replays `steps` on a fresh customer, with handlers of its own; the first disagreement, or
 * `undefined`. Runs on one table must not overlap: the settle visits every customer the table's
 * day indexes list, at its own run's clock, and would write and publish into another run's
 * partition (a later run's settle visiting customers of runs that are over changes nothing compared).
 */
export async function run({ harness, events }: ModelTable, steps: readonly Step[]): Promise<Disagreement | undefined> {
  const system = createLedgerSystem(harness);
  const userId = `m-${randomUUID()}`;
  const { user, tombstone } = partitionsOf(userId);
  const model = new LedgerModel(Date.parse(START));
  const seen = new Set<string>();
  for (const [index, step] of steps.entries()) {
    const expected = model.apply(step);
    if (expected.kind === "skip") continue;
    system.setClock(model.clock);
    const answer = await send(system, userId, step, model.clock);
    const diffs = answerDiff(expected, answer);
    const { view, problems } = await readView(system, userId);
    diffs.push(...problems, ...viewDiff(model.view(), view));
    diffs.push(...eventDiff(userId, model.takePublished(), await events.take([user, tombstone]), seen));
    if (diffs.length > 0) return { step: index, what: step, diffs };
  }
  return undefined;
}

export const describeDisagreement = (steps: readonly Step[], found: Disagreement) =>
  [
    `after step ${found.step} ${JSON.stringify(found.what)}:`,
    ...found.diffs.map((diff) => `  ${diff}`),
    "steps:",
    ...steps.slice(0, found.step + 1).map((step) => `  ${JSON.stringify(step)}`),
  ].join("\n");
