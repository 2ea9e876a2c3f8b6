/**
 * The points lifecycle on a real DynamoDB (DynamoDB Local), with the clock under the test's
 * control: pending lots and their release at a UTC midnight, early release on the return
 * window's close, spending earliest expiry first, expiry with no job run, refunds in any order
 * and at any stage, cancels after expiry, duplicates, and what each operation costs.
 */
import test from "ava";
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { itemBytes } from "../handlers/ledger/item-size";
import { sqsDeadLetters } from "../handlers/writer/dead-letter-queue";
import { createLogger } from "../handlers/runtime/log";
import { createSettleRun } from "../handlers/settle/settle-run";
import { createHarness } from "./support/dynamo-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { orderRefunded as orderRefundedEvent, sqsBatch, sqsRecord } from "./support/events";

const dynamo = useDynamoLocal();

const PROD = { pendingDays: 30, expiryDays: 365 };

async function setup(lifecycle = PROD, start = "2026-01-01T10:00:00.000Z") {
  const harness = await createHarness(dynamo);
  return { harness, ...createLifecycleRig(harness, lifecycle, start) };
}

test("a lot is pending until the UTC midnight after completedAt + pendingDays, then spendable", async (t) => {
  const rig = await setup();
  t.deepEqual(await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }), []);
  // Exactly midnight is not moved: 2026-01-02T00:00 + 30 days is 2026-02-01T00:00 too.
  await rig.order({ orderId: "o-2", userId: "u-1", amount: 5_000, completedAt: "2026-01-02T00:00:00.000Z" });

  rig.at("2026-01-31T23:59:59.999Z");
  t.like(await rig.balance(), {
    balance: 0,
    pending: 150,
    nextRelease: { points: 150, at: "2026-02-01T00:00:00.000Z" },
    nextExpiry: { points: 150, at: "2027-02-01T00:00:00.000Z" },
  });
  rig.at("2026-02-01T00:00:00.000Z");
  t.like(await rig.balance(), { balance: 150, pending: 0, nextRelease: null, lifetimeEarned: 150 });
  rig.at("2026-02-01T00:00:00.001Z");
  t.like(await rig.balance(), { balance: 150, pending: 0 });
  t.is((await rig.redeem("r-1", 151)).outcome, "insufficient");

  const history = await rig.ledger.getHistory("u-1", 10);
  t.like(
    history.entries.find((entry) => entry.sk === "ORDER#o-1"),
    { availableAt: "2026-02-01T00:00:00.000Z", expiresAt: "2027-02-01T00:00:00.000Z", lot: "lot_2026-02-01_2027-02-01" },
  );
});

test("the return window's close releases the order's lot at the next midnight, once", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  await rig.order({ orderId: "o-2", userId: "u-1", amount: 4_000, completedAt: "2026-01-01T11:00:00.000Z" });
  rig.at("2026-01-10T16:00:00.000Z");
  t.deepEqual(await rig.windowClosed({ orderId: "o-1", userId: "u-1", closedAt: "2026-01-10T15:00:00.000Z" }), []);
  t.deepEqual(await rig.windowClosed({ orderId: "o-1", userId: "u-1", closedAt: "2026-01-10T15:00:00.000Z" }), []);
  t.like(await rig.balance(), { balance: 0, pending: 140, nextRelease: { points: 100, at: "2026-01-11T00:00:00.000Z" } });
  rig.at("2026-01-11T00:00:00.000Z");
  // The release moves, the expiry stays: 365 days after the release the order earned.
  t.like(await rig.balance(), { balance: 100, pending: 40, nextExpiry: { points: 140, at: "2027-02-01T00:00:00.000Z" } });
  t.deepEqual(rig.outcomes().slice(2), [
    ["released", 100],
    ["duplicate", 0],
  ]);
});

test("spending takes the earliest-expiring lots first and refuses pending and expired points", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 3_000, completedAt: "2026-01-01T10:00:00.000Z" }); // lot 01-01 → 01-11
  await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-03T10:00:00.000Z" }); // lot 01-03 → 01-13
  rig.at("2026-01-05T00:00:00.000Z");
  const spent = await rig.redeem("r-1", 40);
  t.is(spent.outcome, "redeemed");
  t.deepEqual(spent.outcome === "redeemed" ? spent.entry.draws : undefined, {
    "lot_2026-01-01_2026-01-11": 30,
    "lot_2026-01-03_2026-01-13": 10,
  });
  rig.at("2026-01-11T00:00:00.000Z");
  t.like(await rig.balance(), { balance: 40 });
  rig.at("2026-01-13T00:00:00.000Z");
  t.like(await rig.balance(), { balance: 0 }, "expired with nothing run in between");
  t.deepEqual(await rig.redeem("r-2", 1), { outcome: "insufficient", balance: 0 });
});

test("refunds: while pending, after spending (debt), after expiry (not taken again)", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  rig.at("2026-01-02T00:00:00.000Z");
  t.like(await rig.redeem("r-1", 80), { outcome: "redeemed" });
  await rig.refund({ orderId: "a", userId: "u-1", refundId: "r", amount: 10_000 });
  t.like(await rig.balance(), { balance: -80 }, "20 from the lot, 80 already spent: owed");
  await rig.order({ orderId: "b", userId: "u-1", amount: 10_000, completedAt: "2026-01-02T10:00:00.000Z" });
  t.like(await rig.balance(), { balance: 20 });
  t.like(await rig.redeem("r-2", 20), { outcome: "redeemed" });
  t.like(await rig.balance(), { balance: 0 });

  const pending = await setup(PROD);
  await pending.order({ orderId: "p", userId: "u-1", amount: 10_000 });
  await pending.refund({ orderId: "p", userId: "u-1", refundId: "r", amount: 2_500, refundedAt: "2026-01-05T00:00:00.000Z" });
  t.like(await pending.balance(), { balance: 0, pending: 75 });

  const expired = await setup({ pendingDays: 0, expiryDays: 10 });
  await expired.order({ orderId: "e", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  expired.at("2026-01-05T00:00:00.000Z");
  await expired.redeem("r-1", 30);
  expired.at("2026-01-20T00:00:00.000Z");
  await expired.order({ orderId: "f", userId: "u-1", amount: 5_000, completedAt: "2026-01-19T10:00:00.000Z" });
  await expired.refund({ orderId: "e", userId: "u-1", refundId: "r", amount: 10_000 });
  // 70 expired in the lot (not taken again); the 30 spent come off the new 50.
  t.like(await expired.balance(), { balance: 20 });
});

test("a refund before its order is acknowledged, netted when the order lands, duplicates change nothing", async (t) => {
  const rig = await setup();
  t.deepEqual(await rig.refund({ orderId: "o", userId: "u-1", refundId: "r", amount: 4_000 }), []);
  t.deepEqual(await rig.refund({ orderId: "o", userId: "u-1", refundId: "r", amount: 4_000 }), []);
  t.deepEqual(await rig.order({ orderId: "o", userId: "u-1", amount: 10_000 }), []);
  t.deepEqual(await rig.order({ orderId: "o", userId: "u-1", amount: 10_000 }), []);
  t.like(await rig.balance(), { pending: 60, lifetimeEarned: 100 });
  t.deepEqual(rig.outcomes(), [
    ["parked", 0],
    ["duplicate", 0],
    ["credited", 60],
    ["duplicate", 0],
  ]);
  const history = await rig.ledger.getHistory("u-1", 10);
  t.like(
    history.entries.find((entry) => entry.sk === "REFUND#o#r"),
    { kind: "reversal", points: 40 },
  );
});

test("a cancel after its lots expired gives the points back as expired", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-05T10:00:00.000Z" });
  rig.at("2026-01-06T00:00:00.000Z");
  await rig.redeem("r-1", 120); // 100 from a's lot, 20 from b's
  rig.at("2026-01-12T00:00:00.000Z");
  await rig.settle.settleDay("2026-01-11", rig.now());
  const cancelled = await rig.cancel("r-1");
  t.like(cancelled, { outcome: "cancelled", entry: { expiredPoints: 100, balanceAfter: 50 } });
  t.like(await rig.balance(), { balance: 50 });
});

test("the settle writes each day's expiry once, run twice or late; balances never depended on it", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  await rig.order({ orderId: "b", userId: "u-2", amount: 5_000, completedAt: "2026-01-01T11:00:00.000Z" });
  rig.at("2026-01-13T00:00:00.000Z");
  const before = [await rig.balance("u-1"), await rig.balance("u-2")];
  const first = await rig.settle.settleDay("2026-01-11", rig.now());
  const second = await rig.settle.settleDay("2026-01-11", rig.now());
  t.like(first, { customers: 2, entries: 2, points: 150 });
  t.like(second, { customers: 0, entries: 0, points: 0 });
  t.deepEqual(
    [await rig.balance("u-1"), await rig.balance("u-2")].map((b) => b.balance),
    before.map((b) => b.balance),
  );
  const history = await rig.ledger.getHistory("u-1", 10);
  t.deepEqual(
    history.entries.map((entry) => [entry.kind, entry.points]),
    [
      ["expiry", 100],
      ["earn", 100],
    ],
  );
});

test("an old balance item without lots reads as spendable, never expiring, and can be spent and refunded", async (t) => {
  const rig = await setup();
  await rig.harness.documents.send(
    new PutCommand({
      TableName: rig.harness.tableName,
      Item: { pk: "USER#u-1", sk: "BALANCE", balance: 70, lifetimeEarned: 100, updatedAt: "2025-01-01T00:00:00.000Z" },
    }),
  );
  t.like(await rig.balance(), { balance: 70, pending: 0, nextExpiry: null, lifetimeEarned: 100 });
  t.like(await rig.redeem("r-1", 50), { outcome: "redeemed", entry: { balanceAfter: 20 } });
  t.like(await rig.cancel("r-1"), { outcome: "cancelled", entry: { balanceAfter: 70 } });
});

test("cost: order 1 request, duplicate 1, refund 2, balance read 1, redemption 2, cancel 2, early release 2, the order of an early refund 4", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 365 });
  const counted = async (work: () => Promise<unknown>) => {
    rig.harness.requests.length = 0;
    await work();
    return [...rig.harness.requests];
  };
  const order = { orderId: "o", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T09:00:00.000Z" };
  t.deepEqual(await counted(() => rig.order(order)), ["TransactWriteItems"]);
  t.deepEqual(await counted(() => rig.order(order)), ["TransactWriteItems"]);
  t.deepEqual(await counted(() => rig.refund({ orderId: "o", userId: "u-1", refundId: "r", amount: 100 })), [
    "TransactGetItems",
    "TransactWriteItems",
  ]);
  t.deepEqual(await counted(() => rig.refund({ orderId: "x", userId: "u-1", refundId: "r", amount: 100 })), [
    "TransactGetItems",
    "TransactWriteItems",
  ]);
  t.deepEqual(await counted(() => rig.balance()), ["GetItem"]);
  await rig.priced(10);
  t.deepEqual(await counted(() => rig.redeem("r-1", 10)), ["BatchGetItem", "TransactWriteItems"]);
  t.deepEqual(await counted(() => rig.cancel("r-1")), ["TransactGetItems", "TransactWriteItems"]);
  t.deepEqual(await counted(() => rig.windowClosed({ orderId: "o", userId: "u-1", closedAt: "2026-01-01T12:00:00.000Z" })), [
    "TransactGetItems",
    "TransactWriteItems",
  ]);
  // The order of the refund parked above: its credit finds the note, reads it and the parked refunds, and nets them.
  t.deepEqual(await counted(() => rig.order({ ...order, orderId: "x" })), ["TransactWriteItems", "GetItem", "Query", "TransactWriteItems"]);
});

test("redemptions racing a release and an expiry never overspend", async (t) => {
  const rig = await setup({ pendingDays: 1, expiryDays: 1 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T10:00:00.000Z" }); // 01-03 → 01-04
  await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-02T10:00:00.000Z" }); // 01-04 → 01-05
  // Around 01-04T00:00 lot a expires and lot b releases: at no instant are more than 50 spendable.
  const instants = ["2026-01-03T23:59:59.000Z", "2026-01-03T23:59:59.999Z", "2026-01-04T00:00:00.000Z", "2026-01-04T00:00:00.500Z"];
  const rewardId = await rig.priced(10);
  const results = await Promise.all(
    Array.from({ length: 24 }, (_, i) => {
      const at = Date.parse(instants[i % instants.length] ?? "");
      return rig.redemptions.redeem("u-1", { redemptionId: `r-${i}`, points: 10, rewardId }, () => new Date(at));
    }),
  );
  const redeemed = results.filter((r) => r.outcome === "redeemed").length;
  t.true(redeemed * 10 <= 100, `${redeemed} redemptions of 10 passed`);
  rig.at("2026-01-04T12:00:00.000Z");
  const { balance } = await rig.balance();
  t.true(balance >= 0, `balance ${balance}`);
  // Nothing was spent from lot a inside its last 30 s, so what is left of b is exactly 50 minus b's share.
  const item = (await rig.ledger.getHistory("u-1", 50)).entries.filter((entry) => entry.kind === "redemption");
  t.is(item.length, redeemed);
});

test("a settle late by more expiry days than one transaction takes settles them all, once", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 1 });
  // 120 orders on 120 days (1 January to 30 April): 120 lots and expiry days (the last 1 May),
  // more than the 98 one write can take.
  for (let day = 0; day < 120; day++) {
    const completedAt = new Date(Date.parse("2026-01-01T10:00:00.000Z") + day * 86_400_000).toISOString();
    rig.at(completedAt);
    await rig.order({ orderId: `o-${day}`, userId: "u-1", amount: 10_000, completedAt });
  }
  rig.at("2026-06-01T00:00:00.000Z");
  const report = await rig.settle.settleDay("2026-05-01", rig.now());
  t.like(report, { customers: 1, entries: 120, points: 12_000 });
  t.like(await rig.settle.settleDay("2026-05-01", rig.now()), { customers: 0, entries: 0 });
  t.like(await rig.balance(), { balance: 0, pending: 0, nextExpiry: null });
  const history = await rig.ledger.getHistory("u-1", 300);
  t.is(history.entries.filter((entry) => entry.kind === "expiry").length, 120);
});

test("the settle function's run: by default today and the two days before (a missed run is made up); given days on request", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  const logged: string[] = [];
  // The schedule's run two days late: the expiry of 2026-01-11 is still written.
  const run = createSettleRun({
    settle: rig.settle,
    logger: createLogger("info", (line) => logged.push(line)),
    now: () => new Date("2026-01-13T00:15:00.000Z"),
  });
  t.deepEqual(
    (await run({})).map((report) => [report.day, report.entries, report.points]),
    [
      ["2026-01-11", 1, 100],
      ["2026-01-12", 0, 0],
      ["2026-01-13", 0, 0],
    ],
  );
  t.is(logged.length, 3, "one line per day settled");
  t.deepEqual(
    (await run({ days: ["2026-01-11"] })).map((report) => report.entries),
    [0],
    "twice is once",
  );
  t.deepEqual(
    (await run(undefined)).map((report) => report.day),
    ["2026-01-11", "2026-01-12", "2026-01-13"],
    "no input is the schedule's",
  );
  await t.throwsAsync(run({ days: ["2026-02-30"] }), { message: /must be a day like 2026-01-16/ });
  await t.throwsAsync(run({ days: ["2026-01-13", "2026-01-14"] }), { message: /days: 2026-01-14 has not begun \(today is 2026-01-13\)/ });
  await t.throwsAsync(run({ days: "2026-01-11" }), { message: /must be a list of days/ });
});

test("a settle racing redemptions: every point is spent or expired, once", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 1 });
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // expires 01-02
  await rig.order({ orderId: "b", userId: "u-1", amount: 10_000, completedAt: "2026-01-02T10:00:00.000Z" }); // expires 01-03
  rig.at("2026-01-02T12:00:00.000Z");
  const [report, ...redemptions] = await Promise.all([
    rig.settle.settleDay("2026-01-02", rig.now()),
    ...Array.from({ length: 4 }, (_, i) => rig.redeem(`r-${i}`, 30)),
  ]);
  const redeemed = redemptions.filter((r) => r.outcome === "redeemed").length;
  t.is(redeemed, 3, "only lot b (100) is spendable: three of 30 fit, the fourth is refused");
  t.like(report, { customers: 1, entries: 1, points: 100 }, "lot a expired whole, untouched by the redemptions");
  t.like(await rig.balance(), { balance: 10, pending: 0, lifetimeEarned: 200 });
  const history = await rig.ledger.getHistory("u-1", 20);
  t.deepEqual(
    history.entries.filter((entry) => entry.kind === "expiry").map((entry) => entry.points),
    [100],
  );
});

test("an order older than its expiry is credited and expires in the same write; each such order has an expiry entry of its own", async (t) => {
  const rig = await setup({ pendingDays: 0, expiryDays: 30 });
  rig.at("2026-06-01T08:00:00.000Z");
  // A backfill: orders of January, their lots expired in February.
  await rig.order({ orderId: "old-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-10T10:00:00.000Z" });
  t.like(await rig.balance(), { balance: 0, pending: 0, lifetimeEarned: 100, nextExpiry: null });
  // Expired in its own write: nothing listed for the settle.
  t.like(await rig.settle.settleDay("2026-06-01", rig.now()), { customers: 0, entries: 0, points: 0 });
  // Another order of the same lot, backfilled the next day.
  rig.at("2026-06-02T08:00:00.000Z");
  await rig.order({ orderId: "old-2", userId: "u-1", amount: 5_000, completedAt: "2026-01-10T18:00:00.000Z" });
  t.like(await rig.settle.settleDay("2026-06-02", rig.now()), { customers: 0, entries: 0 });
  const expiries = (await rig.ledger.getHistory("u-1", 10)).entries.filter((entry) => entry.kind === "expiry");
  t.deepEqual(
    expiries.map((entry) => [entry.sk, entry.points, entry.occurredAt]),
    [
      ["EXPIRY#2026-02-09#ORDER#old-2", 50, "2026-02-09T00:00:00.000Z"],
      ["EXPIRY#2026-02-09#ORDER#old-1", 100, "2026-02-09T00:00:00.000Z"],
    ],
  );
  const item = await rig.harness.documents.send(
    new GetCommand({ TableName: rig.harness.tableName, Key: { pk: "USER#u-1", sk: "BALANCE" } }),
  );
  t.deepEqual(
    Object.keys(item.Item ?? {}).filter((name) => name.startsWith("lot_")),
    [],
    "no expired lot on the item",
  );
  t.like(item.Item, { expiredTotal: 150, lifetimeEarned: 150 });
  t.like(await rig.balance(), { balance: 0, lifetimeEarned: 150 });
});

test("a refund after the settle took its expired lot off splits as before the settle: spent points come off, expired ones not again", async (t) => {
  const outcome = async (settleFirst: boolean) => {
    const rig = await setup({ pendingDays: 0, expiryDays: 10 });
    // Two orders in one lot (same day): 100 + 50; 30 spent from the lot, 120 expire.
    await rig.order({ orderId: "e", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
    await rig.order({ orderId: "g", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T12:00:00.000Z" });
    rig.at("2026-01-05T00:00:00.000Z");
    await rig.redeem("r-1", 30);
    rig.at("2026-01-20T00:00:00.000Z");
    await rig.order({ orderId: "f", userId: "u-1", amount: 5_000, completedAt: "2026-01-19T10:00:00.000Z" });
    if (settleFirst) t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { entries: 1, points: 120 });
    await rig.refund({ orderId: "e", userId: "u-1", refundId: "r", amount: 10_000 });
    await rig.refund({ orderId: "g", userId: "u-1", refundId: "r", amount: 5_000 });
    if (!settleFirst) await rig.settle.settleDay("2026-01-11", rig.now());
    const reversals = (await rig.ledger.getHistory("u-1", 20)).entries.filter((entry) => entry.kind === "reversal");
    return { balance: (await rig.balance()).balance, reversals: reversals.map((entry) => entry.points), requests: rig.harness.requests };
  };
  const before = await outcome(false);
  const after = await outcome(true);
  // Of the 150 refunded, 120 had expired (not taken again) and 30 were spent: they come off the new 50.
  t.is(before.balance, 20);
  t.is(after.balance, before.balance, "the same balance whether or not the settle ran first");
  t.deepEqual(after.reversals, before.reversals);
});

/**
 * Closes of orders that never come. Each one's id alone is 128 bytes, so 8 kept on the balance
 * item would already pass the 1 KB it must stay under: 200 make the point 25 times over.
 */
const NEVER_COMING = 200;

test(`${NEVER_COMING} return window closes of orders that never come leave the balance item small, and the customer spends and is adjusted`, async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "o", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  rig.at("2026-03-01T00:00:00.000Z");
  // Ids of the contract's longest (128 characters), closed in batches as the queue delivers them.
  const orderId = (i: number) => `never-${String(i).padStart(5, "0")}-${"x".repeat(128 - 12)}`;
  const close = (i: number) =>
    sqsRecord({
      version: "0",
      id: randomUUID(),
      "detail-type": DETAIL_TYPES.returnWindowClosed,
      source: DEFAULT_EVENT_SOURCE,
      account: "123456789012",
      time: "2026-02-28T10:00:00.000Z",
      region: "eu-west-1",
      resources: [],
      detail: { orderId: orderId(i), userId: "u-1", closedAt: "2026-02-28T10:00:00.000Z" },
    });
  for (let start = 0; start < NEVER_COMING; start += 50) {
    const { batchItemFailures } = await rig.write(sqsBatch(...Array.from({ length: 50 }, (_, i) => close(start + i))));
    t.deepEqual(batchItemFailures, [], `closes ${start}…${start + 49}`);
  }
  t.is(rig.outcomes().filter(([outcome]) => outcome === "parked").length, NEVER_COMING);

  const { Item: balanceItem = {} } = await rig.harness.documents.send(
    new GetCommand({ TableName: rig.harness.tableName, Key: { pk: "USER#u-1", sk: "BALANCE" } }),
  );
  t.true(itemBytes(balanceItem) < 1_024, `the balance item holds ${itemBytes(balanceItem)} bytes`);
  t.like(await rig.redeem("r-1", 40), { outcome: "redeemed" });
  const adjustments = new DynamoAdjustments(rig.harness.documents, rig.harness.tableName, PROD);
  t.like(
    await adjustments.adjust(
      "u-1",
      { adjustmentId: "a-1", points: 5, reason: "goodwill" },
      "arn:aws:iam::123456789012:role/support",
      rig.now,
    ),
    { outcome: "adjusted" },
  );
  t.like(
    await adjustments.adjust(
      "u-1",
      { adjustmentId: "a-2", points: -5, reason: "goodwill undone" },
      "arn:aws:iam::123456789012:role/support",
      rig.now,
    ),
    { outcome: "adjusted" },
  );
  t.like(await rig.balance(), { balance: 60, lifetimeEarned: 105 });

  // The notes expire: a close matters only until its order's release, at most 365 days after it.
  const { Items: notes = [] } = await rig.harness.documents.send(
    new QueryCommand({
      TableName: rig.harness.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :early)",
      ExpressionAttributeValues: { ":pk": "USER#u-1", ":early": "EARLY#" },
    }),
  );
  t.is(notes.length, NEVER_COMING);
  t.like(notes[0], { arrivals: 1, closedAt: "2026-02-28T10:00:00.000Z", ttl: Date.parse("2027-03-02T10:00:00.000Z") / 1000 });
  t.false("entryAt" in (notes[0] ?? {}), "a note is not in the history");
});

test("a refund parked before its order in another currency is rejected when the order lands, dead-lettered with the reason, and its redelivery is a duplicate", async (t) => {
  // The writer's DLQ on an SQS-API server (fauxqs), as the local runtime serves its queues.
  const { startFauxqs } = await import("fauxqs");
  const server = await startFauxqs({ port: 0, logger: false, defaultRegion: "eu-west-1" });
  t.teardown(() => server.stop());
  const dlq = server.createQueue("writer-dlq");
  const sqs = new SQSClient({
    region: "eu-west-1",
    endpoint: server.address,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  t.teardown(() => sqs.destroy());
  const harness = await createHarness(dynamo);
  const rig = {
    harness,
    ...createLifecycleRig(harness, PROD, "2026-01-01T10:00:00.000Z", { deadLetters: sqsDeadLetters(sqs, dlq.queueUrl) }),
  };
  const refund = { orderId: "o", userId: "u-1", refundId: "r", amount: 4_000, currency: "GBP" };
  const event = orderRefundedEvent(refund);
  t.deepEqual(await rig.write(sqsBatch(sqsRecord(event))).then((r) => r.batchItemFailures), []);
  t.deepEqual(await rig.order({ orderId: "o", userId: "u-1", amount: 10_000 }), []);
  t.like(await rig.balance(), { pending: 100, lifetimeEarned: 100 }, "credited in full: the refund contradicts its order");
  t.deepEqual(await rig.write(sqsBatch(sqsRecord(event))).then((r) => r.batchItemFailures), [], "the redelivery is acknowledged");
  t.deepEqual(rig.outcomes(), [
    ["parked", 0],
    ["invalid", 0],
    ["credited", 100],
    ["duplicate", 0],
  ]);
  t.like(rig.logs()[1], {
    level: "warn",
    message: "parked refund rejected",
    eventId: event.id,
    refundId: "r",
    reason: "refund is in GBP but its order was paid in EUR",
  });
  const history = await rig.ledger.getHistory("u-1", 10);
  t.deepEqual(
    history.entries.map((entry) => entry.kind),
    ["earn"],
    "no refund awaits its order any more",
  );
  const { Item } = await rig.harness.documents.send(
    new GetCommand({ TableName: rig.harness.tableName, Key: { pk: "USER#u-1", sk: "REFUND#o#r" } }),
  );
  t.like(Item, { kind: "rejected-refund", reason: "refund is in GBP but its order was paid in EUR" });

  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
  );
  t.is(Messages.length, 1, "dead-lettered once");
  t.is(Messages[0]?.MessageAttributes?.reason?.StringValue, "refund is in GBP but its order was paid in EUR");
  // The event as the writer read it: a redrive gives it back to the writer, which knows it.
  const body = JSON.parse(Messages[0]?.Body ?? "{}") as Record<string, unknown>;
  t.deepEqual(body, { id: event.id, "detail-type": "Order Refunded", source: event.source, account: event.account, detail: event.detail });
  t.deepEqual(await rig.write(sqsBatch(sqsRecord(body))).then((r) => r.batchItemFailures), [], "the redriven message is acknowledged");
  t.deepEqual(rig.outcomes().at(-1), ["duplicate", 0]);
});

test("a note of early arrivals that holds a refund never expires, whichever came first; the order nets it and lets it expire", async (t) => {
  const rig = await setup();
  const note = async (orderId: string) =>
    (
      await rig.harness.documents.send(
        new GetCommand({ TableName: rig.harness.tableName, Key: { pk: "USER#u-1", sk: `EARLY#${orderId}` }, ConsistentRead: true }),
      )
    ).Item;
  rig.at("2026-01-03T00:00:00.000Z");
  // A refund, then a close (which would otherwise expire the note).
  await rig.refund({ orderId: "a", userId: "u-1", refundId: "r", amount: 2_000 });
  await rig.windowClosed({ orderId: "a", userId: "u-1", closedAt: "2026-01-02T10:00:00.000Z" });
  t.like(await note("a"), { arrivals: 2, refunds: 1, closedAt: "2026-01-02T10:00:00.000Z" });
  t.false("ttl" in ((await note("a")) ?? {}));
  // A close, then a refund.
  await rig.windowClosed({ orderId: "b", userId: "u-1", closedAt: "2026-01-02T10:00:00.000Z" });
  t.like(await note("b"), { arrivals: 1, ttl: Date.parse("2027-01-04T10:00:00.000Z") / 1000 });
  await rig.refund({ orderId: "b", userId: "u-1", refundId: "r", amount: 2_000 });
  t.false("ttl" in ((await note("b")) ?? {}));
  t.deepEqual(rig.outcomes(), [
    ["parked", 0],
    ["parked", 0],
    ["parked", 0],
    ["parked", 0],
  ]);

  for (const orderId of ["a", "b"]) await rig.order({ orderId, userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  // Each order released at the midnight after its close, net of its refund.
  t.like(await rig.balance(), { balance: 160, pending: 0, lifetimeEarned: 200 });
  t.like(await note("a"), { nettedAt: "2026-01-03T00:00:00.000Z", ttl: Date.parse("2026-01-03T00:00:00.000Z") / 1000 });
});

test("when the rejected refund cannot be dead-lettered, nothing is written and the order's message is delivered again", async (t) => {
  const harness = await createHarness(dynamo);
  const sent: string[] = [];
  let failures = 1;
  const deadLetters = async (_body: string, reason: string) => {
    if (failures-- > 0) throw new Error("the DLQ refused it");
    sent.push(reason);
  };
  const rig = { harness, ...createLifecycleRig(harness, PROD, "2026-01-01T10:00:00.000Z", { deadLetters }) };
  await rig.refund({ orderId: "o", userId: "u-1", refundId: "r", amount: 4_000, currency: "GBP" });
  t.is((await rig.order({ orderId: "o", userId: "u-1", amount: 10_000 })).length, 1, "the order's record fails");
  t.like(await rig.balance(), { pending: 0, lifetimeEarned: 0 });
  t.like((await rig.ledger.getHistory("u-1", 10)).entries, [{ kind: "parked-refund" }]);
  t.deepEqual(await rig.order({ orderId: "o", userId: "u-1", amount: 10_000 }), [], "and succeeds when delivered again");
  t.like(await rig.balance(), { pending: 100, lifetimeEarned: 100 });
  t.deepEqual(sent, ["refund is in GBP but its order was paid in EUR"]);
});
