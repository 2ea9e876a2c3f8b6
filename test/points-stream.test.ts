/**
 * Points events from the ledger's own stream on DynamoDB Local, through the local runtime's
 * stream tail (the event source mapping's behaviour: in order, retried from the failed record,
 * parked after its attempts): the real writer, redeemer and settle write, the stream publishes.
 *
 * "Exactly one" needs to know the stream has been read to the end: each test writes a marker
 * order last and waits for its event; the table's stream is one shard read in order, so by then
 * every earlier change has been published or passed.
 */
import test, { type ExecutionContext } from "ava";
import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import type { PointsEvent } from "../handlers/domain/points-events";
import { TiersSchema, type Tiers } from "../handlers/domain/tier-settings";
import * as v from "valibot";
import type { PublishEvent } from "../handlers/publisher/publish-in-order";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { startLedgerStream } from "../local/ledger-stream";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { until } from "./support/npm-start";

const dynamo = useDynamoLocal();

const MARKER = "USER#marker/ORDER#marker";

async function setup(
  t: ExecutionContext,
  publish: PublishEvent = async () => {},
  lifecycle = { pendingDays: 0, expiryDays: 10 },
  tiers?: Tiers,
) {
  const harness = await createHarness(dynamo, { stream: true });
  const rig = createLifecycleRig(harness, lifecycle, "2026-01-01T10:00:00.000Z", { expiringSoonDays: 3, tiers });
  const events: PointsEvent[] = [];
  const parked: Array<{ record: _Record; error: unknown }> = [];
  const errors: unknown[] = [];
  const tail = await startLedgerStream({
    endpoint: dynamo.endpoint,
    tableName: harness.tableName,
    publish: async (event) => {
      await publish(event);
      events.push(event);
    },
    park: (record, error) => parked.push({ record, error }),
    onError: (error) => errors.push(error),
  });
  t.teardown(() => tail.stop());
  /** Writes the marker and waits until its event is out: everything before it is then done. */
  const drain = async () => {
    // Completed now, so it is never an order whose lot already expired (that would publish its expiry too).
    await rig.order({ orderId: "marker", userId: "marker", amount: 100, completedAt: rig.now().toISOString() });
    t.true(await until(() => events.some((event) => event.detail.entryId === MARKER), 30_000), "the marker's event arrives");
    t.deepEqual(errors, []);
    return events.filter((event) => event.detail.entryId !== MARKER);
  };
  return { harness, rig, events, parked, drain };
}

test("every ledger change publishes exactly one event with its detail; duplicates publish none", async (t) => {
  const { rig, drain } = await setup(t);
  const order = { orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" };
  t.deepEqual(await rig.order(order), []);
  t.deepEqual(await rig.order(order), [], "a redelivered order");
  // A refund before its order is parked, then netted when the order lands.
  const early = { orderId: "o-2", userId: "u-1", refundId: "rf-2", amount: 1_000, refundedAt: "2026-01-01T11:00:00.000Z" };
  t.deepEqual(await rig.refund(early), []);
  t.deepEqual(await rig.order({ orderId: "o-2", userId: "u-1", amount: 4_000, completedAt: "2026-01-01T10:30:00.000Z" }), []);
  const refund = { orderId: "o-1", userId: "u-1", refundId: "rf-1", amount: 2_500, refundedAt: "2026-01-01T12:00:00.000Z" };
  t.deepEqual(await rig.refund(refund), []);
  t.deepEqual(await rig.refund(refund), [], "a redelivered refund");
  rig.at("2026-01-02T09:00:00.000Z");
  t.is((await rig.redeem("r-1", 50)).outcome, "redeemed");
  t.is((await rig.redeem("r-1", 50)).outcome, "replayed", "a retried redemption");
  t.is((await rig.cancel("r-1")).outcome, "cancelled");
  t.is((await rig.cancel("r-1")).outcome, "already-cancelled", "a second cancel");
  rig.at("2026-01-11T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { entries: 1 });
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { entries: 0 }, "the settle run twice");

  const events = await drain();
  t.deepEqual(
    events.map((event) => [event.detailType, event.detail.entryId]),
    [
      ["Points Earned", "USER#u-1/ORDER#o-1"],
      ["Points Earned", "USER#u-1/ORDER#o-2"],
      ["Points Reversed", "USER#u-1/REFUND#o-2#rf-2"],
      ["Points Reversed", "USER#u-1/REFUND#o-1#rf-1"],
      ["Points Redeemed", "USER#u-1/REDEEM#r-1"],
      ["Redemption Cancelled", "USER#u-1/REDEEM#r-1#CANCEL"],
      ["Points Expired", "USER#u-1/EXPIRY#2026-01-11"],
    ],
  );
  const [earned, , netted, reversed, redeemed, cancelled, expired] = events;
  t.like(earned?.detail, {
    userId: "u-1",
    points: 100,
    orderId: "o-1",
    amount: { amount: 10_000, currency: "EUR" },
    availableAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-01-11T00:00:00.000Z",
    occurredAt: "2026-01-01T10:00:00.000Z",
  });
  t.like(netted?.detail, { points: 10, orderId: "o-2", refundId: "rf-2", occurredAt: "2026-01-01T11:00:00.000Z" });
  t.like(reversed?.detail, { points: 25, orderId: "o-1", refundId: "rf-1" });
  t.like(redeemed?.detail, { points: 50, redemptionId: "r-1", rewardId: "reward-50", occurredAt: "2026-01-02T09:00:00.000Z" });
  t.like(cancelled?.detail, { points: 50, redemptionId: "r-1", rewardId: "reward-50", expiredPoints: 0 });
  // o-1 (100 − 25) and o-2 (40 − 10) share the lot that expires on 2026-01-11.
  t.like(expired?.detail, { points: 105, day: "2026-01-11", occurredAt: "2026-01-11T00:00:00.000Z" });
});

test("the settle's release and expiring-soon notices publish once each, however often it runs", async (t) => {
  const { rig, drain } = await setup(t, undefined, { pendingDays: 2, expiryDays: 10 });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // 01-04 → 01-14
  for (const [at, day] of [
    ["2026-01-04T00:15:00.000Z", "2026-01-04"],
    ["2026-01-11T00:15:00.000Z", "2026-01-11"],
  ] as const) {
    rig.at(at);
    await rig.settle.settleDay(day, rig.now());
    await rig.settle.settleDay(day, rig.now());
  }
  const events = await drain();
  t.deepEqual(
    events.map((event) => [event.detailType, event.detail.entryId]),
    [
      ["Points Earned", "USER#u-1/ORDER#o-1"],
      ["Points Released", "USER#u-1/RELEASE#2026-01-04"],
      ["Points Expiring Soon", "USER#u-1/EXPIRING#2026-01-14"],
    ],
  );
  t.like(events[1]?.detail, { userId: "u-1", points: 100, occurredAt: "2026-01-04T00:00:00.000Z", expiresAt: "2026-01-14T00:00:00.000Z" });
  t.like(events[2]?.detail, { userId: "u-1", points: 100, occurredAt: "2026-01-11T00:00:00.000Z", expiresAt: "2026-01-14T00:00:00.000Z" });
});

test("a publish that fails is retried from that record: what came before is not sent again", async (t) => {
  let failures = 1;
  const attempts: string[] = [];
  const { rig, events, parked, drain } = await setup(t, async (event) => {
    attempts.push(event.detail.entryId);
    if (event.detail.entryId === "USER#u-1/ORDER#o-2" && failures-- > 0) throw new Error("bus throttled");
  });
  for (const orderId of ["o-1", "o-2", "o-3"]) await rig.order({ orderId, userId: "u-1", amount: 1_000 });
  await drain();
  t.deepEqual(events.map((event) => event.detail.entryId).slice(0, 3), ["USER#u-1/ORDER#o-1", "USER#u-1/ORDER#o-2", "USER#u-1/ORDER#o-3"]);
  t.deepEqual(attempts.slice(0, 4), ["USER#u-1/ORDER#o-1", "USER#u-1/ORDER#o-2", "USER#u-1/ORDER#o-2", "USER#u-1/ORDER#o-3"]);
  t.deepEqual(parked, []);
});

test("a record that keeps failing is parked after its attempts, and the changes after it still publish", async (t) => {
  const attempts: string[] = [];
  const { rig, parked, drain } = await setup(t, async (event) => {
    attempts.push(event.detail.entryId);
    if (event.detail.entryId === "USER#u-1/ORDER#o-2") throw new Error("bus refuses it");
  });
  for (const orderId of ["o-1", "o-2", "o-3"]) await rig.order({ orderId, userId: "u-1", amount: 1_000 });
  const events = await drain();
  t.deepEqual(
    events.map((event) => event.detail.entryId),
    ["USER#u-1/ORDER#o-1", "USER#u-1/ORDER#o-3"],
  );
  t.is(attempts.filter((id) => id === "USER#u-1/ORDER#o-2").length, 3, "three attempts, as the stack's mapping makes");
  t.is(attempts.filter((id) => id === "USER#u-1/ORDER#o-1").length, 1);
  t.is(parked.length, 1);
  t.deepEqual(parked[0]?.record.dynamodb?.Keys, { pk: { S: "USER#u-1" }, sk: { S: "ORDER#o-2" } });
  t.regex(String(parked[0]?.error), /bus refuses it/);
});

test("each customer's events keep the order of their ledger changes", async (t) => {
  const { rig, drain } = await setup(t);
  const customers = ["u-a", "u-b", "u-c"];
  // Each customer's orders one after another; the customers at the same time, interleaved.
  await Promise.all(
    customers.map(async (userId) => {
      for (let i = 0; i < 15; i++) await rig.order({ orderId: `${userId}-o${i}`, userId, amount: 1_000 + i });
    }),
  );
  const events = await drain();
  t.is(events.length, 45);
  for (const userId of customers) {
    t.deepEqual(
      events.filter((event) => "userId" in event.detail && event.detail.userId === userId).map((event) => event.detail.entryId),
      Array.from({ length: 15 }, (_, i) => `USER#${userId}/ORDER#${userId}-o${i}`),
    );
  }
});

test("an erasure publishes Points Erased once, with the points that left the books and no id in clear", async (t) => {
  const { rig, drain } = await setup(t);
  await rig.order({ orderId: "o-1", userId: "gone-1", amount: 12_000, completedAt: "2026-01-01T10:00:00.000Z" });
  const report = await rig.ledger.erasure.erase("gone-1", rig.now());
  await rig.ledger.erasure.erase("gone-1", rig.now()); // a repeat finds the tombstone: nothing new
  const erased = (await drain()).filter((event) => event.detailType === "Points Erased");
  t.is(erased.length, 1);
  t.like(erased[0]?.detail, { points: 120 });
  t.is(report.pointsRemoved, 120);
  t.false(JSON.stringify(erased).includes("gone-1"), "the id is not in the event");
});

test("a take from an empty balance, which draws from no lot, publishes Points Adjusted", async (t) => {
  const { harness, rig, parked, drain } = await setup(t);
  const adjustments = new DynamoAdjustments(harness.documents, harness.tableName, { pendingDays: 0, expiryDays: 10 });
  // Nothing to draw from: the entry's draws are an empty map, and all 5 points are owed.
  const take = await adjustments.adjust(
    "u-1",
    { adjustmentId: "adj-1", points: -5, reason: "fraudulent order", allowNegative: true },
    "admin",
    rig.now,
  );
  t.like(take, { outcome: "adjusted", entry: { direction: "take", draws: {}, toDebt: 5 } });
  const events = await drain();
  t.deepEqual(parked, [], "no record given up on");
  t.deepEqual(
    events.map((event) => [event.detailType, event.detail.entryId]),
    [["Points Adjusted", "USER#u-1/ADJUST#adj-1"]],
  );
  t.like(events[0]?.detail, { userId: "u-1", points: 5, adjustmentId: "adj-1", direction: "take", reason: "fraudulent order" });
});

test("a level's changes publish one Tier Changed each, through the stream, however many writes see them", async (t) => {
  const tiers = v.parse(TiersSchema, {
    levels: [
      { name: "Member", threshold: 0 },
      { name: "Silver", threshold: 500 },
    ],
    windowDays: 30,
  });
  const { rig, drain } = await setup(t, undefined, { pendingDays: 2, expiryDays: 0 }, tiers);
  // 600 base points, released at 01-04's midnight.
  t.deepEqual(await rig.order({ orderId: "o-1", userId: "u-1", amount: 60_000, completedAt: "2026-01-01T10:00:00.000Z" }), []);
  rig.at("2026-01-04T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-04", rig.now()), { tiers: { changes: 1 } });
  t.like(await rig.settle.settleDay("2026-01-04", rig.now()), { tiers: { changes: 0 } }, "the settle run twice");
  rig.at("2026-01-04T10:00:00.000Z");
  t.deepEqual(await rig.order({ orderId: "o-2", userId: "u-1", amount: 1_000, completedAt: "2026-01-04T10:00:00.000Z" }), []);
  const refund = { orderId: "o-1", userId: "u-1", refundId: "rf-1", amount: 20_000, refundedAt: "2026-01-05T12:00:00.000Z" };
  rig.at("2026-01-05T12:00:00.000Z");
  t.deepEqual(await rig.refund(refund), []);
  t.deepEqual(await rig.refund(refund), [], "a redelivered refund");

  const events = (await drain()).filter((event) => event.detailType === "Tier Changed");
  t.deepEqual(
    events.map((event) => [event.detail.entryId, event.detail]),
    [
      [
        "USER#u-1/TIER#2026-01-04T00:00:00.000Z#1",
        {
          entryId: "USER#u-1/TIER#2026-01-04T00:00:00.000Z#1",
          userId: "u-1",
          from: "Member",
          to: "Silver",
          direction: "up",
          effectiveAt: "2026-01-04T00:00:00.000Z",
        },
      ],
      [
        "USER#u-1/TIER#2026-01-05T12:00:00.000Z#0",
        {
          entryId: "USER#u-1/TIER#2026-01-05T12:00:00.000Z#0",
          userId: "u-1",
          from: "Silver",
          to: "Member",
          direction: "down",
          effectiveAt: "2026-01-05T12:00:00.000Z",
        },
      ],
    ],
  );
});
