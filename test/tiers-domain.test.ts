/**
 * The tier rules, worked through with Otrium's levels (Member 0, Silver 500 ×1.25, Gold 1,500
 * ×1.5, a 365-day window) and prod's lifecycle (points pending 30 days): plain domain code, the
 * state a balance item would hold, read at chosen instants.
 */
import test from "ava";
import * as v from "valibot";
import { dayOf, lotDatesFor, midnightOf } from "../handlers/domain/lifecycle";
import { type TierAnswer, tierAnswer } from "../handlers/domain/tier-answer";
import { bucketAttribute, bucketsOf, tierReleaseAfterClose, tierReleaseOf } from "../handlers/domain/tier-buckets";
import { tierChangedNotices } from "../handlers/domain/tier-notices";
import { multiplied, TiersSchema } from "../handlers/domain/tier-settings";
import {
  advance,
  creditOrder,
  heldPeriod,
  moveRelease,
  NEW_TIER_BOOK,
  refundOrder,
  type TierBook,
  TierInstantError,
} from "../handlers/domain/tier-state";
import { otriumTiers } from "./support/otrium-tiers";

const TIERS = otriumTiers();
const PROD = { pendingDays: 30, expiryDays: 365 };
const at = (text: string): number => Date.parse(text);

/** One customer's tiers as the ledger's writes would keep them. */
class Customer {
  book: TierBook = NEW_TIER_BOOK;
  readonly orders = new Map<string, { completedAt: number; releasedAt: number; net: number }>();
  constructor(private readonly lifecycle = PROD) {}

  /** Credits an order completed at `completed` when the ledger's clock reads `now` (default: then); returns what it earns. */
  order(id: string, completed: string, basePoints: number, now = completed): { points: number; level: string } {
    const completedAt = at(completed);
    const lot = lotDatesFor(completed, this.lifecycle);
    const releasedAt = tierReleaseOf(lot.availableDay === null ? null : midnightOf(lot.availableDay), at(now));
    const credited = creditOrder(TIERS, this.book, { completedDay: dayOf(completedAt), completedAt, releasedAt, basePoints }, at(now));
    this.book = credited.book;
    this.orders.set(id, { completedAt, releasedAt, net: basePoints });
    const level = TIERS.levels[credited.level];
    if (!level) throw new Error("no level");
    return { points: multiplied(basePoints, level), level: level.name };
  }

  refund(id: string, basePoints: number, now: string): void {
    const order = this.orders.get(id);
    if (!order) throw new Error(`no order ${id}`);
    this.book = refundOrder(
      TIERS,
      this.book,
      { completedDay: dayOf(order.completedAt), releasedAt: order.releasedAt, basePoints },
      at(now),
    );
    order.net -= basePoints;
  }

  close(id: string, closedAt: string, now = closedAt): void {
    const order = this.orders.get(id);
    if (!order) throw new Error(`no order ${id}`);
    const to = tierReleaseAfterClose(order.releasedAt, at(closedAt), at(now));
    if (to === undefined) return;
    const move = { completedDay: dayOf(order.completedAt), from: order.releasedAt, to, basePoints: order.net };
    this.book = moveRelease(TIERS, this.book, move, at(now));
    order.releasedAt = to;
  }

  read(now: string): TierAnswer {
    return tierAnswer(TIERS, this.book, at(now));
  }
}

test("a new customer is a Member from the start, needing 500 for Silver", (t) => {
  t.deepEqual(new Customer().read("2026-01-01T00:00:00Z"), {
    name: "Member",
    since: null,
    until: null,
    qualifyingPoints: 0,
    next: { name: "Silver", pointsNeeded: 500 },
    pointsToKeep: 0,
  });
});

test("the level rises when the points are released, not when the order completes, and is kept a window from then", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 600);
  // Pending 30 days: released at the midnight after 9 February 12:00.
  t.like(customer.read("2026-02-09T23:59:59.999Z"), { name: "Member", qualifyingPoints: 0, next: { name: "Silver", pointsNeeded: 500 } });
  t.deepEqual(customer.read("2026-02-10T00:00:00Z"), {
    name: "Silver",
    since: "2026-02-10T00:00:00.000Z",
    until: "2027-02-10T00:00:00.000Z",
    qualifyingPoints: 600,
    next: { name: "Gold", pointsNeeded: 900 },
    // The order's day leaves the window on 2027-01-10, before `until`: nothing of it keeps Silver.
    pointsToKeep: 500,
  });
  // The points leave the window; the level stays until its period ends, then is lowered.
  t.like(customer.read("2027-01-10T00:00:00Z"), { name: "Silver", qualifyingPoints: 0, until: "2027-02-10T00:00:00.000Z" });
  t.deepEqual(customer.read("2027-02-10T00:00:00Z"), {
    name: "Member",
    since: "2027-02-10T00:00:00.000Z",
    until: null,
    qualifyingPoints: 0,
    next: { name: "Silver", pointsNeeded: 500 },
    pointsToKeep: 0,
  });
});

test("orders earn base × the multiplier of the level held at their completion: the crossing order earns at the old level", (t) => {
  const customer = new Customer();
  t.deepEqual(customer.order("o-1", "2026-01-10T12:00:00Z", 400), { points: 400, level: "Member" });
  // Completed while a Member (o-1 is still pending): it earns ×1 though its release makes Silver.
  t.deepEqual(customer.order("o-2", "2026-01-20T09:00:00Z", 123), { points: 123, level: "Member" });
  t.like(customer.read("2026-02-19T00:00:00Z"), { name: "Member", qualifyingPoints: 400 });
  t.like(customer.read("2026-02-20T00:00:00Z"), { name: "Silver", since: "2026-02-20T00:00:00.000Z", qualifyingPoints: 523 });
  // Qualifying points are base points: o-3's multiplied 153 earn, its 123 qualify.
  t.deepEqual(customer.order("o-3", "2026-02-21T10:00:00Z", 123), { points: 153, level: "Silver" });
  t.like(customer.read("2026-03-24T00:00:00Z"), { qualifyingPoints: 646 });
  // An order credited late (a backfill) earns at the level held when it completed, as the ledger keeps it.
  t.deepEqual(customer.order("o-4", "2026-02-19T23:00:00Z", 100, "2026-03-01T08:00:00Z"), { points: 100, level: "Member" });
  t.deepEqual(customer.order("o-5", "2026-02-20T01:00:00Z", 100, "2026-03-01T08:00:00Z"), { points: 125, level: "Silver" });
});

test("a refund of the promoting order takes the level back at once, to the level below with its own since", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 600);
  t.like(customer.read("2026-02-10T00:00:00Z"), { name: "Silver", since: "2026-02-10T00:00:00.000Z" });
  customer.order("o-2", "2026-02-15T12:00:00Z", 1000);
  t.like(customer.read("2026-03-18T00:00:00Z"), { name: "Gold", since: "2026-03-18T00:00:00.000Z", until: "2027-03-18T00:00:00.000Z" });
  // Part of o-2 refunded, 1,500 still reached: Gold stays.
  customer.refund("o-2", 100, "2026-03-20T10:00:00Z");
  t.like(customer.read("2026-03-20T10:00:00Z"), { name: "Gold", qualifyingPoints: 1500 });
  // One more point: below Gold, which o-2 reached: Silver again, since and until as they were.
  customer.refund("o-2", 1, "2026-03-21T10:00:00Z");
  t.deepEqual(customer.read("2026-03-21T10:00:00Z"), {
    name: "Silver",
    since: "2026-02-10T00:00:00.000Z",
    until: "2027-02-10T00:00:00.000Z",
    qualifyingPoints: 1499,
    next: { name: "Gold", pointsNeeded: 1 },
    // o-2's day is still in the window on 10 February 2027: its 899 keep Silver then.
    pointsToKeep: 0,
  });
  // o-1, which reached Silver, refunded whole: 899 still reach it, so it stays while they do…
  customer.refund("o-1", 600, "2026-03-22T10:00:00Z");
  t.like(customer.read("2026-03-22T10:00:00Z"), { name: "Silver", qualifyingPoints: 899 });
  // …and goes when they no longer do: a Member from the start again.
  customer.refund("o-2", 500, "2026-03-23T10:00:00Z");
  t.like(customer.read("2026-03-23T10:00:00Z"), { name: "Member", since: null, until: null, qualifyingPoints: 399 });
});

test("a level kept by other orders stays when the promoting order is refunded, and is held only while the points reach it", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 400);
  customer.order("o-2", "2026-01-20T12:00:00Z", 200);
  customer.order("o-3", "2026-02-01T12:00:00Z", 300);
  t.like(customer.read("2026-03-04T00:00:00Z"), { name: "Silver", since: "2026-02-20T00:00:00.000Z", qualifyingPoints: 900 });
  // o-2 reached Silver; refunded, 700 still reach it: kept.
  customer.refund("o-2", 200, "2026-03-05T10:00:00Z");
  t.like(customer.read("2026-03-05T10:00:00Z"), { name: "Silver", since: "2026-02-20T00:00:00.000Z", qualifyingPoints: 700 });
  // A refund of an order that reached nothing never takes a level back by itself…
  const other = new Customer();
  other.order("o-1", "2026-01-10T12:00:00Z", 400);
  other.order("o-2", "2026-01-20T12:00:00Z", 200);
  other.refund("o-1", 400, "2026-03-05T10:00:00Z");
  t.like(other.read("2026-03-05T10:00:00Z"), { name: "Silver", qualifyingPoints: 200 });
  // …but once the promoting order was refunded, Silver lasts only while the points reach it:
  // o-1's day leaves the window on 2027-01-10, a month before Silver's period would end.
  t.like(customer.read("2027-01-09T23:59:59Z"), { name: "Silver", qualifyingPoints: 700, until: "2027-02-20T00:00:00.000Z" });
  t.like(customer.read("2027-01-10T00:00:00Z"), { name: "Member", since: null, until: null, qualifyingPoints: 300 });
});

test("at the period's end the level is kept (a new period starts) when the window still reaches it, else lowered", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 1600);
  t.like(customer.read("2026-02-10T00:00:00Z"), { name: "Gold", until: "2027-02-10T00:00:00.000Z", pointsToKeep: 1500 });
  customer.order("o-2", "2026-12-01T12:00:00Z", 1500);
  t.like(customer.read("2027-01-01T00:00:00Z"), { name: "Gold", qualifyingPoints: 3100, pointsToKeep: 0 });
  t.like(customer.read("2027-02-10T00:00:00Z"), {
    name: "Gold",
    since: "2027-02-10T00:00:00.000Z",
    until: "2028-02-10T00:00:00.000Z",
    qualifyingPoints: 1500,
  });
  // A kept period was reached by no order: refunding o-2 now lowers nothing before its end.
  customer.refund("o-2", 1500, "2027-03-01T10:00:00Z");
  t.like(customer.read("2027-03-01T10:00:00Z"), { name: "Gold", qualifyingPoints: 0, pointsToKeep: 1500 });
  t.like(customer.read("2028-02-10T00:00:00Z"), { name: "Member", since: "2028-02-10T00:00:00.000Z", until: null });
  // Lowered to the highest level still reached, for a period of its own.
  const lowered = new Customer();
  lowered.order("o-1", "2026-01-10T12:00:00Z", 1600);
  lowered.order("o-2", "2026-11-01T12:00:00Z", 700);
  t.like(lowered.read("2027-02-10T00:00:00Z"), {
    name: "Silver",
    since: "2027-02-10T00:00:00.000Z",
    until: "2028-02-10T00:00:00.000Z",
    qualifyingPoints: 700,
  });
});

test("points spendable when credited count from the midnight after the credit; a closed return window releases them earlier", (t) => {
  // Dev's lifecycle: spendable at once, counted for tiers from the next midnight.
  const immediate = new Customer({ pendingDays: 0, expiryDays: 0 });
  immediate.order("o-1", "2026-01-10T12:00:00Z", 500);
  t.like(immediate.read("2026-01-10T23:59:59Z"), { name: "Member" });
  t.like(immediate.read("2026-01-11T00:00:00Z"), { name: "Silver", since: "2026-01-11T00:00:00.000Z" });
  // A backfill of an order long released: from the midnight after its credit, never in the past.
  const backfilled = new Customer();
  backfilled.order("o-1", "2025-12-01T12:00:00Z", 500, "2026-03-01T08:00:00Z");
  t.like(backfilled.read("2026-03-01T08:00:00Z"), { name: "Member", qualifyingPoints: 0 });
  t.like(backfilled.read("2026-03-02T00:00:00Z"), { name: "Silver", since: "2026-03-02T00:00:00.000Z" });
  // The return window closes on 20 January: released at the midnight after, not on 10 February.
  const closed = new Customer();
  closed.order("o-1", "2026-01-10T12:00:00Z", 500);
  closed.close("o-1", "2026-01-20T15:00:00Z");
  t.like(closed.read("2026-01-21T00:00:00Z"), { name: "Silver", since: "2026-01-21T00:00:00.000Z" });
});

test("the balance item's attributes: one per completion day and release midnight, read back as buckets", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 600);
  customer.order("o-2", "2026-01-10T18:00:00Z", 50);
  customer.order("o-3", "2026-01-11T01:00:00Z", 7);
  const item = Object.fromEntries(customer.book.buckets.map((bucket) => [bucketAttribute(bucket), bucket.points]));
  t.deepEqual(item, { "tier_2026-01-10_2026-02-10": 650, "tier_2026-01-11_2026-02-11": 7 });
  t.deepEqual(bucketsOf({ ...item, lot_x: 3, "lot_2026-02-10_-": 650, version: 4 }), customer.book.buckets);
});

test("a customer of three years keeps a bounded item: buckets of the window only, a period per level at most", (t) => {
  const customer = new Customer();
  const start = at("2026-01-01T10:00:00Z");
  for (let day = 0; day < 3 * 365; day += 1) {
    const completed = new Date(start + day * 86_400_000).toISOString();
    customer.order(`o-${day}`, completed, 5 + (day % 7));
    if (day % 5 === 0 && day > 40) customer.refund(`o-${day - 40}`, 3, completed);
  }
  t.true(customer.book.buckets.length <= 365, `${customer.book.buckets.length} buckets`);
  t.true(customer.book.state.periods.length <= TIERS.levels.length);
  t.true(customer.book.state.changes.length <= 3, JSON.stringify(customer.book.state.changes));
  t.like(customer.read("2028-12-31T10:00:00Z"), { name: "Gold" });
});

test("an instant before the latest write is not answered: the state knows only what follows it", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 600);
  t.throws(() => advance(TIERS, customer.book, at("2026-01-10T11:59:59Z")), { instanceOf: TierInstantError });
});

test("a refund that takes no base points (a few cents) leaves the level reached through its order guaranteed", (t) => {
  const customer = new Customer();
  customer.order("o-1", "2026-01-10T12:00:00Z", 400);
  customer.order("o-2", "2026-01-20T12:00:00Z", 200);
  t.like(customer.read("2026-02-20T00:00:00Z"), { name: "Silver", until: "2027-02-20T00:00:00.000Z" });
  customer.refund("o-2", 0, "2026-03-05T10:00:00Z");
  // o-1's day leaves the window on 2027-01-10: 200 left, yet Silver is kept to the end of its period.
  t.like(customer.read("2027-01-10T00:00:00Z"), { name: "Silver", qualifyingPoints: 200 });
  t.like(customer.read("2027-02-20T00:00:00Z"), { name: "Member", qualifyingPoints: 0 });
});

test("a write long after the last tells every change it rolls through, even those the state it stores no longer keeps", (t) => {
  const order = (day: string, release: string, basePoints: number) => ({
    completedDay: day,
    completedAt: at(`${day}T10:00:00.000Z`),
    releasedAt: at(`${release}T00:00:00.000Z`),
    basePoints,
  });
  const first = creditOrder(TIERS, NEW_TIER_BOOK, order("2026-01-10", "2026-02-10", 600), at("2026-01-10T10:00:00.000Z"));
  // Two and a half years later, with no write in between: Silver from 02-10, lowered at its period's end a year on.
  const late = creditOrder(TIERS, first.book, order("2028-06-10", "2028-07-10", 10), at("2028-06-10T10:00:00.000Z"));
  t.deepEqual(
    late.book.state.changes,
    [{ at: at("2027-02-10T00:00:00.000Z"), level: 0 }],
    "the state keeps the last change before its window only",
  );
  t.deepEqual(
    tierChangedNotices(TIERS, "USER#u-1", first.book, late.book.state, "2028-06-10T10:00:00.000Z").map(
      ({ sk, from, to, direction, effectiveAt }) => ({ sk, from, to, direction, effectiveAt }),
    ),
    [
      { sk: "TIER#2026-02-10T00:00:00.000Z#1", from: "Member", to: "Silver", direction: "up", effectiveAt: "2026-02-10T00:00:00.000Z" },
      { sk: "TIER#2027-02-10T00:00:00.000Z#0", from: "Silver", to: "Member", direction: "down", effectiveAt: "2027-02-10T00:00:00.000Z" },
    ],
  );
  t.deepEqual(
    tierChangedNotices(TIERS, "USER#u-1", late.book, late.book.state, "2028-06-10T10:00:00.000Z"),
    [],
    "a write from that state records nothing again",
  );
});

/** Otrium's levels as a later deploy may change them; the balance items keep levels by index. */
const changedTiers = (levels: { name: string; threshold: number; multiplier?: number }[]) =>
  v.parse(TiersSchema, { levels, windowDays: 365 });

/** A customer holding Gold since 10 February 2026 (1,600 released then), written again on 1 March. */
function goldBook(): TierBook {
  const order = (book: TierBook, completed: string, released: string, basePoints: number, now: string): TierBook => {
    const completedAt = at(completed);
    return creditOrder(TIERS, book, { completedDay: dayOf(completedAt), completedAt, releasedAt: at(released), basePoints }, at(now)).book;
  };
  const book = order(NEW_TIER_BOOK, "2026-01-10T12:00:00Z", "2026-02-10T00:00:00Z", 1600, "2026-01-10T12:00:00Z");
  return order(book, "2026-03-01T12:00:00Z", "2026-04-01T00:00:00Z", 10, "2026-03-01T12:00:00Z");
}

test("a level the settings no longer have is held as their highest: named, earning at it, taken back by a refund of its order", (t) => {
  const book = goldBook();
  t.is(TIERS.levels[heldPeriod(book.state).level]?.name, "Gold");
  const withoutGold = changedTiers([
    { name: "Member", threshold: 0 },
    { name: "Silver", threshold: 500, multiplier: 1.25 },
  ]);
  t.like(tierAnswer(withoutGold, book, at("2026-03-05T00:00:00Z")), { name: "Silver", since: "2026-02-10T00:00:00.000Z", next: null });
  const credit = {
    completedDay: "2026-03-06",
    completedAt: at("2026-03-06T12:00:00Z"),
    releasedAt: at("2026-04-06T00:00:00Z"),
    basePoints: 100,
  };
  t.is(creditOrder(withoutGold, book, credit, at("2026-03-06T12:00:00Z")).level, 1);
  // The order that reached it refunded whole: 10 pending points reach nothing, a Member again.
  const refunded = refundOrder(
    withoutGold,
    book,
    { completedDay: "2026-01-10", releasedAt: at("2026-02-10T00:00:00Z"), basePoints: 1600 },
    at("2026-03-07T00:00:00Z"),
  );
  t.like(tierAnswer(withoutGold, refunded, at("2026-03-07T00:00:00Z")), { name: "Member", qualifyingPoints: 0 });
  t.deepEqual(
    tierChangedNotices(withoutGold, "USER#u", book, refunded.state, "2026-03-07T00:00:00.000Z").map(({ from, to }) => ({ from, to })),
    [{ from: "Silver", to: "Member" }],
  );
});

test("a threshold lowered by a deploy is reached from the state's latest write, the same instant for every read and write after", (t) => {
  // 400 released on 10 February, written on 1 March: a Member under 500.
  let book = creditOrder(
    TIERS,
    NEW_TIER_BOOK,
    { completedDay: "2026-01-10", completedAt: at("2026-01-10T12:00:00Z"), releasedAt: at("2026-02-10T00:00:00Z"), basePoints: 400 },
    at("2026-01-10T12:00:00Z"),
  ).book;
  book = creditOrder(
    TIERS,
    book,
    { completedDay: "2026-03-01", completedAt: at("2026-03-01T12:00:00Z"), releasedAt: at("2026-04-01T00:00:00Z"), basePoints: 1 },
    at("2026-03-01T12:00:00Z"),
  ).book;
  t.like(tierAnswer(TIERS, book, at("2026-03-02T00:00:00Z")), { name: "Member", next: { name: "Silver", pointsNeeded: 100 } });
  const silverAt300 = changedTiers([
    { name: "Member", threshold: 0 },
    { name: "Silver", threshold: 300, multiplier: 1.25 },
    { name: "Gold", threshold: 1500, multiplier: 1.5 },
  ]);
  // The 1 point of 1 March is released on 1 April: 1,099 then.
  for (const [read, pointsNeeded] of [
    ["2026-03-02T00:00:00Z", 1100],
    ["2026-05-02T00:00:00Z", 1099],
  ] as const) {
    t.like(tierAnswer(silverAt300, book, at(read)), {
      name: "Silver",
      since: "2026-03-01T12:00:00.000Z",
      until: "2027-03-01T12:00:00.000Z",
      next: { name: "Gold", pointsNeeded },
    });
  }
  const credited = creditOrder(
    silverAt300,
    book,
    { completedDay: "2026-03-03", completedAt: at("2026-03-03T12:00:00Z"), releasedAt: at("2026-04-03T00:00:00Z"), basePoints: 100 },
    at("2026-03-03T12:00:00Z"),
  );
  t.is(credited.level, 1);
  t.deepEqual(
    tierChangedNotices(silverAt300, "USER#u", book, credited.book.state, "2026-03-03T12:00:00.000Z").map(({ from, to, effectiveAt }) => ({
      from,
      to,
      effectiveAt,
    })),
    [{ from: "Member", to: "Silver", effectiveAt: "2026-03-01T12:00:00.000Z" }],
  );
});
