/**
 * The local runtime's clock: the clock itself and the settle's schedule against a clock of the
 * test's own; then a runtime of this file's own (`npm start` with a 14-day pending period, never
 * the run's shared one, whose other users must not see the clock move), where one
 * `POST /_local/clock` moves the reader, the writer, the admin function, the redeemer, the settle,
 * the bus and the ledger's stream at once, and `DELETE /_local/clock` moves them all back; and
 * the dev stack's tiers, a customer's level rising at each release the clock passes.
 */
import test, { type ExecutionContext } from "ava";
import * as v from "valibot";
import { DAY_MS, dayOf } from "../handlers/domain/lifecycle";
import { createLocalClock, type ClockState } from "../local/clock";
import { startDailySettle } from "../local/daily-settle";
import { priced, putRewards } from "./support/local-catalogue";
import { endpointOf, launchNpmStart, onTheRunsDynamo, type LaunchedNpmStart } from "./support/npm-start";

test("the clock reads real time until set; set, it runs on from the set instant; reset, it is real time again", (t) => {
  let real = Date.parse("2026-12-03T10:00:00.000Z");
  const clock = createLocalClock(() => real);
  const moves: ClockState[] = [];
  clock.onMove((state) => moves.push(state));

  t.deepEqual(clock.state(), { now: "2026-12-03T10:00:00.000Z", pinned: false });
  real += 1_000;
  t.is(clock.now().toISOString(), "2026-12-03T10:00:01.000Z");

  t.deepEqual(clock.set(new Date("2027-01-01T12:00:00Z")), { now: "2027-01-01T12:00:00.000Z", pinned: true });
  real += 2_500;
  t.deepEqual(clock.state(), { now: "2027-01-01T12:00:02.500Z", pinned: true }, "it runs on at real time's pace");
  t.is(clock.set(new Date("2020-02-29T00:00:00Z")).now, "2020-02-29T00:00:00.000Z", "back in time too");

  t.deepEqual(clock.reset(), { now: "2026-12-03T10:00:03.500Z", pinned: false });
  t.deepEqual(
    moves.map((move) => move.now),
    ["2027-01-01T12:00:00.000Z", "2020-02-29T00:00:00.000Z", "2026-12-03T10:00:03.500Z"],
    "every move is told once, with the state after it",
  );

  t.throws(() => clock.set(new Date("not a date")), { instanceOf: RangeError });
  t.deepEqual(clock.state(), { now: "2026-12-03T10:00:03.500Z", pinned: false }, "a refused set moves nothing");
  t.is(moves.length, 3);
});

test("the daily settle runs at 00:15 UTC by the clock: moved to just before it, the settle runs then, with the schedule's input", async (t) => {
  const clock = createLocalClock();
  const inputs: unknown[] = [];
  const ran = new Promise<void>((resolve) => {
    const settle = startDailySettle(
      async (input) => {
        inputs.push(input);
        resolve();
        return [];
      },
      (error) => t.fail(String(error)),
      () => clock.now().getTime(),
    );
    clock.onMove(() => settle.reschedule());
    t.teardown(() => settle.stop());
  });
  t.deepEqual(inputs, [], "nothing runs before 00:15");
  clock.set(new Date("2027-01-01T00:14:59.800Z"));
  await ran;
  t.deepEqual(inputs, [{}]);
});

/**
 * The runtime of this file's tests: `npm start` holding points 14 days (on the run's DynamoDB Local
 * under `npm test`, with a table of its own), stopped after the last test.
 */
const PENDING_DAYS = 14;
let loop: Promise<{ run: LaunchedNpmStart; endpoint: string }> | undefined;
test.after.always(async () => {
  await (await loop?.catch(() => undefined))?.run.stop();
});
function ownLoop() {
  loop ??= (async () => {
    const run = launchNpmStart([], {
      ...onTheRunsDynamo(),
      POINTS_LIFECYCLE: JSON.stringify({ pendingDays: PENDING_DAYS, expiryDays: 0 }),
    });
    await run.waitFor("stops it cleanly");
    return { run, endpoint: endpointOf(run).endpoint };
  })();
  return loop;
}

async function call(endpoint: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${endpoint}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Reads until `done` holds of the answer (the writer and the stream work asynchronously, as in AWS). */
async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (const deadline = Date.now() + 30_000; !done(value) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/** An order (or another event of the platform's) put on the local bus with curl's request (no `Time`: the bus stamps the event). */
async function publishOrder(endpoint: string, detail: Record<string, unknown>, detailType = "Order Completed"): Promise<void> {
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: { "X-Amz-Target": "AWSEvents.PutEvents", "Content-Type": "application/x-amz-json-1.1" },
    body: JSON.stringify({ Entries: [{ Source: "otrium.ecommerce", DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  });
  if (response.status !== 200) throw new Error(`PutEvents answered ${response.status}: ${await response.text()}`);
}

/** The events of `source` the local bus has seen, as `GET /_local/events` lists them. */
const eventsOf = async (endpoint: string, source: string) =>
  v.parse(
    v.object({
      events: v.array(v.object({ "detail-type": v.string(), time: v.string(), detail: v.record(v.string(), v.unknown()) })),
    }),
    (await call(endpoint, "GET", `/_local/events?source=${source}`)).body,
  ).events;

/** The days a `POST /_local/settle` answer settled, in order. */
const daysOf = (answer: unknown) =>
  v.parse(v.object({ settled: v.array(v.object({ day: v.string() })) }), answer).settled.map(({ day }) => day);

/** Whether `iso` names an instant from `from` to an hour after it: the clock runs on from where it was set. */
const soonAfter = (iso: unknown, from: number) => {
  const at = Date.parse(String(iso));
  return at >= from && at < from + 3_600_000;
};

/**
 * A customer with an order of `euros` completed now (real time), its points pending; the clock
 * set to noon of the day after they release. Resets the clock in the test's teardown.
 */
async function pendingThenMoved(t: ExecutionContext, userId: string, euros: number) {
  const { run, endpoint } = await ownLoop();
  t.teardown(async () => {
    await fetch(`${endpoint}/_local/clock`, { method: "DELETE" });
  });
  await publishOrder(endpoint, {
    orderId: `${userId}-o-1`,
    userId,
    total: { amount: euros * 100, currency: "EUR" },
    completedAt: new Date().toISOString(),
  });
  const pending = await readUntil(
    () => call(endpoint, "GET", `/points/${userId}`),
    ({ body }) => body.pending === euros,
  );
  t.like(pending.body, { balance: 0, pending: euros }, "held for the pending period");
  const release = Date.parse(v.parse(v.object({ nextRelease: v.object({ at: v.string() }) }), pending.body).nextRelease.at);
  const setTo = release + DAY_MS / 2;
  return { run, endpoint, setTo };
}

test.serial("npm start names the clock's endpoints in its banner, and its log says when the clock moves", async (t) => {
  const { run, endpoint } = await ownLoop();
  t.teardown(async () => {
    await fetch(`${endpoint}/_local/clock`, { method: "DELETE" });
  });
  for (const method of ["GET", "POST", "DELETE"]) t.true(run.output().includes(`${method} ${endpoint}/_local/clock`), method);

  t.like(await call(endpoint, "GET", "/_local/clock"), { status: 200, body: { pinned: false } });
  t.like(await call(endpoint, "POST", "/_local/clock", { now: "2031-03-04T05:06:07Z" }), { status: 200, body: { pinned: true } });
  await run.waitFor(/local runtime: the clock is set to 2031-03-04T05:06:07\.\d{3}Z and runs on from there/, 10_000);
  const refused = await call(endpoint, "POST", "/_local/clock", { at: "2031-03-04T05:06:07Z" });
  t.like(refused, { status: 400, body: { error: { code: "bad_request" } } });
  t.regex(JSON.stringify(refused.body), /now: is required/);
  t.like(await call(endpoint, "DELETE", "/_local/clock"), { status: 200, body: { pinned: false } });
  await run.waitFor("local runtime: the clock is back to real time", 10_000);
});

test.serial(
  "one POST /_local/clock moves the reader, writer, admin function, settle, bus and stream at once; DELETE moves them back",
  async (t) => {
    const userId = "clock-ana";
    const { endpoint, setTo } = await pendingThenMoved(t, userId, 100);

    const set = await call(endpoint, "POST", "/_local/clock", { now: new Date(setTo).toISOString() });
    t.like(set, { status: 200, body: { pinned: true } });
    t.true(soonAfter(set.body.now, setTo), String(set.body.now));

    // The reader: past the pending period, the points are spendable.
    t.like((await call(endpoint, "GET", `/points/${userId}`)).body, { balance: 100, pending: 0, nextRelease: null });

    // The admin function: the adjustment is made at the clock's instant.
    const adjusted = await call(endpoint, "POST", `/admin/points/${userId}/adjustments`, {
      adjustmentId: "clock-goodwill",
      points: 5,
      reason: "Parcel arrived late",
    });
    t.is(adjusted.status, 201, JSON.stringify(adjusted.body));
    t.true(soonAfter(adjusted.body.adjustedAt, setTo), String(adjusted.body.adjustedAt));

    // The bus stamps an event sent without Time by the clock; the writer records the order at the
    // clock's instant, and the ledger's stream publishes its Points Earned with that time.
    await publishOrder(endpoint, {
      orderId: `${userId}-o-2`,
      userId,
      total: { amount: 2_000, currency: "EUR" },
      completedAt: new Date(setTo).toISOString(),
    });
    const orders = (await eventsOf(endpoint, "otrium.ecommerce")).filter((event) => event.detail.orderId === `${userId}-o-2`);
    t.is(orders.length, 1);
    t.true(soonAfter(orders[0]?.time, setTo - 1_000), String(orders[0]?.time));
    const earned = await readUntil(
      async () =>
        (await eventsOf(endpoint, "otrium.loyalty")).filter(
          (event) => event["detail-type"] === "Points Earned" && event.detail.orderId === `${userId}-o-2`,
        ),
      (found) => found.length > 0,
    );
    t.is(earned.length, 1, "the second order's points were earned");
    t.true(soonAfter(earned[0]?.time, setTo - 1_000), String(earned[0]?.time));
    // Its points are pending from the clock's instant: 14 days from the moved day.
    t.like((await call(endpoint, "GET", `/points/${userId}`)).body, { balance: 105, pending: 20 });

    // The settle: with no body, the schedule's run settles the clock's today and the two days before.
    const settled = await call(endpoint, "POST", "/_local/settle");
    t.is(settled.status, 200);
    t.deepEqual(
      daysOf(settled.body),
      [2, 1, 0].map((daysBack) => dayOf(setTo - daysBack * DAY_MS)),
    );

    // Back to real time: every part reads it again, and what was written at the moved instant stays.
    t.like(await call(endpoint, "DELETE", "/_local/clock"), { status: 200, body: { pinned: false } });
    t.like((await call(endpoint, "GET", `/points/${userId}`)).body, { balance: 5, pending: 120 });
    t.is(daysOf((await call(endpoint, "POST", "/_local/settle")).body).at(-1), dayOf(Date.now()));
  },
);

test.serial(
  "the redeemer spends at the clock's instant: refused while the points are pending, spent once the clock passes their release",
  async (t) => {
    const userId = "clock-ben";
    const { endpoint, setTo } = await pendingThenMoved(t, userId, 50);
    await putRewards(endpoint, { "clock-30": priced(30) });
    const redemption = { redemptionId: "clock-r-1", rewardId: "clock-30" };

    const early = await call(endpoint, "POST", `/points/${userId}/redemptions`, redemption);
    t.is(early.status, 409, JSON.stringify(early.body));
    t.like(early.body, { error: { code: "insufficient_points", balance: 0 } });

    await call(endpoint, "POST", "/_local/clock", { now: new Date(setTo).toISOString() });
    const spent = await call(endpoint, "POST", `/points/${userId}/redemptions`, redemption);
    t.is(spent.status, 201, JSON.stringify(spent.body));
    t.like(spent.body, { points: 30, balance: 20 });
    t.true(soonAfter(spent.body.redeemedAt, setTo), String(spent.body.redeemedAt));
  },
);

test.serial(
  "tiers through npm start with the dev stack's TIERS: Silver, then Gold, at each release the clock passes; a refund of the order that reached Gold takes it back; a period's end kept, then lowered; each change told once",
  async (t) => {
    const userId = "clock-tia";
    const { endpoint, setTo } = await pendingThenMoved(t, userId, 600);
    const tierOf = async () => (await call(endpoint, "GET", `/points/${userId}`)).body.tier;
    t.like(await tierOf(), { name: "Member", since: null, qualifyingPoints: 0 }, "pending points qualify for nothing");
    t.regex(
      (await ownLoop()).run.output(),
      /\n {2}tiers {25}Member 0, Silver 500 ×1\.25, Gold 1,500 ×1\.5; qualifying points over 365 days {3}\(TIERS='.*' npm start changes them\)\n/,
      "the banner names the tiers the runtime holds",
    );

    // Past the release: Silver from its midnight, kept a year (the dev stack's 365 days).
    const silverSince = setTo - DAY_MS / 2;
    const iso = (instant: number) => new Date(instant).toISOString();
    await call(endpoint, "POST", "/_local/clock", { now: iso(setTo) });
    const silver = {
      name: "Silver",
      since: iso(silverSince),
      until: iso(silverSince + 365 * DAY_MS),
      qualifyingPoints: 600,
      next: { name: "Gold", pointsNeeded: 900 },
    };
    t.like(await tierOf(), silver);

    // An order completed now earns at Silver: 1,000 × 1.25.
    await publishOrder(endpoint, {
      orderId: `${userId}-o-2`,
      userId,
      total: { amount: 100_000, currency: "EUR" },
      completedAt: iso(setTo),
    });
    const credited = await readUntil(
      () => call(endpoint, "GET", `/points/${userId}`),
      ({ body }) => body.lifetimeEarned !== 600,
    );
    t.like(credited.body, { lifetimeEarned: 1_850, tier: silver });

    // Past its release: Gold, the top level.
    const goldSince = Date.parse(v.parse(v.object({ nextRelease: v.object({ at: v.string() }) }), credited.body).nextRelease.at);
    await call(endpoint, "POST", "/_local/clock", { now: iso(goldSince + DAY_MS / 2) });
    t.deepEqual(await tierOf(), {
      name: "Gold",
      since: iso(goldSince),
      until: iso(goldSince + 365 * DAY_MS),
      qualifyingPoints: 1_600,
      next: null,
      pointsToKeep: 1_500,
    });

    // 200 EUR of the order that reached Gold refunded: 1,400 no longer reach it; Silver as it was.
    await publishOrder(
      endpoint,
      {
        orderId: `${userId}-o-2`,
        userId,
        refundId: `${userId}-r-1`,
        refund: { amount: 20_000, currency: "EUR" },
        refundedAt: iso(goldSince + DAY_MS / 2),
      },
      "Order Refunded",
    );
    const refunded = await readUntil(tierOf, (tier) => v.is(v.object({ name: v.literal("Silver") }), tier));
    t.deepEqual(refunded, {
      ...silver,
      qualifyingPoints: 1_400,
      next: { name: "Gold", pointsNeeded: 100 },
      // The second order's day leaves the window at Silver's `until`, to the instant: nothing keeps it then.
      pointsToKeep: 500,
    });

    // An order 20 days before Silver's end, released before it (14 pending days): its 600 base points keep Silver at
    // the period's end (a new period from there), and have left the window at the next end (Member).
    const silverUntil = silverSince + 365 * DAY_MS;
    const thirdAt = silverUntil - 20 * DAY_MS;
    await call(endpoint, "POST", "/_local/clock", { now: iso(thirdAt) });
    // Delivered twice, as EventBridge may: credited once.
    for (let delivery = 0; delivery < 2; delivery++)
      await publishOrder(endpoint, {
        orderId: `${userId}-o-3`,
        userId,
        total: { amount: 60_000, currency: "EUR" },
        completedAt: iso(thirdAt),
      });
    // Earned at Silver: 600 × 1.25 (lifetimeEarned counts what was earned; a refund does not lower it).
    const third = await readUntil(
      () => call(endpoint, "GET", `/points/${userId}`),
      ({ body }) => body.lifetimeEarned === 1_850 + 750,
    );
    t.like(third.body, { lifetimeEarned: 2_600 });
    await call(endpoint, "POST", "/_local/clock", { now: iso(silverUntil + DAY_MS / 2) });
    t.like(
      await tierOf(),
      { name: "Silver", since: iso(silverUntil), until: iso(silverUntil + 365 * DAY_MS), qualifyingPoints: 600 },
      "kept",
    );
    // The settle visits each period's end through its index; run twice, it tells nothing twice.
    const settleDay = async (day: number) => call(endpoint, "POST", "/_local/settle", { days: [dayOf(day)] });
    await settleDay(silverUntil);
    await settleDay(silverUntil);
    await call(endpoint, "POST", "/_local/clock", { now: iso(silverUntil + 365 * DAY_MS + DAY_MS / 2) });
    t.like(await tierOf(), { name: "Member", since: iso(silverUntil + 365 * DAY_MS), until: null, qualifyingPoints: 0 }, "lowered");
    await settleDay(silverUntil + 365 * DAY_MS);
    await settleDay(silverUntil + 365 * DAY_MS);

    // Each change told once on the local bus, effective when it happened: the two rises at their
    // release midnights, Gold taken back when the refund was written (the clock ran on from where
    // it was set), Silver lowered at its second period's end.
    const told = await readUntil(
      async () =>
        (await eventsOf(endpoint, "otrium.loyalty")).filter(
          (event) => event.detail.userId === userId && event["detail-type"] === "Tier Changed",
        ),
      (events) => events.length >= 4,
    );
    const changes = told
      .map(({ detail }) => ({ from: detail.from, to: detail.to, direction: detail.direction, effectiveAt: String(detail.effectiveAt) }))
      .sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt));
    t.deepEqual(
      changes.map(({ from, to, direction }) => [from, to, direction]),
      [
        ["Member", "Silver", "up"],
        ["Silver", "Gold", "up"],
        ["Gold", "Silver", "down"],
        ["Silver", "Member", "down"],
      ],
    );
    t.is(changes[0]?.effectiveAt, iso(silverSince));
    t.is(changes[1]?.effectiveAt, iso(goldSince));
    t.true(soonAfter(changes[2]?.effectiveAt, goldSince + DAY_MS / 2), changes[2]?.effectiveAt);
    t.is(changes[3]?.effectiveAt, iso(silverUntil + 365 * DAY_MS));
    // The third order's second delivery, long processed, changed nothing.
    t.like((await call(endpoint, "GET", `/points/${userId}`)).body, { lifetimeEarned: 2_600 });
  },
);
