/**
 * What the points lifecycle costs, on DynamoDB Local through the real writer and settle:
 *   - the heavy customer: orders every day for three years with prod's lifecycle (30 pending
 *     days, 365 expiry days) and the settle run daily — how large their balance item gets, and
 *     what reading it costs; without tiers and with prod's (the buckets of a year's releases and
 *     the tier state ride on the same item);
 *   - the settle's day: many customers with a lot expiring the same day — requests and capacity
 *     per customer, and the fixed cost of a day with nothing to settle.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { BALANCE_SK, DAY_INDEX_SHARDS, userPk } from "../handlers/domain/ledger-keys";
import { DAY_MS, dayOf, lotDatesOf, type Lifecycle } from "../handlers/domain/lifecycle";
import type { TierAnswer } from "../handlers/domain/tier-answer";
import type { Tiers } from "../handlers/domain/tier-settings";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { DynamoSettle } from "../handlers/ledger/dynamo-settle";
import { tierBookOf } from "../handlers/ledger/tier-item";
import { itemBytes } from "../handlers/ledger/item-size";
import { createTableInput } from "../handlers/ledger/table";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { LOCAL_AWS } from "../local/dynamo-local";
import { instrumentedClient, resetTotals } from "./capacity-client";
import { SCALE } from "./scale";
import { BENCH_PUBLISHER_ACCOUNT, sqsRecordOf } from "./sqs-records";

export const PROD_LIFECYCLE: Lifecycle = { pendingDays: 30, expiryDays: 365 };
const START = Date.parse("2026-01-01T00:00:00.000Z");
const THREE_YEARS_DAYS = 3 * 365;

export interface HeavyCustomerFigures {
  /** The tiers the ledger ran with (prod's), or none. */
  tiers: Tiers | undefined;
  orders: number;
  days: number;
  seconds: number;
  /** Most lots the balance item held at any day's end, with the settle run daily. */
  mostLots: number;
  /** One lot per release day from the oldest unexpired to the latest pending: the bound. */
  bound: number;
  /** The balance item at the end. */
  lots: number;
  bytes: number;
  /** A consistent GetItem of it, as DynamoDB Local charges it. */
  readUnits: number;
  /** Requests the balance read made (the reader's `getBalance`). */
  balanceReadRequests: number;
  /** The tier that read answered, with tiers. */
  tier?: TierAnswer;
  /** Tier buckets on the item at the end, with tiers. */
  buckets: number;
}

export interface SettleDayFigures {
  customers: number;
  seconds: number;
  requests: number;
  byOperation: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** A day with nothing to settle: only the shard queries of its three index walks. */
  emptyDay: { requests: number; readUnits: number };
}

const order = (i: number, userId: string, completedAt: string) =>
  sqsRecordOf({
    version: "0",
    id: `event-${i}`,
    "detail-type": DETAIL_TYPES.orderCompleted,
    source: DEFAULT_EVENT_SOURCE,
    account: BENCH_PUBLISHER_ACCOUNT,
    detail: { orderId: `order-${i}`, userId, total: { amount: 1_000 + (i % 50) * 100, currency: "EUR" }, completedAt },
  });

async function ledgerRig(endpoint: string, lifecycle: Lifecycle, tiers?: Tiers) {
  const tableName = `bench-${randomUUID()}`;
  const setup = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  // No stream: nothing here publishes, and DynamoDB Local's stream would slow every write.
  await setup.send(new CreateTableCommand(createTableInput(tableName, { stream: false })));
  setup.destroy();
  const { client, totals } = instrumentedClient(endpoint);
  const documents = createDocumentClient(client);
  let clock = START;
  const now = () => new Date(clock);
  const ledger = new DynamoLedger(documents, tableName, undefined, tiers);
  const write = createBatchWriter({
    ledger,
    rules: parseEarnRules('{"EUR": 1}'),
    logger: createLogger("error", () => undefined),
    now,
    lifecycle,
  });
  return {
    tableName,
    documents,
    totals,
    ledger,
    write,
    settle: new DynamoSettle(documents, tableName, undefined, tiers),
    now,
    at: (instant: number) => {
      clock = instant;
    },
  };
}

export async function measureHeavyCustomer(
  endpoint: string,
  tiers?: Tiers,
  orders = SCALE.heavyCustomerOrders,
): Promise<HeavyCustomerFigures> {
  const rig = await ledgerRig(endpoint, PROD_LIFECYCLE, tiers);
  const readItem = () =>
    rig.documents.send(new GetCommand({ TableName: rig.tableName, Key: { pk: userPk("heavy"), sk: BALANCE_SK }, ConsistentRead: true }));
  const lotsOf = (item: Record<string, unknown> | undefined) =>
    Object.keys(item ?? {}).filter((name) => lotDatesOf(name) !== undefined).length;

  const started = process.hrtime.bigint();
  let written = 0;
  let mostLots = 0;
  for (let day = 0; day < THREE_YEARS_DAYS; day++) {
    const upTo = Math.min(orders, Math.round(((day + 1) * orders) / THREE_YEARS_DAYS));
    const records = [];
    for (; written < upTo; written++)
      records.push(order(written, "heavy", new Date(START + day * DAY_MS + ((written * 7919) % DAY_MS)).toISOString()));
    rig.at(START + (day + 1) * DAY_MS - 1);
    for (let i = 0; i < records.length; i += 10) {
      const { batchItemFailures } = await rig.write({ Records: records.slice(i, i + 10) });
      if (batchItemFailures.length > 0) throw new Error(`heavy customer: ${batchItemFailures.length} orders failed`);
    }
    // The schedule's run just after midnight, for the day that has just begun.
    rig.at(START + (day + 1) * DAY_MS + 15 * 60_000);
    await rig.settle.settleDay(dayOf(START + (day + 1) * DAY_MS), rig.now());
    mostLots = Math.max(mostLots, lotsOf((await readItem()).Item));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const { Item } = await readItem();
  resetTotals(rig.totals);
  const { tier } = await rig.ledger.getBalance("heavy", rig.now());
  const balanceReadRequests = rig.totals.requests;
  resetTotals(rig.totals);
  await readItem();
  return {
    tiers,
    orders: written,
    days: THREE_YEARS_DAYS,
    seconds,
    mostLots,
    bound: PROD_LIFECYCLE.pendingDays + 1 + PROD_LIFECYCLE.expiryDays + 1,
    lots: lotsOf(Item),
    bytes: itemBytes(Item ?? {}),
    readUnits: rig.totals.readUnits,
    balanceReadRequests,
    ...(tier && { tier }),
    buckets: tierBookOf(Item).buckets.length,
  };
}

export async function measureSettleDay(endpoint: string, customers = SCALE.settleCustomers): Promise<SettleDayFigures> {
  // Spendable at once, expiring 10 days later: every customer's lot expires on one day.
  const rig = await ledgerRig(endpoint, { pendingDays: 0, expiryDays: 10 });
  const records = Array.from({ length: customers }, (_, i) => order(i, `customer-${i}`, new Date(START + 10 * 3600_000).toISOString()));
  for (let i = 0; i < records.length; i += 10) {
    const { batchItemFailures } = await rig.write({ Records: records.slice(i, i + 10) });
    if (batchItemFailures.length > 0) throw new Error(`settle day: ${batchItemFailures.length} orders failed`);
  }
  // With no pending days a lot's days count from its order's day.
  const expiryDay = dayOf(START + 10 * DAY_MS);

  rig.at(START + 10 * DAY_MS + 15 * 60_000);
  resetTotals(rig.totals);
  const started = process.hrtime.bigint();
  const report = await rig.settle.settleDay(expiryDay, rig.now());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (report.customers !== customers) throw new Error(`settle visited ${report.customers} customers of ${customers}`);
  const figures = {
    requests: rig.totals.requests,
    byOperation: { ...rig.totals.byOperation },
    readUnits: rig.totals.readUnits,
    writeUnits: rig.totals.writeUnits,
  };

  resetTotals(rig.totals);
  await rig.settle.settleDay(dayOf(START + 12 * DAY_MS), rig.now());
  // The expiry index of the day, its release index, and the expiry index of the day warned ahead.
  if (rig.totals.requests !== 3 * DAY_INDEX_SHARDS) throw new Error(`an empty day took ${rig.totals.requests} requests`);
  return { customers, seconds, ...figures, emptyDay: { requests: rig.totals.requests, readUnits: rig.totals.readUnits } };
}
