/**
 * What a customer owes, on a real DynamoDB (DynamoDB Local) with the clock under the test's
 * control: debt comes off the balance at once and is paid by the points that would otherwise
 * expire, never by a spend; every read gives the same numbers whether or not the settle has run;
 * the history's signed points add up to balance + pending, and the events say the same numbers;
 * a redemption or a take refused near an expiry names what it could have spent.
 */
import test from "ava";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { eventOfEntry } from "../handlers/domain/entry-events";
import type { LedgerEntry } from "../handlers/domain/ledger-entries";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { historyItem } from "../handlers/reader/history-view";
import { createHarness } from "./support/dynamo-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

const TEN_DAYS = { pendingDays: 0, expiryDays: 10 };

async function setup() {
  const harness = await createHarness(dynamo);
  const rig = createLifecycleRig(harness, TEN_DAYS, "2026-01-01T10:00:00.000Z");
  const adjustments = new DynamoAdjustments(harness.documents, harness.tableName, TEN_DAYS);
  const history = async (userId = "u-1") => (await rig.ledger.getHistory(userId, 100)).entries;
  return { harness, ...rig, adjustments, history };
}

/** The history's signed points, as the apps read them. */
const signedSum = (entries: readonly LedgerEntry[]) => entries.reduce((sum, entry) => sum + historyItem(entry).points, 0);

/**
 * Owes 100 (a refund of 100 points already spent), then earns 150 expiring on 13 January: 50
 * spendable. At the expiry the 150 pay the 100 owed and only the rest expires.
 */
async function owingWithAGrant(rig: Awaited<ReturnType<typeof setup>>, { redeemFirst }: { redeemFirst: boolean }) {
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // expires 01-11
  rig.at("2026-01-02T00:00:00.000Z");
  await rig.redeem("r-1", 100);
  await rig.refund({ orderId: "a", userId: "u-1", refundId: "r", amount: 10_000, refundedAt: "2026-01-02T00:00:00.000Z" });
  rig.at("2026-01-03T12:00:00.000Z");
  await rig.order({ orderId: "b", userId: "u-1", amount: 15_000, completedAt: "2026-01-03T10:00:00.000Z" }); // expires 01-13
  rig.at("2026-01-05T00:00:00.000Z");
  if (redeemFirst) await rig.redeem("r-2", 10);
}

test("a lot that expires while the customer owes pays the debt first: the balance never drops below what it was, with or without a redemption before", async (t) => {
  const plain = await setup();
  await owingWithAGrant(plain, { redeemFirst: false });
  t.like(
    await plain.balance(),
    { balance: 50, nextExpiry: { points: 50, at: "2026-01-13T00:00:00.000Z" } },
    "of the 150 expiring, 100 pay the debt",
  );
  plain.at("2026-01-13T00:00:00.000Z");
  t.like(await plain.balance(), { balance: 0, pending: 0 }, "paid, before any settle");

  const redeemed = await setup();
  await owingWithAGrant(redeemed, { redeemFirst: true });
  t.like(await redeemed.balance(), { balance: 40 }, "the redemption spent its own 10, the 100 stay owed");
  redeemed.at("2026-01-13T00:00:00.000Z");
  t.like(await redeemed.balance(), { balance: 0 }, "the redemption changed the later balance by no more than its own 10");

  for (const [rig, expired] of [
    [plain, 50],
    [redeemed, 40],
  ] as const) {
    t.like(
      await rig.settle.settleDay("2026-01-13", rig.now()),
      { customers: 1, entries: 1, points: expired },
      "the expiry entry holds only what expired",
    );
    t.like(await rig.balance(), { balance: 0, pending: 0 }, "the settle changed no number");
    const expiries = (await rig.history()).filter((entry) => entry.kind === "expiry");
    t.deepEqual(
      expiries.map((entry) => entry.points),
      [expired],
    );
    t.is(signedSum(await rig.history()), 0, "the history adds up to the balance");
  }
});

test("with the settle run before or after a read, and a redemption after the expiry, the numbers are the same", async (t) => {
  const outcome = async (settleFirst: boolean) => {
    const rig = await setup();
    await owingWithAGrant(rig, { redeemFirst: false });
    await rig.order({ orderId: "c", userId: "u-1", amount: 3_000, completedAt: "2026-01-05T10:00:00.000Z" }); // expires 01-15
    rig.at("2026-01-13T08:00:00.000Z");
    if (settleFirst) await rig.settle.settleDay("2026-01-13", rig.now());
    const read = await rig.balance();
    const spent = await rig.redeem("r-3", 30);
    if (!settleFirst) await rig.settle.settleDay("2026-01-13", rig.now());
    const history = await rig.history();
    return {
      read: read.balance,
      spent: spent.outcome,
      after: (await rig.balance()).balance,
      history: history.map((entry) => [entry.sk, historyItem(entry).points]),
    };
  };
  const before = await outcome(false);
  const after = await outcome(true);
  t.deepEqual(before, { read: 30, spent: "redeemed", after: 0, history: before.history });
  t.deepEqual(
    before.history.filter(([sk]) => String(sk).startsWith("EXPIRY#")),
    [["EXPIRY#2026-01-13", -50]],
  );
  t.deepEqual(after, before, "the same reads, spend and history whether or not the settle ran first");
});

test("a debt that arises after a lot expired is not paid by that lot, whether or not the settle ran first", async (t) => {
  const outcome = async (settleFirst: boolean) => {
    const rig = await setup();
    await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // expires 01-11
    await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-05T10:00:00.000Z" }); // expires 01-15
    // Five minutes after a's 100 expired, owing 30 nothing expired before it pays.
    rig.at("2026-01-11T00:05:00.000Z");
    if (settleFirst) await rig.settle.settleDay("2026-01-11", rig.now());
    const take = await rig.adjustments.adjust(
      "u-1",
      { adjustmentId: "adj-1", points: -80, reason: "credited twice", allowNegative: true },
      "agent",
      rig.now,
    );
    const read = (await rig.balance()).balance;
    if (!settleFirst) await rig.settle.settleDay("2026-01-11", rig.now());
    return { take: take.outcome, read, after: (await rig.balance()).balance, sum: signedSum(await rig.history()) };
  };
  const before = await outcome(false);
  t.deepEqual(before, { take: "adjusted", read: -30, after: -30, sum: -30 });
  t.deepEqual(await outcome(true), before);
});

test("the history adds up to balance + pending, and the events say the same numbers", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "a", userId: "u-1", amount: 20_000, completedAt: "2026-01-01T10:00:00.000Z" }); // lot A, expires 01-11
  rig.at("2026-01-02T00:00:00.000Z");
  await rig.refund({ orderId: "a", userId: "u-1", refundId: "r-1", amount: 5_000, refundedAt: "2026-01-02T00:00:00.000Z" }); // 50 out of A
  rig.at("2026-01-03T12:00:00.000Z");
  await rig.order({ orderId: "b", userId: "u-1", amount: 10_000, completedAt: "2026-01-03T10:00:00.000Z" }); // lot B, expires 01-13
  rig.at("2026-01-04T00:00:00.000Z");
  await rig.redeem("s-1", 120); // A 150 → 30
  await rig.redeem("s-2", 50); // A 30 → 0, B 100 → 80
  rig.at("2026-01-06T00:00:00.000Z");
  // The rest of a (150) was spent: B's 80 come off, 70 are owed.
  await rig.refund({ orderId: "a", userId: "u-1", refundId: "r-2", amount: 15_000, refundedAt: "2026-01-06T00:00:00.000Z" });
  t.like(await rig.balance(), { balance: -70 });
  rig.at("2026-01-08T12:00:00.000Z");
  await rig.order({ orderId: "c", userId: "u-1", amount: 10_000, completedAt: "2026-01-07T10:00:00.000Z" }); // lot C, expires 01-17
  await rig.order({ orderId: "d", userId: "u-1", amount: 4_000, completedAt: "2026-01-08T10:00:00.000Z" }); // lot D, expires 01-18
  t.like(await rig.balance(), { balance: 70 });
  rig.at("2026-01-12T00:00:00.000Z");
  // s-2 drew 30 from A (expired: they stay expired) and 20 from B (back to B).
  t.like(await rig.cancel("s-2"), { outcome: "cancelled", entry: { points: 50, expiredPoints: 30 } });
  t.like(await rig.balance(), { balance: 90 });
  // B's 20 pay 20 of the 70 owed; C's 100 pay the other 50 and 50 expire; D's 40 expire whole.
  rig.at("2026-01-20T00:00:00.000Z");
  t.like(await rig.balance(), { balance: 0, pending: 0 });
  for (const day of ["2026-01-11", "2026-01-13", "2026-01-17", "2026-01-18"]) await rig.settle.settleDay(day, rig.now());
  // A refund of d after its lot expired: nothing taken again.
  await rig.refund({ orderId: "d", userId: "u-1", refundId: "r-3", amount: 4_000, refundedAt: "2026-01-20T00:00:00.000Z" });
  rig.at("2026-01-21T00:00:00.000Z");
  // A refund awaiting its order moves nothing yet.
  await rig.refund({ orderId: "later", userId: "u-1", refundId: "r-4", amount: 1_000, refundedAt: "2026-01-21T00:00:00.000Z" });

  const history = await rig.history();
  const { balance, pending } = await rig.balance();
  t.is(signedSum(history), balance + pending);
  const shown = new Map(history.map((entry) => [entry.sk, historyItem(entry).points]));
  t.like(Object.fromEntries(shown), {
    "ORDER#a": 200,
    "REFUND#a#r-1": -50,
    "REFUND#a#r-2": -150,
    "REDEEM#s-2#CANCEL": 20,
    "EXPIRY#2026-01-17": -50,
    "EXPIRY#2026-01-18": -40,
    "REFUND#d#r-3": 0,
    "REFUND#later#r-4": 0,
  });
  t.false(shown.has("EXPIRY#2026-01-11"), "A was spent to nothing: no expiry");
  t.false(shown.has("EXPIRY#2026-01-13"), "B's 20 paid the debt: nothing expired");
  // Every event tells the points its entry moved, as the history shows them.
  for (const entry of history) {
    const event = eventOfEntry(entry);
    if (event !== undefined) t.is(event.detail.points, Math.abs(historyItem(entry).points), entry.sk);
  }
});

test("a redemption or a take refused within 30 s of an expiry names what it could have spent", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // expires 01-11
  await rig.order({ orderId: "b", userId: "u-1", amount: 2_000, completedAt: "2026-01-05T10:00:00.000Z" }); // expires 01-15
  rig.at("2026-01-10T23:59:45.000Z");
  t.like(await rig.balance(), { balance: 120 }, "a's 100 are still spendable for 15 s");
  t.deepEqual(await rig.redeem("r-1", 110), { outcome: "insufficient", balance: 20 }, "only b's 20 can be spent now");
  t.deepEqual(await rig.adjustments.adjust("u-1", { adjustmentId: "adj-1", points: -110, reason: "credited twice" }, "agent", rig.now), {
    outcome: "insufficient",
    balance: 20,
  });
  t.like(await rig.redeem("r-2", 20), { outcome: "redeemed" }, "what the refusal named can be spent");
});

test("a pre-lot balance left below zero is owed like a debt: a spend leaves it, an expiry pays it", async (t) => {
  const rig = await setup();
  const key = { pk: "USER#u-1", sk: "BALANCE" };
  await rig.harness.documents.send(
    new PutCommand({
      TableName: rig.harness.tableName,
      Item: { ...key, balance: -30, lifetimeEarned: 100, updatedAt: "2025-01-01T00:00:00.000Z" },
    }),
  );
  await rig.order({ orderId: "a", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T10:00:00.000Z" }); // expires 01-11
  t.like(await rig.balance(), { balance: 20, nextExpiry: { points: 20, at: "2026-01-11T00:00:00.000Z" } });
  rig.at("2026-01-02T00:00:00.000Z");
  t.like(await rig.redeem("r-1", 10), { outcome: "redeemed", entry: { balanceAfter: 10, draws: { "lot_2026-01-01_2026-01-11": 10 } } });
  const item = async () =>
    (await rig.harness.documents.send(new GetCommand({ TableName: rig.harness.tableName, Key: key, ConsistentRead: true }))).Item;
  t.like(await item(), { balance: -30, "lot_2026-01-01_2026-01-11": 40 }, "the spend drew its own points only");
  rig.at("2026-01-11T00:00:00.000Z");
  t.like(await rig.balance(), { balance: 0 });
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { entries: 1, points: 10 }, "30 of the 40 paid what was owed");
  t.like(await item(), { balance: 0 });
  t.like(await rig.balance(), { balance: 0 });
});
