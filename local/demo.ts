/**
 * `npm run demo`: with the local runtime running (`npm start`), publishes a few realistic orders
 * and a refund through the real EventBridge client, waits until the writer has applied every one
 * of them, spends some points, grants some as customer service's backend would, then prints the
 * balances and histories the API serves.
 * Each run uses new order ids, so it can run again: balances grow by the same amounts.
 *
 * Then the points lifecycle, for a customer of this run alone: four orders dated days back, so
 * that with a lifecycle (`POINTS_LIFECYCLE='{"pendingDays":2,"expiryDays":3}' EXPIRING_SOON_DAYS=2
 * npm start`) one lot has expired (its order lands after its expiry, so it expires in its own
 * write), one is spendable, one is pending, and one is released early by its return window
 * closing; then the settle runs (it warns nobody: the demo's orders are all credited now, within
 * their warning period, and a backfill's `Points Earned` already says when its points expire),
 * the history shows the expiry, and the local bus the customer's points events. Then the clock
 * (`/_local/clock`): another customer's order pending now, the clock moved past its release (every
 * handler reads the moved instant: the points are spendable), and moved back (pending again).
 * Then a reward's window: refused before it opens, redeemed with the clock inside it, refused
 * again with the clock past it.
 * Last, the tiers (the dev stack's: Silver from 500, Gold from 1,500): a customer climbing to Gold
 * with the clock moved past each order's release, and a refund of the order that reached Gold
 * taking it back, the tier the API answers printed at each step, and the Tier Changed events told.
 * Whatever the runtime's lifecycle, it prints what the API answers.
 */
import "../cli/quiet-sdk-warning";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { DAY_MS } from "../handlers/domain/lifecycle";
import { POINTS_DETAIL_TYPES, POINTS_EVENT_SOURCE } from "../handlers/domain/points-events";
import { LOCAL_AWS } from "./dynamo-local";
import type { ClockState } from "./clock";
import type { TierAnswer } from "../handlers/domain/tier-answer";
import type { EventEnvelope } from "./event-log";

const endpoint = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const run = Date.now().toString(36);
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

const orders = [
  { orderId: `${run}-1`, userId: "demo-anna", total: { amount: 8_950, currency: "EUR" }, completedAt: at(50) },
  { orderId: `${run}-2`, userId: "demo-anna", total: { amount: 24_999, currency: "EUR" }, completedAt: at(40) },
  { orderId: `${run}-3`, userId: "demo-ben", total: { amount: 15_000, currency: "GBP" }, completedAt: at(30) },
  { orderId: `${run}-4`, userId: "demo-ben", total: { amount: 129_900, currency: "SEK" }, completedAt: at(20) },
];
const refund = {
  orderId: `${run}-2`,
  userId: "demo-anna",
  refundId: `${run}-r1`,
  refund: { amount: 10_000, currency: "EUR" },
  refundedAt: at(5),
};
/** What the events add to each balance with the dev stack's rules (EUR 1, GBP 1.25, SEK 0.1). */
const added = new Map([
  ["demo-anna", 89 + 249 - 100],
  ["demo-ben", 187 + 129],
]);
const redemption = { redemptionId: `${run}-voucher`, points: 50, rewardId: "voucher-5-eur" };

interface Milestone {
  points: number;
  at: string;
}

interface Balance {
  balance: number;
  pending: number;
  lifetimeEarned: number;
  nextRelease: Milestone | null;
  nextExpiry: Milestone | null;
  /** Only when the runtime has tiers. */
  tier?: TierAnswer;
}

interface HistoryItem {
  type: string;
  orderId?: string;
  points: number;
  availableAt?: string | null;
  expiresAt?: string | null;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(`${endpoint}${url}`);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function publish(entries: Array<{ DetailType: string; Detail: Record<string, unknown> }>): Promise<void> {
  const events = new EventBridgeClient({ ...LOCAL_AWS, endpoint });
  try {
    const result = await events.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          Source: DEFAULT_EVENT_SOURCE,
          DetailType: entry.DetailType,
          Detail: JSON.stringify(entry.Detail),
        })),
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents refused entries: ${JSON.stringify(result.Entries)}`);
  } finally {
    events.destroy();
  }
}

/** Polls `read` until `done` holds of what it returns (the writer applies events asynchronously). */
async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 30 s (npm run local:dlq shows failed events)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const describeMilestone = (milestone: Milestone | null) => (milestone ? `${milestone.points} on ${milestone.at.slice(0, 10)}` : "none");
const summary = (userId: string, b: Balance) =>
  `${userId}: balance ${b.balance}, pending ${b.pending}, lifetimeEarned ${b.lifetimeEarned}; next release ${describeMilestone(b.nextRelease)}, next expiry ${describeMilestone(b.nextExpiry)}`;

/** Pending, early release, expiry and the settle, for a customer of this run alone. */
async function lifecycle(): Promise<void> {
  const userId = `demo-cleo-${run}`;
  const today = Date.now() - (Date.now() % DAY_MS);
  const noonDaysAgo = (days: number) => new Date(today - days * DAY_MS + 12 * 3600_000).toISOString();
  const order = (n: number, euros: number, daysAgo: number) => ({
    orderId: `${run}-life-${n}`,
    userId,
    total: { amount: euros * 100, currency: "EUR" },
    completedAt: noonDaysAgo(daysAgo),
  });
  const early = order(4, 30, 2);
  const lots = [order(1, 20, 8), order(2, 40, 4), order(3, 60, 1), early];
  console.log(`\n— The points lifecycle, for ${userId}: orders of 20, 40, 60 and 30 EUR completed 8, 4, 1 and 2 days ago`);
  await publish(lots.map((detail) => ({ DetailType: DETAIL_TYPES.orderCompleted, Detail: detail })));
  const earned = await waitFor(
    "crediting the lifecycle orders",
    () => getJson<Balance>(`/points/${userId}`),
    (b) => b.lifetimeEarned === 150,
  );
  console.log(summary(userId, earned));
  if (earned.pending === 0 && earned.nextExpiry === null) {
    console.log(`Every point is spendable at once and none expires: the runtime runs the dev stack's lifecycle.
Stop it and start it with POINTS_LIFECYCLE='{"pendingDays":2,"expiryDays":3}' EXPIRING_SOON_DAYS=2 npm start to see points pending, released and expiring.`);
    return;
  }

  const closedAt = noonDaysAgo(1);
  await publish([{ DetailType: DETAIL_TYPES.returnWindowClosed, Detail: { orderId: early.orderId, userId, closedAt } }]);
  const released = (items: HistoryItem[]) => {
    const earn = items.find((item) => item.type === "earn" && item.orderId === early.orderId);
    return (
      earn !== undefined && (earn.availableAt === null || earn.availableAt === undefined || Date.parse(earn.availableAt) <= Date.now())
    );
  };
  await waitFor(
    "the early release",
    async () => (await getJson<{ items: HistoryItem[] }>(`/points/${userId}/history?limit=10`)).items,
    released,
  );
  console.log(
    `\nthe return window of ${early.orderId} (30 EUR) closed ${closedAt.slice(0, 10)}: its lot releases at the next UTC midnight, if that is earlier`,
  );
  console.log(summary(userId, await getJson<Balance>(`/points/${userId}`)));

  // The schedule's run, now: it warns nobody (every order here was credited within its warning
  // period), and the order that landed after its lot expired wrote its own expiry.
  const settled = await fetch(`${endpoint}/_local/settle`, { method: "POST" });
  if (!settled.ok) throw new Error(`POST /_local/settle answered ${settled.status}: ${await settled.text()}`);
  console.log(`\nPOST /_local/settle (the daily schedule's run: today and the two days before) → ${settled.status}`);
  const reports = ((await settled.json()) as { settled: Array<{ expiringSoon: { expiresDay: string | null } }> }).settled;
  console.log(JSON.stringify({ settled: reports }, null, 2));
  console.log(`GET /points/${userId}/history?limit=10`);
  console.log(JSON.stringify(await getJson(`/points/${userId}/history?limit=10`), null, 2));
  // The expiry entry and the settle's warning leave through the ledger's stream, like every change.
  const published = await waitFor(
    "the customer's events on the local bus",
    () => customerEvents(userId),
    (events) =>
      events.some((event) => event["detail-type"] === POINTS_DETAIL_TYPES.expired) &&
      events.some((event) => event["detail-type"] === POINTS_DETAIL_TYPES.released),
  );
  console.log(`\nGET /_local/events?source=${POINTS_EVENT_SOURCE}, ${userId}'s: ${published.map(describeEvent).join(", ")}`);

  await clockMoves();
}

/** `POST /_local/clock` to `now`, or `DELETE /_local/clock` (back to real time) without it. */
async function moveClock(now?: string): Promise<ClockState> {
  const response = await fetch(
    `${endpoint}/_local/clock`,
    now === undefined ? { method: "DELETE" } : { method: "POST", body: JSON.stringify({ now }) },
  );
  if (!response.ok)
    throw new Error(`${now === undefined ? "DELETE" : "POST"} /_local/clock answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ClockState;
}

/**
 * The points lifecycle without waiting: an order pending now, the clock moved past the lot's next
 * milestone (its release; its expiry when nothing is pending), then moved back to where it was.
 * The move writes nothing: the reader computes what is spendable at the instant it reads.
 */
async function clockMoves(): Promise<void> {
  const userId = `demo-dora-${run}`;
  const before = await getJson<ClockState>("/_local/clock");
  const readAt = Date.now();
  await publish([
    {
      DetailType: DETAIL_TYPES.orderCompleted,
      Detail: { orderId: `${run}-clock-1`, userId, total: { amount: 5_000, currency: "EUR" }, completedAt: before.now },
    },
  ]);
  const credited = await waitFor(
    "crediting the clock's order",
    () => getJson<Balance>(`/points/${userId}`),
    (b) => b.lifetimeEarned === 50,
  );
  console.log(`\n— The clock (POST /_local/clock), for ${userId}: an order of 50 EUR completed now`);
  console.log(summary(userId, credited));
  const [milestone, passed] = credited.nextRelease ? [credited.nextRelease, "release"] : [credited.nextExpiry, "expiry"];
  if (milestone === null) return;
  // Noon of the milestone's day: well past its midnight, whatever the time zone of the reader.
  const to = new Date(Date.parse(milestone.at) + DAY_MS / 2).toISOString();
  try {
    console.log(
      `POST /_local/clock {"now":"${to}"} → ${JSON.stringify(await moveClock(to))}: past the ${passed}, for every handler at once`,
    );
    console.log(summary(userId, await getJson<Balance>(`/points/${userId}`)));
  } finally {
    // Back where it was: real time, or the instant it was set to, run on since.
    const back = before.pinned ? new Date(Date.parse(before.now) + Date.now() - readAt).toISOString() : undefined;
    console.log(`${back ? "POST" : "DELETE"} /_local/clock → ${JSON.stringify(await moveClock(back))}: back where it was`);
  }
  console.log(summary(userId, await getJson<Balance>(`/points/${userId}`)));
}

/** POSTs `body` as JSON to `route` and prints the route, the status and the answer. */
async function postJson(route: string, body: unknown, label = `POST ${route}`): Promise<number> {
  const response = await fetch(`${endpoint}${route}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  console.log(`${label} → ${response.status} ${JSON.stringify(await response.json())}`);
  return response.status;
}

/**
 * A reward whose window opens tomorrow and closes the day after: refused now, redeemed with the
 * clock moved into the window, refused again with the clock past it; then the clock goes back.
 * Its customer's points are a goodwill grant, spendable at once whatever the runtime's lifecycle.
 */
async function rewardWindow(): Promise<void> {
  const userId = `demo-eve-${run}`;
  const rewardId = `${run}-free-shipping`;
  const before = await getJson<ClockState>("/_local/clock");
  const readAt = Date.parse(before.now);
  const activeFrom = new Date(readAt + DAY_MS).toISOString();
  const activeUntil = new Date(readAt + 2 * DAY_MS).toISOString();
  console.log(`\n— A reward's window, for ${userId}: free shipping for 10 points, from ${activeFrom} until ${activeUntil}`);
  const put = await fetch(`${endpoint}/rewards/${rewardId}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ title: "Free shipping", pointsCost: 10, kind: "free_shipping", activeFrom, activeUntil }),
  });
  console.log(`PUT /rewards/${rewardId} → ${put.status}`);
  await postJson(`/admin/points/${userId}/adjustments`, { adjustmentId: `${run}-welcome`, points: 25, reason: "Welcome gift" });
  const redeem = (n: number, when: string) =>
    postJson(
      `/points/${userId}/redemptions`,
      { redemptionId: `${run}-ship-${n}`, rewardId },
      `POST /points/${userId}/redemptions (${when})`,
    );
  const realNow = Date.now();
  try {
    await redeem(1, "before the window");
    const inside = new Date(readAt + (3 * DAY_MS) / 2).toISOString();
    console.log(`POST /_local/clock {"now":"${inside}"} → ${JSON.stringify(await moveClock(inside))}: inside the window`);
    await redeem(2, "inside the window");
    const after = new Date(readAt + (5 * DAY_MS) / 2).toISOString();
    console.log(`POST /_local/clock {"now":"${after}"} → ${JSON.stringify(await moveClock(after))}: past the window`);
    await redeem(3, "after the window");
  } finally {
    const back = before.pinned ? new Date(readAt + Date.now() - realNow).toISOString() : undefined;
    console.log(`${back ? "POST" : "DELETE"} /_local/clock → ${JSON.stringify(await moveClock(back))}: back where it was`);
  }
}

/** The points events on the local bus that are `userId`'s. */
const customerEvents = async (userId: string): Promise<EventEnvelope[]> =>
  (await getJson<{ events: EventEnvelope[] }>(`/_local/events?source=${POINTS_EVENT_SOURCE}`)).events.filter(
    (event) => event.detail.userId === userId,
  );

/** An event in a few words: its type and its points, or the levels a tier event names. */
function describeEvent(event: EventEnvelope): string {
  const { detail } = event;
  if (event["detail-type"] === POINTS_DETAIL_TYPES.tierChanged)
    return `${event["detail-type"]} ${String(detail.from)} → ${String(detail.to)} (${String(detail.direction)}, effective ${String(detail.effectiveAt).slice(0, 10)})`;
  if (event["detail-type"] === POINTS_DETAIL_TYPES.tierExpiringSoon)
    return `${event["detail-type"]} ${String(detail.tier)} (${String(detail.pointsToKeep)} to keep it by ${String(detail.until).slice(0, 10)})`;
  return `${event["detail-type"]} ${String(detail.points)}`;
}

const describeTier = (userId: string, tier: TierAnswer) =>
  `${userId}: tier ${tier.name}${tier.since ? ` since ${tier.since.slice(0, 10)}` : ""}${tier.until ? ` until ${tier.until.slice(0, 10)}` : ""}` +
  `, qualifying ${tier.qualifyingPoints}, ${tier.next ? `next ${tier.next.name} in ${tier.next.pointsNeeded}` : "the top level"}` +
  (tier.until ? `, ${tier.pointsToKeep} more by ${tier.until.slice(0, 10)} to keep it` : "");

/**
 * A customer climbing to Gold and a refund taking it back, with the clock: an order of 640 EUR
 * now; the clock 35 days on, past its release (Silver); an order of 1,000 EUR then, earning at
 * Silver; the clock 35 days on again (Gold); 300 EUR of the second order refunded, which reached
 * Gold: Silver again. Then the clock goes back where it was. Levels count released points only,
 * so 35 days covers the dev stack's lifecycle and prod's 30 pending days alike.
 */
async function tiers(): Promise<void> {
  const userId = `demo-gia-${run}`;
  const before = await getJson<ClockState>("/_local/clock");
  const realNow = Date.now();
  const start = Date.parse(before.now);
  const read = () => getJson<Balance>(`/points/${userId}`);
  const order = async (n: number, euros: number, completedAt: string, earnedBefore: number) => {
    await publish([
      {
        DetailType: DETAIL_TYPES.orderCompleted,
        Detail: { orderId: `${run}-tier-${n}`, userId, total: { amount: euros * 100, currency: "EUR" }, completedAt },
      },
    ]);
    return waitFor(`crediting the tier order ${n}`, read, (b) => b.lifetimeEarned > earnedBefore);
  };
  const show = (b: Balance) => {
    if (b.tier) console.log(describeTier(userId, b.tier));
    return b.tier;
  };

  console.log(`
— Tiers, for ${userId}: an order of 640 EUR completed now`);
  const first = await order(1, 640, before.now, 0);
  if (!show(first)) {
    console.log("The answer has no tier: the runtime has no tiers. Start it with TIERS, or the dev stack's tiers, to see them.");
    return;
  }
  try {
    const later = new Date(start + 35 * DAY_MS).toISOString();
    console.log(`POST /_local/clock {"now":"${later}"} → ${JSON.stringify(await moveClock(later))}: 35 days on, the order released`);
    show(await read());
    const second = await order(2, 1_000, later, first.lifetimeEarned);
    const multiplier = (second.lifetimeEarned - first.lifetimeEarned) / 1_000;
    console.log(`an order of 1,000 EUR completed now earned ${second.lifetimeEarned - first.lifetimeEarned} (×${multiplier})`);
    show(second);
    const gold = new Date(start + 70 * DAY_MS).toISOString();
    console.log(`POST /_local/clock {"now":"${gold}"} → ${JSON.stringify(await moveClock(gold))}: 35 days on, the second order released`);
    show(await read());
    const refundId = `${run}-tier-r1`;
    await publish([
      {
        DetailType: DETAIL_TYPES.orderRefunded,
        Detail: { orderId: `${run}-tier-2`, userId, refundId, refund: { amount: 30_000, currency: "EUR" }, refundedAt: gold },
      },
    ]);
    await waitFor(
      "the tier refund",
      async () => (await getJson<{ items: Array<HistoryItem & { refundId?: string }> }>(`/points/${userId}/history?limit=5`)).items,
      (items) => items.some((item) => item.refundId === refundId),
    );
    console.log("300 EUR of the second order refunded: the order whose release reached the level");
    show(await read());
    // Each change is told once, effective when it happened, by whichever write recorded it first.
    const changes = await waitFor(
      "the customer's Tier Changed events on the local bus",
      async () => (await customerEvents(userId)).filter((event) => event["detail-type"] === POINTS_DETAIL_TYPES.tierChanged),
      (events) => events.length >= 3,
    );
    const byInstant = changes.sort((a, b) => String(a.detail.effectiveAt).localeCompare(String(b.detail.effectiveAt)));
    console.log(`GET /_local/events?source=${POINTS_EVENT_SOURCE}, ${userId}'s: ${byInstant.map(describeEvent).join(", ")}`);
  } finally {
    const back = before.pinned ? new Date(start + Date.now() - realNow).toISOString() : undefined;
    console.log(`${back ? "POST" : "DELETE"} /_local/clock → ${JSON.stringify(await moveClock(back))}: back where it was`);
  }
}

async function main(): Promise<void> {
  const before = new Map<string, number>();
  // Spendable plus pending: with a lifecycle, new points are pending at first (and cannot be spent).
  const held = (b: Balance) => b.balance + b.pending;
  for (const userId of added.keys()) before.set(userId, held(await getJson<Balance>(`/points/${userId}`)));

  const entries = [
    ...orders.map((detail) => ({ DetailType: DETAIL_TYPES.orderCompleted, Detail: detail })),
    { DetailType: DETAIL_TYPES.orderRefunded, Detail: refund },
  ];
  await publish(entries);
  console.log(`published ${entries.length} events: 4 orders and a refund`);

  for (const [userId, points] of added) {
    const expected = (before.get(userId) ?? 0) + points;
    await waitFor(
      `${userId}'s points reaching ${expected}`,
      () => getJson<Balance>(`/points/${userId}`),
      (b) => held(b) === expected,
    );
  }
  console.log("the writer applied all of them");

  // The catalogue's voucher (as the local admin): a redemption spends the price the catalogue names.
  const voucher = await fetch(`${endpoint}/rewards/${redemption.rewardId}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ title: "€5 off", pointsCost: redemption.points, kind: "voucher", value: { amount: 500, currency: "EUR" } }),
  });
  console.log(`\nPUT /rewards/${redemption.rewardId} → ${voucher.status}`);

  const spent = await fetch(`${endpoint}/points/demo-anna/redemptions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(redemption),
  });
  console.log(`\nPOST /points/demo-anna/redemptions → ${spent.status}`);
  console.log(JSON.stringify(await spent.json(), null, 2));

  // Customer service's backend, on the routes only listed IAM principals reach (SigV4 in AWS;
  // locally, a request without X-Local-Claims acts as that backend).
  const goodwill = await fetch(`${endpoint}/admin/points/demo-ben/adjustments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ adjustmentId: `${run}-goodwill`, points: 10, reason: "Parcel arrived damaged" }),
  });
  console.log(`\nPOST /admin/points/demo-ben/adjustments (customer service's backend) → ${goodwill.status}`);
  console.log(JSON.stringify(await goodwill.json(), null, 2));

  for (const userId of added.keys()) {
    console.log(`\nGET /points/${userId}`);
    console.log(JSON.stringify(await getJson(`/points/${userId}`), null, 2));
    console.log(`GET /points/${userId}/history?limit=5`);
    console.log(JSON.stringify(await getJson(`/points/${userId}/history?limit=5`), null, 2));
  }

  await lifecycle();
  await rewardWindow();
  await tiers();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = error instanceof TypeError && message === "fetch failed";
  console.error(unreachable ? `The local runtime does not answer on ${endpoint}: start it first (npm start).` : message);
  process.exit(1);
});
