/**
 * The writer with tiers, on a real DynamoDB (DynamoDB Local) and a clock the test moves: orders
 * earn floor(base × multiplier) of the level held at their completion, their base points count
 * from their release, a refund reverses what the order earned and takes its base points back
 * (and the level it reached), and duplicates, reordering and concurrency change nothing twice.
 */
import { type DynamoDBDocumentClient, GetCommand, type DynamoDBDocumentClient as DocumentClient } from "@aws-sdk/lib-dynamodb";
import test from "ava";
import * as v from "valibot";
import { instrumentedClient, resetTotals } from "../bench/capacity-client";
import { DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from "../handlers/domain/contract";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { EarnEntrySchema } from "../handlers/domain/ledger-entries";
import { BALANCE_SK, orderSk, userPk } from "../handlers/domain/ledger-keys";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import { tierAnswer } from "../handlers/domain/tier-answer";
import type { Tiers } from "../handlers/domain/tier-settings";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { TIER_VERSION_ATTRIBUTE, tierBookOf } from "../handlers/ledger/tier-item";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { pricedRewards } from "./support/priced-rewards";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord, type OrderInput, type RefundInput } from "./support/events";
import { TEST_RULES } from "./support/writer-harness";
import { otriumTiers } from "./support/otrium-tiers";

const dynamo = useDynamoLocal();

/** Otrium's levels, as dev and prod carry them. */
const TIERS = otriumTiers();
/** Points pending for 14 days (the return window), then spendable for a year. */
const LIFECYCLE: Lifecycle = { pendingDays: 14, expiryDays: 365 };
const USER = "u-1";

/** The writer and its ledger over `documents` (the harness's counted client by default), on a clock the test moves; `tiers: null`, none. */
function rig(
  harness: Harness,
  { tiers = TIERS, documents = harness.documents }: { tiers?: Tiers | null; documents?: DocumentClient } = {},
) {
  let clock = Date.parse("2026-03-01T10:00:00.000Z");
  const ledger = new DynamoLedger(documents, harness.tableName, undefined, tiers ?? undefined);
  const lines: string[] = [];
  const write = createBatchWriter({
    ledger,
    rules: parseEarnRules(TEST_RULES),
    logger: createLogger("debug", (line) => lines.push(line)),
    now: () => new Date(clock),
    lifecycle: LIFECYCLE,
  });
  const send = async (event: Record<string, unknown>) => (await write(sqsBatch(sqsRecord(event)))).batchItemFailures;
  return {
    ledger,
    write,
    at: (instant: string) => {
      clock = Date.parse(instant);
    },
    /** An order completed now (unless it says when), credited now. */
    order: (order: Omit<OrderInput, "userId">) =>
      send(orderCompleted({ userId: USER, completedAt: new Date(clock).toISOString(), ...order })),
    refund: (refund: Omit<RefundInput, "userId">) =>
      send(orderRefunded({ userId: USER, refundedAt: new Date(clock).toISOString(), ...refund })),
    windowClosed: (orderId: string, closedAt: string) =>
      send({
        version: "0",
        id: `close-${orderId}`,
        "detail-type": DETAIL_TYPES.returnWindowClosed,
        source: DEFAULT_EVENT_SOURCE,
        account: "123456789012",
        time: closedAt,
        region: "eu-west-1",
        resources: [],
        detail: { orderId, userId: USER, closedAt },
      }),
    outcomes: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).map((line) => [line.outcome, line.points]),
  };
}

async function balanceItem(harness: Harness): Promise<Record<string, unknown> | undefined> {
  const { Item } = await harness.documents.send(
    new GetCommand({ TableName: harness.tableName, Key: { pk: userPk(USER), sk: BALANCE_SK }, ConsistentRead: true }),
  );
  return Item;
}

/** The tier a read at `instant` answers, from the balance item alone. */
async function tierAt(harness: Harness, instant: string) {
  return tierAnswer(TIERS, tierBookOf(await balanceItem(harness)), Date.parse(instant));
}

async function earnEntry(harness: Harness, orderId: string) {
  const { Item } = await harness.documents.send(
    new GetCommand({ TableName: harness.tableName, Key: { pk: userPk(USER), sk: orderSk(orderId) }, ConsistentRead: true }),
  );
  return v.parse(EarnEntrySchema, Item);
}

test("an order earns at the level held at its completion, and its base points lift the level at their release, not at the order", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 60_000 }), []);
  t.like(await earnEntry(harness, "o-1"), {
    points: 600,
    basePoints: 600,
    multiplier: 1,
    availableAt: "2026-03-16T00:00:00.000Z",
    qualifiesFrom: "2026-03-16T00:00:00.000Z",
  });
  t.like(await tierAt(harness, "2026-03-01T10:00:00.000Z"), { name: "Member", qualifyingPoints: 0 });

  // Still pending: the next order earns at Member.
  at("2026-03-10T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 10_000 }), []);
  t.like(await earnEntry(harness, "o-2"), { points: 100, basePoints: 100, multiplier: 1 });
  t.like(await tierAt(harness, "2026-03-15T23:59:59.999Z"), { name: "Member", qualifyingPoints: 0 });
  t.like(await tierAt(harness, "2026-03-16T00:00:00.000Z"), {
    name: "Silver",
    since: "2026-03-16T00:00:00.000Z",
    until: "2027-03-16T00:00:00.000Z",
    qualifyingPoints: 600,
  });

  // Released: an order completed now earns floor(100 × 1.25); only its base points count for tiers.
  at("2026-03-20T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-3", amount: 10_000 }), []);
  t.like(await earnEntry(harness, "o-3"), { points: 125, basePoints: 100, multiplier: 1.25 });
  t.like(await rig(harness).ledger.getBalance(USER, new Date("2026-03-20T10:00:00.000Z")), { lifetimeEarned: 825 });
  t.like(await tierAt(harness, "2026-04-04T00:00:00.000Z"), { name: "Silver", qualifyingPoints: 800 });
});

test("the order that crosses a threshold earns at the level below it, and so does one completed before the rise but credited after it", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 40_000 }), []); // released 2026-03-16
  at("2026-03-17T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 20_000 }), []); // released 2026-04-01: 600 then
  t.like(await earnEntry(harness, "o-2"), { points: 200, basePoints: 200, multiplier: 1 });

  at("2026-04-02T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-3", amount: 10_000, completedAt: "2026-03-31T10:00:00.000Z" }), []);
  t.like(await earnEntry(harness, "o-3"), { points: 100, multiplier: 1 });
  t.deepEqual(await order({ orderId: "o-4", amount: 10_000, completedAt: "2026-04-01T00:00:00.000Z" }), []);
  t.like(await earnEntry(harness, "o-4"), { points: 125, multiplier: 1.25 });
  t.like(await tierAt(harness, "2026-04-02T10:00:00.000Z"), { name: "Silver", since: "2026-04-01T00:00:00.000Z", qualifyingPoints: 600 });
});

test("a refund of the promoting order takes the level back at once; refunds reverse at the multiplier their order earned", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund, outcomes } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 40_000 }), []);
  at("2026-03-17T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 20_000 }), []);
  at("2026-04-05T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-3", amount: 10_000 }), []);
  t.like(await earnEntry(harness, "o-3"), { points: 125, multiplier: 1.25 });

  // Half of o-3: 50 base points at ×1.25, rounded down as earned; the rest: exactly what is left.
  at("2026-04-10T10:00:00.000Z");
  t.deepEqual(await refund({ orderId: "o-3", refundId: "r-1", amount: 5_000 }), []);
  t.deepEqual(await refund({ orderId: "o-3", refundId: "r-2", amount: 5_000 }), []);
  t.like(await earnEntry(harness, "o-3"), { reversedPoints: 125 });
  t.like(await tierAt(harness, "2026-04-10T10:00:00.000Z"), { name: "Silver", qualifyingPoints: 600 });

  // o-2 reached Silver: its refund leaves 400 and takes the level back at once.
  at("2026-04-12T10:00:00.000Z");
  t.deepEqual(await refund({ orderId: "o-2", refundId: "r-3", amount: 20_000 }), []);
  t.deepEqual(outcomes().slice(3), [
    ["reversed", 62],
    ["reversed", 63],
    ["reversed", 200],
  ]);
  t.like(await tierAt(harness, "2026-04-12T10:00:00.000Z"), { name: "Member", since: null, until: null, qualifyingPoints: 400 });
  // o-3's base points never count: nothing lifts the level at its release.
  t.like(await tierAt(harness, "2026-04-20T00:00:00.000Z"), { name: "Member", qualifyingPoints: 400 });
});

test("a level earned by other orders stays when a later order is refunded", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 60_000 }), []); // Silver from 2026-03-16
  at("2026-03-17T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 10_000 }), []);
  at("2026-04-02T10:00:00.000Z");
  t.deepEqual(await refund({ orderId: "o-2", refundId: "r-1", amount: 10_000 }), []);
  t.like(await tierAt(harness, "2026-04-02T10:00:00.000Z"), { name: "Silver", since: "2026-03-16T00:00:00.000Z", qualifyingPoints: 600 });
});

test("a return window closed early moves the order's base points, and the level, to the midnight after the close", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, windowClosed } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 60_000 }), []);
  at("2026-03-05T13:00:00.000Z");
  t.deepEqual(await windowClosed("o-1", "2026-03-05T12:00:00.000Z"), []);
  t.like(await earnEntry(harness, "o-1"), { availableAt: "2026-03-06T00:00:00.000Z", qualifiesFrom: "2026-03-06T00:00:00.000Z" });
  t.like(await tierAt(harness, "2026-03-05T23:59:59.999Z"), { name: "Member" });
  t.like(await tierAt(harness, "2026-03-06T00:00:00.000Z"), { name: "Silver", since: "2026-03-06T00:00:00.000Z" });
});

test("a refund that arrives before its order is netted out of the order's base points when it lands", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund } = rig(harness);

  t.deepEqual(await order({ orderId: "o-1", amount: 40_000 }), []);
  at("2026-03-17T10:00:00.000Z");
  t.deepEqual(await refund({ orderId: "o-2", refundId: "r-1", amount: 10_000 }), []); // parked
  t.deepEqual(await order({ orderId: "o-2", amount: 20_000 }), []);
  t.like(await earnEntry(harness, "o-2"), { points: 200, basePoints: 200, reversedPoints: 100 });
  // 400 + (200 - 100): Silver's 500 reached at o-2's release.
  t.like(await tierAt(harness, "2026-04-01T00:00:00.000Z"), { name: "Silver", qualifyingPoints: 500 });
  at("2026-04-02T10:00:00.000Z");
  t.deepEqual(await refund({ orderId: "o-2", refundId: "r-2", amount: 1_000 }), []);
  t.like(await tierAt(harness, "2026-04-02T10:00:00.000Z"), { name: "Member", qualifyingPoints: 490 });
});

test("orders credited before tiers never touch the buckets, refunded or closed after tiers came", async (t) => {
  const harness = await createHarness(dynamo);
  const before = rig(harness, { tiers: null });
  t.deepEqual(await before.order({ orderId: "o-1", amount: 60_000 }), []);
  const after = rig(harness);
  after.at("2026-03-05T13:00:00.000Z");
  t.deepEqual(await after.windowClosed("o-1", "2026-03-05T12:00:00.000Z"), []);
  t.deepEqual(await after.refund({ orderId: "o-1", refundId: "r-1", amount: 10_000 }), []);
  const item = await balanceItem(harness);
  t.deepEqual(
    Object.keys(item ?? {}).filter((attribute) => attribute.startsWith("tier")),
    [],
  );
  t.like(await earnEntry(harness, "o-1"), { points: 600, reversedPoints: 100 });
});

test("duplicates change nothing: the same record twice, the order re-published, the refund redelivered", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, write } = rig(harness);
  t.deepEqual(await order({ orderId: "o-1", amount: 60_000 }), []);
  at("2026-03-17T10:00:00.000Z");
  const record = sqsRecord(orderCompleted({ orderId: "o-2", userId: USER, amount: 10_000, completedAt: "2026-03-17T10:00:00.000Z" }));
  t.deepEqual((await write(sqsBatch(record))).batchItemFailures, []);
  const credited = await balanceItem(harness);

  at("2026-03-18T10:00:00.000Z");
  t.deepEqual((await write(sqsBatch(record))).batchItemFailures, []);
  t.deepEqual(await order({ orderId: "o-2", amount: 10_000, completedAt: "2026-03-17T10:00:00.000Z" }), []);
  t.deepEqual(await balanceItem(harness), credited);
  t.like(await earnEntry(harness, "o-2"), { points: 125, multiplier: 1.25 });

  const refund = sqsRecord(
    orderRefunded({ orderId: "o-2", userId: USER, refundId: "r-1", amount: 10_000, refundedAt: "2026-03-18T10:00:00.000Z" }),
  );
  t.deepEqual((await write(sqsBatch(refund))).batchItemFailures, []);
  const refunded = await balanceItem(harness);
  t.deepEqual((await write(sqsBatch(refund))).batchItemFailures, []);
  t.deepEqual(await balanceItem(harness), refunded);
  t.like(await earnEntry(harness, "o-2"), { reversedPoints: 125 });
});

test("a refund landing between a credit's read and its write makes the credit read again: the level it took back stays taken", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund } = rig(harness);
  t.deepEqual(await order({ orderId: "o-1", amount: 40_000 }), []);
  at("2026-03-17T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 20_000 }), []); // Silver from 2026-04-01, through o-2
  at("2026-04-12T10:00:00.000Z");
  harness.interleave({
    operation: "TransactWriteItems",
    match: orderSk("o-3"),
    run: () => refund({ orderId: "o-2", refundId: "r-1", amount: 20_000 }),
  });
  const start = harness.requests.length;
  t.deepEqual(await order({ orderId: "o-3", amount: 10_000, completedAt: "2026-04-12T09:00:00.000Z" }), []);
  // The credit's read, the refund's read and write, the credit's write (cancelled), its read and write again.
  t.deepEqual(harness.requests.slice(start), [
    "GetItem",
    "TransactGetItems",
    "TransactWriteItems",
    "TransactWriteItems",
    "GetItem",
    "TransactWriteItems",
  ]);
  // o-3 completed while Silver was held: it earns ×1.25; the refund's Member is what stays.
  t.like(await earnEntry(harness, "o-3"), { points: 125, multiplier: 1.25 });
  t.like(await tierAt(harness, "2026-04-12T10:00:00.000Z"), { name: "Member", qualifyingPoints: 400 });
  t.is((await balanceItem(harness))?.[TIER_VERSION_ATTRIBUTE], 4);
});

test("a redemption landing between a credit's read and its write leaves the credit alone: tiers are versioned apart from spending", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order } = rig(harness);
  t.deepEqual(await order({ orderId: "o-1", amount: 60_000 }), []);
  at("2026-03-20T10:00:00.000Z");
  const redemptions = new DynamoRedemptions(harness.documents, harness.tableName);
  const rewardId = await pricedRewards(harness)(100);
  let redeemed: unknown;
  harness.interleave({
    operation: "TransactWriteItems",
    match: orderSk("o-2"),
    run: async () => {
      redeemed = await redemptions.redeem(USER, { redemptionId: "d-1", rewardId }, () => new Date("2026-03-20T10:00:00.000Z"));
    },
  });
  const start = harness.requests.length;
  t.deepEqual(await order({ orderId: "o-2", amount: 10_000 }), []);
  t.like(redeemed, { outcome: "redeemed" });
  // The credit's read, the redemption's read and write, the credit's one write: no read again.
  t.deepEqual(harness.requests.slice(start), ["GetItem", "BatchGetItem", "TransactWriteItems", "TransactWriteItems"]);
  t.like(await earnEntry(harness, "o-2"), { points: 125 });
  t.like(await rig(harness).ledger.getBalance(USER, new Date("2026-03-20T10:00:00.000Z")), { balance: 500, lifetimeEarned: 725 });
});

test("a return window closed before its order arrives moves the order's base points when the order lands", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, windowClosed } = rig(harness);
  at("2026-03-05T13:00:00.000Z");
  t.deepEqual(await windowClosed("o-1", "2026-03-05T12:00:00.000Z"), []); // noted
  at("2026-03-05T14:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-1", amount: 60_000, completedAt: "2026-03-01T10:00:00.000Z" }), []);
  t.like(await earnEntry(harness, "o-1"), { availableAt: "2026-03-06T00:00:00.000Z", qualifiesFrom: "2026-03-06T00:00:00.000Z" });
  t.like(await tierAt(harness, "2026-03-06T00:00:00.000Z"), { name: "Silver", since: "2026-03-06T00:00:00.000Z", qualifyingPoints: 600 });
});

test("a writer whose clock runs behind the latest tier write still credits, as of that write", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order } = rig(harness);
  at("2026-03-16T10:00:00.000Z");
  t.deepEqual(await order({ orderId: "o-1", amount: 60_000, completedAt: "2026-03-01T10:00:00.000Z" }), []);
  at("2026-03-16T09:59:59.000Z");
  t.deepEqual(await order({ orderId: "o-2", amount: 10_000, completedAt: "2026-03-02T10:00:00.000Z" }), []);
  t.like(await earnEntry(harness, "o-2"), { points: 100, multiplier: 1, recordedAt: "2026-03-16T09:59:59.000Z" });
  t.like((await balanceItem(harness))?.tierState, { asOf: Date.parse("2026-03-16T10:00:00.000Z") });
});

test("concurrent orders of one customer: each credited once, every bucket whole", async (t) => {
  const harness = await createHarness(dynamo);
  const { order } = rig(harness);
  const results = await Promise.all(
    ["o-1", "o-2", "o-3"].map((orderId, day) =>
      order({ orderId, amount: 10_000 * (day + 1), completedAt: `2026-03-0${day + 1}T10:00:00.000Z` }),
    ),
  );
  t.deepEqual(results, [[], [], []]);
  const item = await balanceItem(harness);
  t.like(item, {
    "tier_2026-03-01_2026-03-16": 100,
    "tier_2026-03-02_2026-03-17": 200,
    "tier_2026-03-03_2026-03-18": 300,
    lifetimeEarned: 600,
    [TIER_VERSION_ATTRIBUTE]: 3,
  });
});

test("what an order costs: one request without tiers, a read more with them; the write units of each", async (t) => {
  const measured: Record<string, { requests: Record<string, number>; writeUnits: number; readUnits: number }> = {};
  for (const tiers of [null, TIERS]) {
    const harness = await createHarness(dynamo);
    const { client, totals } = instrumentedClient(dynamo.endpoint);
    const documents: DynamoDBDocumentClient = createDocumentClient(client);
    const { at, order } = rig(harness, { tiers, documents });
    const prefix = tiers === null ? "plain" : "tiered";
    // A customer with a year of history behind them: one order a week, then the order measured.
    for (let week = 0; week < 52; week++) {
      at(new Date(Date.parse("2026-01-05T10:00:00.000Z") + week * 7 * 86_400_000).toISOString());
      t.deepEqual(await order({ orderId: `${prefix}-${week}`, amount: 1_000 }), []);
    }
    resetTotals(totals);
    t.deepEqual(await order({ orderId: `${prefix}-measured`, amount: 1_000 }), []);
    t.deepEqual(await order({ orderId: `${prefix}-measured`, amount: 1_000 }), []); // its duplicate
    measured[prefix] = { requests: totals.byOperation, writeUnits: totals.writeUnits, readUnits: totals.readUnits };
    client.destroy();
  }
  t.log(JSON.stringify(measured));
  // DynamoDB Local reports the units of what succeeded: the credit's; its duplicate is the cancelled transaction.
  t.deepEqual(measured.plain, { requests: { TransactWriteItems: 2 }, writeUnits: 6, readUnits: 0 });
  // The read is one consistent GetItem of an item under 4 KB; the balance item's write is billed by
  // its size (2 units per KB in a transaction), which the year of buckets and the state double.
  t.deepEqual(measured.tiered, { requests: { GetItem: 2, TransactWriteItems: 2 }, writeUnits: 12, readUnits: 2 });
});
