/**
 * The ledger's rules as the README states them ("Points rules", "The points lifecycle", "The
 * reader", "Redemption", "Customer service"), for one customer, in memory. It imports nothing
 * from `handlers/`: a second, independent reading of the rules, so that the real handlers and
 * this model can only agree by both following the README.
 *
 * Where the README leaves a case open, the choice made here is marked "Reading:".
 *
 * Time only moves forward, and the model expires lots as soon as the clock passes their
 * midnight: the README's rules are stated in the order things happen (a lot pays what is owed
 * when it expires, so a debt that arises later is not paid by a lot that expired before it),
 * and the real ledger must give the same answers without any job having run.
 */
import { DAY_MS, EXPIRING_SOON_DAYS, LIFECYCLE, dayOf, iso, moveClock, type Step } from "./steps";

/** EUR at 1 point per whole euro, as hundredths of a point per euro. */
const EUR_RATE_HUNDREDTHS = 100n;
const SPENDING_MARGIN_MS = 30_000;

/** floor(amount in whole units × rate), in integers: a 2-decimal currency, a 2-decimal rate. */
export const pointsOf = (cents: number): number => Number((BigInt(cents) * EUR_RATE_HUNDREDTHS) / 10_000n);

/** What the history shows, reduced to what the model can state for sure. */
export interface HistoryItem {
  type: "earn" | "refund" | "expiry" | "redemption" | "redemption-cancel" | "adjustment";
  /** The entry's own id (`o-1`, `o-1/f-2`, `r-1`, `a-1`); none for an expiry. */
  id: string;
  points: number;
  /** Absent where the README does not say (an expiry's). */
  occurredAt?: string;
}

/**
 * An event the README says the ledger publishes ("Events out"), as far as the model can state it:
 * the detail-type, the entry's key in the customer's partition (the `entryId` is `<pk>/<key>`),
 * `points`, and the detail fields the README names for it.
 */
export interface Published {
  detailType: string;
  /** The `sk` of the entry or notice ("The ledger"); the erasure's is the tombstone's, in its own partition. */
  key: string;
  /** Absent where the README leaves it open (an erasure while something is owed). */
  points?: number;
  detail: Record<string, string | number>;
}

export interface View {
  balance: number;
  pending: number;
  lifetimeEarned: number;
  history: HistoryItem[];
}

/** What one step must answer. */
export type Expectation =
  /** The step makes no sense for this model (its answer is not the README's to give): not sent. */
  | { kind: "skip"; why: string }
  | { kind: "writer"; acknowledged: boolean }
  | { kind: "api"; status: number; code?: string; body?: Record<string, number | string | boolean> }
  | { kind: "done" };

interface Lot {
  availableAt: number;
  expiresAt: number;
  points: number;
  expired: boolean;
  /** What expired from this lot and no refund has yet claimed as "already expired". */
  expiredLeft: number;
}

interface Order {
  points: number;
  lot: string;
  /** Of this order's points, those still in its lot (refunds and a close move them). */
  inLot: number;
  refundedCents: number;
  /** Points reversed so far, what caps later refunds (including the part not taken because expired). */
  reversed: number;
  closed: boolean;
}

interface ParkedRefund {
  refund: number;
  cents: number;
  item: HistoryItem;
}

interface Redemption {
  points: number;
  draws: Map<string, number>;
  cancelled: boolean;
}

interface Adjustment {
  points: number;
  allowNegative: boolean;
  answer: Record<string, number | string | boolean>;
}

const lotKey = (availableAt: number, expiresAt: number) => `${dayOf(availableAt)}_${Number.isFinite(expiresAt) ? dayOf(expiresAt) : "-"}`;
const midnightFrom = (instant: number) => Math.ceil(instant / DAY_MS) * DAY_MS;
const midnightAfter = (instant: number) => Math.floor(instant / DAY_MS) * DAY_MS + DAY_MS;

export class LedgerModel {
  private now: number;
  private erasedWith: number | undefined;
  private debt = 0;
  private lifetimeEarned = 0;
  private readonly lots = new Map<string, Lot>();
  private readonly orders = new Map<number, Order>();
  private readonly parked = new Map<number, ParkedRefund[]>();
  private readonly earlyClose = new Map<number, number>();
  private readonly refundsSeen = new Set<string>();
  private readonly redemptions = new Map<number, Redemption>();
  private readonly adjustments = new Map<number, Adjustment>();
  /** Points expired by the clock, by day, not yet told by the settle's expiry entry. */
  private readonly expiredByDay = new Map<string, number>();
  private readonly settledDays = new Set<string>();
  /** Release days the customer is listed for: lots still pending when credited (or moved by a close). */
  private readonly releaseIndex = new Set<string>();
  /** Expiry days the customer is listed for: each lot written with a date to expire, until the settle visits the day. */
  private readonly expiryIndex = new Set<string>();
  /** Expiry days the settle has looked at for a warning since their lots were last written (it skips them then). */
  private readonly warnVisited = new Set<string>();
  /** Expiry days with a credit from before their warning's day: the only points a warning is about. */
  private readonly warnable = new Set<string>();
  /** Expiry days the customer was warned of: once each. */
  private readonly warned = new Set<string>();
  private history: HistoryItem[] = [];
  private published: Published[] = [];

  constructor(start: number) {
    this.now = start;
  }

  get clock(): number {
    return this.now;
  }

  apply(step: Step): Expectation {
    switch (step.kind) {
      case "clock":
        this.moveTo(moveClock(this.now, step.move));
        return { kind: "done" };
      case "order":
        return this.order(step.order, step.cents, this.now - step.ageHours * 3_600_000);
      case "refund":
        return this.refund(step.order, step.refund, step.cents, step.currency);
      case "close":
        return this.close(step.order);
      case "redeem":
        return this.redeem(step.redemption, step.points);
      case "cancel":
        return this.cancel(step.redemption);
      case "adjust":
        return this.adjust(step.adjustment, step.points, step.allowNegative);
      case "settle":
        return this.settle(step.daysBack);
      case "erase":
        return this.erase(step.via);
    }
  }

  /** The clock moved: lots whose midnight has come expire, paying what is owed first. */
  moveTo(instant: number): void {
    this.now = instant;
    const due = [...this.lots.values()].filter((lot) => !lot.expired && lot.expiresAt <= instant).sort((a, b) => a.expiresAt - b.expiresAt);
    for (const lot of due) {
      const expired = this.expire(lot, lot.points);
      lot.points = 0;
      const day = dayOf(lot.expiresAt);
      this.expiredByDay.set(day, (this.expiredByDay.get(day) ?? 0) + expired);
    }
  }

  /** What was published since the last call, in the order of the changes. */
  takePublished(): Published[] {
    const published = this.published;
    this.published = [];
    return published;
  }

  private publish(detailType: string, key: string, points: number | undefined, detail: Record<string, string | number> = {}): void {
    this.published.push({ detailType, key, ...(points === undefined ? {} : { points }), detail });
  }

  view(): View {
    if (this.erasedWith !== undefined) return { balance: 0, pending: 0, lifetimeEarned: 0, history: [] };
    let released = 0;
    let pending = 0;
    for (const lot of this.lots.values()) {
      if (lot.expired) continue;
      if (lot.availableAt <= this.now) released += lot.points;
      else pending += lot.points;
    }
    return { balance: released - this.debt, pending, lifetimeEarned: this.lifetimeEarned, history: [...this.history] };
  }

  /** `points` of `lot` expire now: what is owed is paid from them first; returns what expired. */
  private expire(lot: Lot, points: number): number {
    const paid = Math.min(this.debt, points);
    this.debt -= paid;
    lot.expired = true;
    lot.expiredLeft += points - paid;
    return points - paid;
  }

  private lotAt(availableAt: number, expiresAt: number): [string, Lot] {
    const key = lotKey(availableAt, expiresAt);
    let lot = this.lots.get(key);
    if (!lot) {
      lot = { availableAt, expiresAt, points: 0, expired: false, expiredLeft: 0 };
      this.lots.set(key, lot);
    }
    return [key, lot];
  }

  /** The lot of one late order alone. */
  private ownLot(order: number, availableAt: number, expiresAt: number): [string, Lot] {
    const key = `late:${order}`;
    const lot: Lot = { availableAt, expiresAt, points: 0, expired: true, expiredLeft: 0 };
    this.lots.set(key, lot);
    return [key, lot];
  }

  private order(order: number, cents: number, completedAt: number): Expectation {
    if (this.erasedWith !== undefined || this.orders.has(order)) return { kind: "writer", acknowledged: true };
    const points = pointsOf(cents);
    const availableAt = midnightFrom(completedAt + LIFECYCLE.pendingDays * DAY_MS);
    const expiresAt = availableAt + LIFECYCLE.expiryDays * DAY_MS;
    const closedAt = this.earlyClose.get(order);
    // A close moves the release only: the expiry stays the order's own.
    const releasedAt = closedAt !== undefined && midnightAfter(closedAt) < availableAt ? midnightAfter(closedAt) : availableAt;
    const late = expiresAt <= this.now;
    // A late order never joins the points of its lot that expired before it: a lot of its own.
    const [key, lot] = late ? this.ownLot(order, releasedAt, expiresAt) : this.lotAt(releasedAt, expiresAt);
    this.lifetimeEarned += points;
    this.history.push({ type: "earn", id: `o-${order}`, points, occurredAt: iso(completedAt) });
    this.publish("Points Earned", `ORDER#o-${order}`, points, { orderId: `o-${order}` });
    // Told by the settle on its release day: only a lot still pending when credited.
    if (!late && releasedAt > this.now) this.releaseIndex.add(dayOf(releasedAt));
    if (!late) this.credited(expiresAt);
    const record: Order = { points, lot: key, inLot: points, refundedCents: 0, reversed: 0, closed: closedAt !== undefined };
    // Refunds that came first are netted: each takes, in its order, what it would have taken.
    // Reading: in the order they happened, ties by refund id (the README names no order).
    const parked = [...(this.parked.get(order) ?? [])].sort(
      (a, b) => (a.item.occurredAt ?? "").localeCompare(b.item.occurredAt ?? "") || a.item.id.localeCompare(b.item.id),
    );
    this.parked.delete(order);
    this.orders.set(order, record);
    if (late) {
      // A late order expires whole in its own write; the refunds that came first then find its
      // points expired, as refunds after it would (same events, any order, same result).
      // Reading: its points pay nothing of what is owed (the README: they expire whole).
      lot.expired = true;
      lot.expiredLeft += points;
      this.history.push({ type: "expiry", id: "", points: -points });
      const day = dayOf(expiresAt);
      this.publish("Points Expired", `EXPIRY#${day}#ORDER#o-${order}`, points, { day });
      for (const early of parked) {
        const nominal = this.nominalReversal(record, early.cents);
        const notTaken = Math.min(nominal, lot.expiredLeft);
        lot.expiredLeft -= notTaken;
        this.debt += nominal - notTaken;
        early.item.points = -(nominal - notTaken);
        this.publishReversal(order, early.refund, nominal - notTaken);
      }
      record.inLot = 0;
    } else {
      for (const early of parked) {
        const nominal = this.nominalReversal(record, early.cents);
        record.inLot -= nominal;
        early.item.points = -nominal;
        this.publishReversal(order, early.refund, nominal);
      }
      lot.points += record.inLot;
    }
    return { kind: "writer", acknowledged: true };
  }

  /**
   * Points credited to a lot expiring at `expiresAt`: a later settle looks at its warning again;
   * credited already within the warning's days of their expiry (a backfill), they are warned of by
   * no one ("Events out": their `Points Earned` says when they expire).
   * Reading: a warning tells what the lots of its day hold, once some of it was credited in time.
   */
  private credited(expiresAt: number): void {
    const day = dayOf(expiresAt);
    this.expiryIndex.add(day);
    this.warnVisited.delete(day);
    if (this.now < expiresAt - EXPIRING_SOON_DAYS * DAY_MS) this.warnable.add(day);
  }

  /** A reversal moves points when it is written; a refund parked before its order, when the order nets it. */
  private publishReversal(order: number, refund: number, taken: number): void {
    this.publish("Points Reversed", `REFUND#o-${order}#f-${refund}`, taken, { orderId: `o-${order}`, refundId: `f-${refund}` });
  }

  /** The points a refund of `cents` more reverses: of everything refunded so far, capped, minus earlier reversals. */
  private nominalReversal(order: Order, cents: number): number {
    order.refundedCents += cents;
    const total = Math.min(pointsOf(order.refundedCents), order.points);
    const nominal = total - order.reversed;
    order.reversed = total;
    return nominal;
  }

  private refund(order: number, refund: number, cents: number, currency: "EUR" | "GBP"): Expectation {
    const key = `${order}/${refund}`;
    if (this.erasedWith !== undefined || this.refundsSeen.has(key)) return { kind: "writer", acknowledged: true };
    const record = this.orders.get(order);
    if (!record) {
      if (currency !== "EUR") return { kind: "skip", why: "an early refund in another currency: what its order does then is open" };
      this.refundsSeen.add(key);
      const item: HistoryItem = { type: "refund", id: `o-${order}/f-${refund}`, points: 0, occurredAt: iso(this.now) };
      this.history.push(item);
      this.parked.set(order, [...(this.parked.get(order) ?? []), { refund, cents, item }]);
      return { kind: "writer", acknowledged: true };
    }
    if (currency !== "EUR") return { kind: "writer", acknowledged: false };
    this.refundsSeen.add(key);
    const nominal = this.nominalReversal(record, cents);
    const lot = this.lots.get(record.lot);
    let taken = nominal;
    if (lot?.expired) {
      // What already expired is not taken again; the rest of what it reverses was spent: owed.
      const notTaken = Math.min(nominal, lot.expiredLeft);
      lot.expiredLeft -= notTaken;
      taken = nominal - notTaken;
      this.debt += taken;
    } else if (lot) {
      const fromLot = Math.min(nominal, lot.points);
      lot.points -= fromLot;
      record.inLot -= Math.min(fromLot, record.inLot);
      this.debt += nominal - fromLot;
    }
    this.history.push({ type: "refund", id: `o-${order}/f-${refund}`, points: -taken, occurredAt: iso(this.now) });
    this.publishReversal(order, refund, taken);
    return { kind: "writer", acknowledged: true };
  }

  private close(order: number): Expectation {
    if (this.erasedWith !== undefined) return { kind: "writer", acknowledged: true };
    const record = this.orders.get(order);
    if (!record) {
      if (!this.earlyClose.has(order)) this.earlyClose.set(order, this.now);
      return { kind: "writer", acknowledged: true };
    }
    if (record.closed) return { kind: "writer", acknowledged: true };
    record.closed = true;
    const lot = this.lots.get(record.lot);
    const releasedAt = midnightAfter(this.now);
    if (lot && !lot.expired && releasedAt < lot.availableAt) {
      const moved = Math.min(record.inLot, lot.points);
      lot.points -= moved;
      const [key, early] = this.lotAt(releasedAt, lot.expiresAt);
      early.points += moved;
      record.lot = key;
      // The new day's settle tells the release (the close is processed before that midnight).
      this.releaseIndex.add(dayOf(releasedAt));
      // Reading: the lot written anew is listed for its expiry anew, so a later settle looks again.
      this.warnVisited.delete(dayOf(lot.expiresAt));
    }
    return { kind: "writer", acknowledged: true };
  }

  /** The lots a spend may draw from now, earliest expiry first (not those expiring within the margin). */
  private spendableLots(): Array<[string, Lot]> {
    return [...this.lots.entries()]
      .filter(([, lot]) => !lot.expired && lot.points > 0 && lot.availableAt <= this.now && lot.expiresAt > this.now + SPENDING_MARGIN_MS)
      .sort(([ka, a], [kb, b]) => a.expiresAt - b.expiresAt || ka.localeCompare(kb));
  }

  /**
   * What a spend could take now: its lots, less what is owed and will not be paid by the lots
   * expiring within the margin — those expire first, and pay what is owed before anything else.
   * Reading: the margin keeps a spend off those lots; it does not make their points stop paying.
   */
  private spendable(): number {
    const inMargin = [...this.lots.values()]
      .filter((lot) => !lot.expired && lot.availableAt <= this.now && lot.expiresAt <= this.now + SPENDING_MARGIN_MS)
      .reduce((sum, lot) => sum + lot.points, 0);
    return this.spendableLots().reduce((sum, [, lot]) => sum + lot.points, 0) - Math.max(0, this.debt - inMargin);
  }

  private draw(points: number): Map<string, number> {
    const draws = new Map<string, number>();
    let left = points;
    for (const [key, lot] of this.spendableLots()) {
      if (left === 0) break;
      const take = Math.min(left, lot.points);
      lot.points -= take;
      left -= take;
      draws.set(key, take);
    }
    return draws;
  }

  private redeem(redemption: number, points: number): Expectation {
    if (this.erasedWith !== undefined) return { kind: "api", status: 409, code: "insufficient_points", body: { balance: 0 } };
    const earlier = this.redemptions.get(redemption);
    if (earlier)
      return earlier.points === points ? { kind: "api", status: 200 } : { kind: "api", status: 409, code: "idempotency_conflict" };
    const spendable = this.spendable();
    // Reading: a refusal's balance is what the request could have spent, negative while owed.
    if (points > spendable) return { kind: "api", status: 409, code: "insufficient_points", body: { balance: spendable } };
    this.redemptions.set(redemption, { points, draws: this.draw(points), cancelled: false });
    this.history.push({ type: "redemption", id: `r-${redemption}`, points: -points, occurredAt: iso(this.now) });
    this.publish("Points Redeemed", `REDEEM#r-${redemption}`, points, { redemptionId: `r-${redemption}` });
    return { kind: "api", status: 201, body: { balance: this.view().balance } };
  }

  private cancel(redemption: number): Expectation {
    const record = this.redemptions.get(redemption);
    if (this.erasedWith !== undefined || !record) return { kind: "api", status: 404, code: "redemption_not_found" };
    if (record.cancelled) return { kind: "api", status: 200, body: { balance: this.view().balance } };
    record.cancelled = true;
    let returned = 0;
    let stayExpired = 0;
    for (const [key, points] of record.draws) {
      const lot = this.lots.get(key);
      // Points of a lot that has expired meanwhile stay expired.
      if (lot && !lot.expired) {
        lot.points += points;
        returned += points;
      } else stayExpired += points;
    }
    this.history.push({ type: "redemption-cancel", id: `r-${redemption}`, points: returned, occurredAt: iso(this.now) });
    this.publish("Redemption Cancelled", `REDEEM#r-${redemption}#CANCEL`, returned, {
      redemptionId: `r-${redemption}`,
      expiredPoints: stayExpired,
    });
    return { kind: "api", status: 200, body: { balance: this.view().balance } };
  }

  private adjust(adjustment: number, points: number, allowNegative: boolean): Expectation {
    if (this.erasedWith !== undefined) return { kind: "api", status: 409, code: "customer_erased" };
    const earlier = this.adjustments.get(adjustment);
    if (earlier) {
      return earlier.points === points && earlier.allowNegative === allowNegative
        ? { kind: "api", status: 200, body: earlier.answer }
        : { kind: "api", status: 409, code: "idempotency_conflict" };
    }
    if (points > 0) {
      const today = Math.floor(this.now / DAY_MS) * DAY_MS;
      const [, lot] = this.lotAt(today, today + LIFECYCLE.expiryDays * DAY_MS);
      lot.points += points;
      this.credited(lot.expiresAt);
      this.lifetimeEarned += points;
    } else {
      const wanted = -points;
      const spendable = this.spendable();
      if (wanted > spendable && !allowNegative)
        return { kind: "api", status: 409, code: "insufficient_points", body: { balance: spendable } };
      // Reading: a take draws what the points not already owed cover; the rest is owed.
      const covered = Math.min(wanted, Math.max(0, spendable));
      this.draw(covered);
      this.debt += wanted - covered;
    }
    this.history.push({ type: "adjustment", id: `a-${adjustment}`, points, occurredAt: iso(this.now) });
    this.publish("Points Adjusted", `ADJUST#a-${adjustment}`, Math.abs(points), {
      adjustmentId: `a-${adjustment}`,
      direction: points > 0 ? "grant" : "take",
    });
    const answer = { points, balance: this.view().balance };
    this.adjustments.set(adjustment, { points, allowNegative, answer });
    return { kind: "api", status: 201, body: answer };
  }

  private settle(daysBack: number[] | undefined): Expectation {
    const today = Math.floor(this.now / DAY_MS) * DAY_MS;
    const back = daysBack ?? [2, 1, 0];
    const days = [...new Set(back)].sort((a, b) => b - a).map((k) => today - k * DAY_MS);
    if (this.erasedWith !== undefined) return { kind: "done" };
    for (const midnight of days) {
      // Listed in the day's expiry index: the customer's expired lots leave the balance item,
      // every one of them ("takes the expired lots off"), each day's with the day's entry.
      if (this.expiryIndex.delete(dayOf(midnight))) this.settleExpired();
      this.release(dayOf(midnight), midnight);
      this.warn(midnight + EXPIRING_SOON_DAYS * DAY_MS);
    }
    return { kind: "done" };
  }

  /** The expiry entry of every day whose lots have expired and have none yet. */
  private settleExpired(): void {
    for (const [day, expired] of [...this.expiredByDay].sort(([a], [b]) => a.localeCompare(b))) {
      // A lot spent to nothing leaves with no entry.
      if (this.settledDays.has(day) || expired === 0) continue;
      this.settledDays.add(day);
      this.history.push({ type: "expiry", id: "", points: -expired, occurredAt: `${day}T00:00:00.000Z` });
      this.publish("Points Expired", `EXPIRY#${day}`, expired, { day });
    }
  }

  /**
   * The release notice of `day`, for a customer its release index lists: "what that day's lots
   * hold" when the settle visits it (lots spent, refunded or expired to nothing tell nothing),
   * once — the index item goes.
   */
  private release(day: string, midnight: number): void {
    if (!this.releaseIndex.delete(day)) return;
    const held = [...this.lots.values()]
      .filter((lot) => !lot.expired && dayOf(lot.availableAt) === day)
      .reduce((sum, lot) => sum + Math.max(lot.points, 0), 0);
    if (held > 0) this.publish("Points Released", `RELEASE#${day}`, held, { occurredAt: iso(midnight) });
  }

  /**
   * The warning, `EXPIRING_SOON_DAYS` ahead, of the lots expiring at `expiresAt`: what they still
   * hold, once per expiry day; a look that found nothing to tell is not repeated unless the lots
   * are written again.
   */
  private warn(expiresAt: number): void {
    const day = dayOf(expiresAt);
    if (this.warned.has(day) || this.warnVisited.has(day)) return;
    this.warnVisited.add(day);
    const held = [...this.lots.values()]
      .filter((lot) => !lot.expired && lot.expiresAt === expiresAt)
      .reduce((sum, lot) => sum + Math.max(lot.points, 0), 0);
    if (held === 0 || !this.warnable.has(day)) return;
    this.warned.add(day);
    this.publish("Points Expiring Soon", `EXPIRING#${day}`, held, { expiresAt: iso(expiresAt) });
  }

  private erase(via: "api" | "event"): Expectation {
    if (this.erasedWith === undefined) {
      const { balance, pending } = this.view();
      // Open in the README: what "spendable and pending" removes while something is owed (the
      // event's points are "always positive"). Compared only when nothing is owed.
      this.erasedWith = balance >= 0 ? balance + pending : Number.NaN;
      this.publish("Points Erased", "TOMBSTONE", Number.isNaN(this.erasedWith) ? undefined : this.erasedWith);
    }
    if (via === "event") return { kind: "writer", acknowledged: true };
    return {
      kind: "api",
      status: 200,
      body: Number.isNaN(this.erasedWith) ? { erased: true } : { erased: true, pointsRemoved: this.erasedWith },
    };
  }
}
