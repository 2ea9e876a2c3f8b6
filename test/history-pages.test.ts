/**
 * Paging a customer's history through the reader, one entry a page, across every kind of entry
 * the ledger shows there: each page's cursor must be one the reader takes back.
 */
import test from "ava";
import type { APIGatewayProxyResult } from "aws-lambda";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { createReadApi } from "../handlers/reader/read-api";
import { createLogger } from "../handlers/runtime/log";
import { historyRequest } from "./support/api-events";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { ADMIN_BACKEND, asAdminBackend } from "./support/iam-caller";
import { createLifecycleRig } from "./support/lifecycle-harness";

process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

const bodyOf = (response: APIGatewayProxyResult) =>
  JSON.parse(response.body) as { items: Array<Record<string, unknown>>; nextCursor: string | null };

test("a history paged one entry at a time gives every entry of every kind once, whatever kind a page ends on", async (t) => {
  const lifecycle = { pendingDays: 0, expiryDays: 10 };
  const harness = await createHarness(dynamo);
  const rig = createLifecycleRig(harness, lifecycle, "2026-01-01T12:00:00.000Z");
  const adjustments = new DynamoAdjustments(harness.documents, harness.tableName, lifecycle);
  const read = asAdminBackend(
    createReadApi({
      ledger: rig.ledger,
      rewards: new DynamoRewards(harness.documents, harness.tableName),
      logger: createLogger("info", () => {}),
      allowedOrigins: [],
      now: rig.now,
    }),
  );

  t.deepEqual(await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }), []);
  // A refund that arrives before its order is parked, then netted out when the order lands.
  t.deepEqual(
    await rig.refund({ orderId: "o-2", userId: "u-1", refundId: "rf-2", amount: 1_000, refundedAt: "2026-01-01T11:00:00.000Z" }),
    [],
  );
  t.deepEqual(await rig.order({ orderId: "o-2", userId: "u-1", amount: 4_000, completedAt: "2026-01-01T10:30:00.000Z" }), []);
  t.deepEqual(
    await rig.refund({ orderId: "o-1", userId: "u-1", refundId: "rf-1", amount: 2_500, refundedAt: "2026-01-01T12:00:00.000Z" }),
    [],
  );
  rig.at("2026-01-02T09:00:00.000Z");
  t.is((await rig.redeem("r-1", 50)).outcome, "redeemed");
  rig.at("2026-01-02T10:00:00.000Z");
  t.is((await rig.cancel("r-1")).outcome, "cancelled");
  rig.at("2026-01-03T09:00:00.000Z");
  t.is(
    (await adjustments.adjust("u-1", { adjustmentId: "adj-grant", points: 20, reason: "goodwill" }, ADMIN_BACKEND, rig.now)).outcome,
    "adjusted",
  );
  rig.at("2026-01-04T09:00:00.000Z");
  t.is(
    (await adjustments.adjust("u-1", { adjustmentId: "adj-take", points: -10, reason: "credited twice" }, ADMIN_BACKEND, rig.now)).outcome,
    "adjusted",
  );
  rig.at("2026-01-11T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { entries: 1 });

  const whole = await read(historyRequest("u-1", { query: { limit: "100" } }));
  t.is(whole.statusCode, 200);
  const all = bodyOf(whole).items;
  t.deepEqual(
    all.map((item) => [item.type, item.orderId ?? item.redemptionId ?? item.adjustmentId ?? null, item.refundId ?? null]),
    [
      ["expiry", null, null],
      ["adjustment", "adj-take", null],
      ["adjustment", "adj-grant", null],
      ["redemption-cancel", "r-1", null],
      ["redemption", "r-1", null],
      ["refund", "o-1", "rf-1"],
      ["refund", "o-2", "rf-2"],
      ["earn", "o-2", null],
      ["earn", "o-1", null],
    ],
    "the history holds every kind of entry",
  );

  const paged: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = cursor === null ? { limit: "1" } : { limit: "1", cursor };
    const page = await read(historyRequest("u-1", { query }));
    t.is(page.statusCode, 200, `the page after ${JSON.stringify(paged.at(-1))}: ${page.body}`);
    if (page.statusCode !== 200) break;
    const body = bodyOf(page);
    paged.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor !== null && paged.length <= all.length);
  t.deepEqual(paged, all, "every entry once, in order");
});
