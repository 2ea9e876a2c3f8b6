/**
 * `GET /points/{userId}`'s `tier`, through the reader's route on a real DynamoDB (DynamoDB Local),
 * the writer with tiers in front of it and one clock the test moves: exact at the read's instant
 * from the balance item's one `GetItem`, with nothing written between the writes and the reads.
 */
import test from "ava";
import type { APIGatewayProxyResult } from "aws-lambda";
import * as v from "valibot";
import { type Tiers, TiersSchema } from "../handlers/domain/tier-settings";
import { TierAnswerSchema } from "../handlers/reader/answers";
import { createReadApi } from "../handlers/reader/read-api";
import { createLogger } from "../handlers/runtime/log";
import { balanceRequest } from "./support/api-events";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { otriumTiers } from "./support/otrium-tiers";

const dynamo = useDynamoLocal();

/** Otrium's levels, as dev and prod carry them. */
const TIERS = otriumTiers();

/** Points pending for 14 days (the return window), then spendable for a year. */
const LIFECYCLE = { pendingDays: 14, expiryDays: 365 };

/**
 * The writer and the reader over one table and one clock; `read(userId, instant)` moves the clock and reads, as the customer.
 * `readerTiers`: the reader deployed with other tiers than the writer that wrote the items.
 */
async function setup(readerTiers: Tiers = TIERS) {
  const harness = await createHarness(dynamo);
  const rig = createLifecycleRig(harness, LIFECYCLE, "2026-03-01T10:00:00.000Z", { tiers: TIERS });
  const reader = readerTiers === TIERS ? rig : createLifecycleRig(harness, LIFECYCLE, "2026-03-01T10:00:00.000Z", { tiers: readerTiers });
  const api = createReadApi({
    ledger: reader.ledger,
    rewards: harness.catalogue,
    logger: createLogger("error", () => {}),
    allowedOrigins: [],
    now: rig.now,
  });
  const read = async (userId: string, instant: string) => {
    rig.at(instant);
    harness.requests.length = 0;
    const response: APIGatewayProxyResult = await api(balanceRequest(userId, { claims: { sub: userId } }));
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown>, requests: [...harness.requests] };
  };
  const tierAt = async (userId: string, instant: string) => (await read(userId, instant)).body.tier;
  /** An order completed now, credited now. */
  const order = async (userId: string, orderId: string, amount: number) => {
    const completedAt = rig.now().toISOString();
    return rig.order({ orderId, userId, amount, completedAt });
  };
  const refund = (userId: string, orderId: string, refundId: string, amount: number) =>
    rig.refund({ orderId, userId, refundId, amount, refundedAt: rig.now().toISOString() });
  return { rig, read, tierAt, order, refund };
}

test("a customer never seen holds the first level from the start, and the read is one GetItem", async (t) => {
  const { read } = await setup();
  const { status, body, requests } = await read("nobody", "2026-03-01T10:00:00.000Z");
  t.is(status, 200);
  t.deepEqual(body.tier, {
    name: "Member",
    since: null,
    until: null,
    qualifyingPoints: 0,
    next: { name: "Silver", pointsNeeded: 500 },
    pointsToKeep: 0,
  });
  t.deepEqual(requests, ["GetItem"]);
});

test("the level rises at the release midnight, not at the order; every read is one GetItem", async (t) => {
  const { read, order } = await setup();
  t.deepEqual(await order("u-1", "o-1", 60_000), []); // 600 base points, released 2026-03-16

  const atOrder = await read("u-1", "2026-03-01T10:00:00.000Z");
  t.like(atOrder.body, { balance: 0, pending: 600 });
  t.like(atOrder.body.tier, { name: "Member", since: null, qualifyingPoints: 0, next: { name: "Silver", pointsNeeded: 500 } });
  const justBefore = await read("u-1", "2026-03-15T23:59:59.999Z");
  t.like(justBefore.body.tier, { name: "Member", qualifyingPoints: 0 });
  const atRelease = await read("u-1", "2026-03-16T00:00:00.000Z");
  t.like(atRelease.body, { balance: 600, pending: 0 });
  t.deepEqual(atRelease.body.tier, {
    name: "Silver",
    since: "2026-03-16T00:00:00.000Z",
    until: "2027-03-16T00:00:00.000Z",
    qualifyingPoints: 600,
    next: { name: "Gold", pointsNeeded: 900 },
    // o-1's day leaves the window on 2027-03-01, before `until`: nothing of it keeps Silver then.
    pointsToKeep: 500,
  });
  for (const { requests } of [atOrder, justBefore, atRelease]) t.deepEqual(requests, ["GetItem"]);
});

test("climbing to Gold (next: null at the top), and a refund of the promoting order taking Gold back", async (t) => {
  const { rig, read, tierAt, order, refund } = await setup();
  t.deepEqual(await order("u-1", "o-1", 60_000), []); // 600, released 2026-03-16: Silver
  rig.at("2026-03-20T10:00:00.000Z");
  t.deepEqual(await order("u-1", "o-2", 100_000), []); // 1,000 base at Silver: earns 1,250, released 2026-04-04

  t.like(await tierAt("u-1", "2026-04-03T23:59:59.999Z"), {
    name: "Silver",
    qualifyingPoints: 600,
    next: { name: "Gold", pointsNeeded: 900 },
  });
  const gold = await read("u-1", "2026-04-04T00:00:00.000Z");
  t.like(gold.body, { balance: 1850, lifetimeEarned: 1850 });
  t.deepEqual(gold.body.tier, {
    name: "Gold",
    since: "2026-04-04T00:00:00.000Z",
    until: "2027-04-04T00:00:00.000Z",
    qualifyingPoints: 1600,
    next: null,
    // Both orders' days leave the window before 2027-04-04.
    pointsToKeep: 1500,
  });
  t.deepEqual(gold.requests, ["GetItem"]);

  // 50 of o-2's base points refunded: 1,550 still reach Gold.
  rig.at("2026-04-10T10:00:00.000Z");
  t.deepEqual(await refund("u-1", "o-2", "r-1", 5_000), []);
  t.like(await tierAt("u-1", "2026-04-10T10:00:00.000Z"), { name: "Gold", qualifyingPoints: 1550, since: "2026-04-04T00:00:00.000Z" });
  // 60 more: 1,490, below Gold, which o-2 reached: Silver again, as it was.
  t.deepEqual(await refund("u-1", "o-2", "r-2", 6_000), []);
  const back = await read("u-1", "2026-04-10T10:00:00.000Z");
  t.deepEqual(back.body.tier, {
    name: "Silver",
    since: "2026-03-16T00:00:00.000Z",
    until: "2027-03-16T00:00:00.000Z",
    qualifyingPoints: 1490,
    next: { name: "Gold", pointsNeeded: 10 },
    // o-2's day is still in the window on 2027-03-16: its 890 keep Silver then.
    pointsToKeep: 0,
  });
  // Each refund reversed at o-2's ×1.25: 62 and 75 points.
  t.like(back.body, { balance: 1850 - 62 - 75 });
  t.deepEqual(back.requests, ["GetItem"]);
});

test("at `until` the level is kept for a new period when the window still reaches it, else lowered", async (t) => {
  const { rig, read, tierAt, order } = await setup();
  t.deepEqual(await order("kept", "o-1", 160_000), []); // 1,600: Gold from 2026-03-16
  t.deepEqual(await order("lowered", "o-1", 160_000), []);
  rig.at("2026-12-01T10:00:00.000Z");
  t.deepEqual(await order("kept", "o-2", 150_000), []); // 1,500 at Gold: earns 2,250
  t.deepEqual(await order("lowered", "o-2", 70_000), []);

  // o-1's day left the window on 2027-03-01; Gold holds until its period ends.
  t.like(await tierAt("kept", "2027-03-15T23:59:59.999Z"), {
    name: "Gold",
    since: "2026-03-16T00:00:00.000Z",
    qualifyingPoints: 1500,
    pointsToKeep: 0,
  });
  t.like(await tierAt("lowered", "2027-03-15T23:59:59.999Z"), { name: "Gold", qualifyingPoints: 700, pointsToKeep: 800 });

  const kept = await read("kept", "2027-03-16T00:00:00.000Z");
  t.deepEqual(kept.body.tier, {
    name: "Gold",
    since: "2027-03-16T00:00:00.000Z",
    until: "2028-03-15T00:00:00.000Z",
    qualifyingPoints: 1500,
    next: null,
    pointsToKeep: 1500,
  });
  const lowered = await read("lowered", "2027-03-16T00:00:00.000Z");
  t.deepEqual(lowered.body.tier, {
    name: "Silver",
    since: "2027-03-16T00:00:00.000Z",
    until: "2028-03-15T00:00:00.000Z",
    qualifyingPoints: 700,
    next: { name: "Gold", pointsNeeded: 800 },
    pointsToKeep: 500,
  });
  t.deepEqual([kept.requests, lowered.requests], [["GetItem"], ["GetItem"]]);
  // Long after o-2's day left the window (2027-12-01), Silver is held to its period's end: 365 days
  // from 2027-03-16 is 2028-03-15 (2028 has a 29 February).
  t.like(await tierAt("lowered", "2028-03-14T23:59:59.999Z"), { name: "Silver", qualifyingPoints: 0 });
  t.like(await tierAt("lowered", "2028-03-15T00:00:00.000Z"), { name: "Member", since: "2028-03-15T00:00:00.000Z", until: null });
});

test("a reader whose clock is behind the latest tier write answers as of that write, not an error", async (t) => {
  const { rig, read, order } = await setup();
  t.deepEqual(await order("u-1", "o-1", 60_000), []);
  rig.at("2026-03-20T10:00:00.000Z");
  t.deepEqual(await order("u-1", "o-2", 10_000), []);
  // A reader a day behind the writer that credited o-2.
  const behind = await read("u-1", "2026-03-19T10:00:00.000Z");
  t.is(behind.status, 200);
  t.like(behind.body, { balance: 600, pending: 125 });
  t.deepEqual(behind.body.tier, {
    name: "Silver",
    since: "2026-03-16T00:00:00.000Z",
    until: "2027-03-16T00:00:00.000Z",
    qualifyingPoints: 600,
    next: { name: "Gold", pointsNeeded: 900 },
    // o-2's 100 will still be in the window on 2027-03-16.
    pointsToKeep: 400,
  });
});

test("a reader deployed with other TIERS than the items were written with answers a tier of its own levels, as the API document describes it", async (t) => {
  const member = { name: "Member", threshold: 0 };
  const silver = { name: "Silver", threshold: 500, multiplier: 1.25 };
  // Gold removed: a Gold customer holds the highest level left.
  const withoutGold = await setup(v.parse(TiersSchema, { levels: [member, silver] }));
  t.deepEqual(await withoutGold.order("u-1", "o-1", 160_000), []); // 1,600, released 2026-03-16: Gold
  withoutGold.rig.at("2026-03-20T10:00:00.000Z");
  t.deepEqual(await withoutGold.order("u-1", "o-2", 1_000), []); // written as Gold
  const gold = await withoutGold.read("u-1", "2026-03-21T10:00:00.000Z");
  t.is(gold.status, 200);
  t.true(v.is(TierAnswerSchema, gold.body.tier));
  t.like(gold.body.tier, { name: "Silver", since: "2026-03-16T00:00:00.000Z", next: null });

  // Silver lowered to 300: a Member with 400 holds it from the latest write on.
  const lowered = await setup(v.parse(TiersSchema, { levels: [member, { ...silver, threshold: 300 }] }));
  t.deepEqual(await lowered.order("u-1", "o-1", 40_000), []); // 400, released 2026-03-16
  lowered.rig.at("2026-03-20T10:00:00.000Z");
  t.deepEqual(await lowered.order("u-1", "o-2", 1_000), []); // written as a Member
  const reached = await lowered.read("u-1", "2026-03-21T10:00:00.000Z");
  t.is(reached.status, 200);
  t.true(v.is(TierAnswerSchema, reached.body.tier));
  t.like(reached.body.tier, { name: "Silver", since: "2026-03-20T10:00:00.000Z", qualifyingPoints: 400, next: null });
});
