/**
 * The level a customer holds, as the balance item keeps it: plain TypeScript, no AWS.
 *
 * The rules. A customer holds the highest level their qualifying points (see `tier-buckets.ts`)
 * reach, from the midnight those points are released (`since`), and keeps it at least until
 * `since + windowDays` (`until`). At `until` the level is recomputed from the window at that
 * instant: kept (a new period starts there) or lowered to the highest level still reached (the
 * first level has no `until`: nothing lowers it). A level is reached through the orders released
 * at the instant it was reached; once one of them is refunded (by a point or more), the level is
 * held only while the qualifying points reach it: at that refund, a later one, or as points leave
 * the window, it is taken back, and the level below it on the way up returns with its own `since`
 * and `until` (recomputed at once if its `until` has passed meanwhile; a level the points still
 * reach above it is reached anew). A level kept at a period end, or reached by other orders, stays.
 *
 * The state, and why it stays bounded however long a customer stays:
 * - `periods`: the held period last, below it the periods it returns to if taken back. Each was
 *   reached from the one below, so their levels ascend: at most one per level (at most 10). A
 *   period kept or lowered at its end was reached by no order, so nothing is below it.
 * - `changes`: when the level changed over the last `windowDays`, and the last change before
 *   them, so an order credited after a later write still earns at the level it completed in.
 *   Levels rise only at release midnights (one a day at most), and between two rises they fall
 *   at most once per level, so a window holds at most (windowDays + 2) × levels of them (a
 *   handful in practice).
 * - The buckets (`tier-buckets.ts`): one per completion day and release midnight, dropped once
 *   the window has passed their day, so at most `windowDays` completion days' worth: one bucket
 *   a day (a day's orders release together), more only for days whose return windows closed
 *   early (up to `pendingDays` more) or whose orders were credited late (one per day of credit).
 * - `asOf`: the instant the state was computed for, by the latest write. A read rolls it forward
 *   to its own instant (releases, window exits, period ends in between) without writing: exact
 *   at any instant from the one item, with no job.
 */
import { DAY_MS } from "./lifecycle";
import { bucketInstants, exitOf, qualifyingAt, type TierBucket } from "./tier-buckets";
import type { Tiers } from "./tier-settings";

export interface TierPeriod {
  /** The level held, an index into the settings' levels. */
  level: number;
  /** When it was reached or its period began; `null`: the first level, held from the start. */
  since: number | null;
  /** When it is recomputed; `null` for the first level, which nothing lowers. */
  until: number | null;
  /** The release midnight that reached it; `null`: kept or lowered at a period end, reached by no order. */
  promotedAt: number | null;
  /** Whether an order released at `promotedAt` has been refunded: then held only while the points reach it. */
  refunded: boolean;
}

/** The level became `level` at `at`. */
export interface TierChange {
  at: number;
  level: number;
}

export interface TierState {
  /** The instant it was computed for (the latest write); `null` for a customer never written. */
  asOf: number | null;
  /** The held period last; never empty. */
  periods: TierPeriod[];
  /** The level's changes, oldest first (see the bound above). */
  changes: TierChange[];
}

/** The state and the buckets: everything of a customer's tiers, all on the balance item. */
export interface TierBook {
  state: TierState;
  buckets: TierBucket[];
}

export const FIRST_PERIOD: TierPeriod = { level: 0, since: null, until: null, promotedAt: null, refunded: false };

/** A customer the ledger never wrote a tier for: the first level, from the start. */
export const NEW_TIER_BOOK: TierBook = { state: { asOf: null, periods: [FIRST_PERIOD], changes: [] }, buckets: [] };

/** Thrown when asked for an instant before the state's latest write: only later instants are known exactly. */
export class TierInstantError extends RangeError {
  override name = "TierInstantError";
}

/** The held period. */
export const heldPeriod = (state: TierState): TierPeriod => state.periods[state.periods.length - 1] ?? FIRST_PERIOD;

/** The highest level whose threshold `points` reach. */
export function levelReached(tiers: Tiers, points: number): number {
  let reached = 0;
  tiers.levels.forEach((level, index) => {
    if (points >= level.threshold) reached = index;
  });
  return reached;
}

const thresholdOf = (tiers: Tiers, level: number): number => tiers.levels[level]?.threshold ?? 0;

/** A period of `level` beginning at `since`. */
function periodOf(tiers: Tiers, level: number, since: number, promotedAt: number | null): TierPeriod {
  if (level === 0) return { ...FIRST_PERIOD, since };
  return { level, since, until: since + tiers.windowDays * DAY_MS, promotedAt, refunded: false };
}

/** The periods after whatever the rules decide at `instant`, the buckets being as they are then. */
function settleAt(tiers: Tiers, periods: readonly TierPeriod[], buckets: readonly TierBucket[], instant: number): TierPeriod[] {
  const points = qualifyingAt(buckets, tiers.windowDays, instant);
  const reached = levelReached(tiers, points);
  let stack = [...periods];
  for (;;) {
    const held = stack[stack.length - 1] ?? FIRST_PERIOD;
    if (held.until !== null && held.until <= instant) {
      // The period's end (or a returned period's end, passed meanwhile): kept, or lowered.
      stack = [periodOf(tiers, Math.min(held.level, reached), instant, null)];
    } else if (held.refunded && points < thresholdOf(tiers, held.level) && stack.length > 1) {
      stack = stack.slice(0, -1);
    } else {
      break;
    }
  }
  const held = stack[stack.length - 1] ?? FIRST_PERIOD;
  if (reached > held.level) stack.push(periodOf(tiers, reached, instant, instant));
  return stack;
}

/**
 * A stored level as the settings know it. Levels are stored by their place in the list, so a place
 * beyond the list (levels removed from the top by a deploy) is held as the highest level left.
 */
export const knownLevel = (tiers: Tiers, level: number): number => Math.min(level, tiers.levels.length - 1);

/**
 * The state as of its `asOf` under the settings now deployed, which may not be those it was
 * written under: a level they no longer have is held as their highest (the periods still ascend),
 * and the rules are applied again at `asOf`, so a threshold lowered (or a level added) below the
 * points held is reached at that instant, the same for every read and write that follows. Under
 * the settings it was written with, this changes nothing: each write applied the rules at `asOf`.
 */
function underSettings(tiers: Tiers, book: TierBook): TierState {
  const { state, buckets } = book;
  if (state.asOf === null) return state;
  const stack: TierPeriod[] = [];
  for (const period of state.periods) {
    const level = knownLevel(tiers, period.level);
    while ((stack[stack.length - 1]?.level ?? -1) >= level) stack.pop();
    stack.push(level === 0 ? { ...FIRST_PERIOD, since: period.since } : { ...period, level });
  }
  const periods = settleAt(tiers, stack, buckets, state.asOf);
  const before = knownLevel(tiers, heldPeriod(state).level);
  const after = heldPeriod({ ...state, periods }).level;
  return { ...state, periods, changes: after === before ? state.changes : [...state.changes, { at: state.asOf, level: after }] };
}

/**
 * The state at `at` (not before its `asOf`): every release, window exit and period end in between
 * applied in order. A read calls it and writes nothing; a write stores what it returns.
 */
export function advance(tiers: Tiers, book: TierBook, at: number): TierState {
  const { buckets } = book;
  if (book.state.asOf !== null && at < book.state.asOf) {
    const known = new Date(book.state.asOf).toISOString();
    throw new TierInstantError(`the tier is known from ${known} on, not at ${new Date(at).toISOString()}`);
  }
  const state = underSettings(tiers, book);
  let periods = state.periods;
  const changes = [...state.changes];
  let current = state.asOf ?? Number.NEGATIVE_INFINITY;
  const instants = bucketInstants(buckets, tiers.windowDays, current, at);
  let next = 0;
  for (;;) {
    const bucketInstant = instants[next];
    const until = heldPeriod({ ...state, periods }).until;
    const periodEnd = until !== null && until > current && until <= at ? until : undefined;
    const instant = Math.min(bucketInstant ?? Number.POSITIVE_INFINITY, periodEnd ?? Number.POSITIVE_INFINITY);
    if (instant === Number.POSITIVE_INFINITY) break;
    const before = heldPeriod({ ...state, periods }).level;
    periods = settleAt(tiers, periods, buckets, instant);
    const after = heldPeriod({ ...state, periods }).level;
    if (after !== before) changes.push({ at: instant, level: after });
    current = instant;
    while ((instants[next] ?? Number.POSITIVE_INFINITY) <= current) next += 1;
  }
  return { asOf: at, periods, changes };
}

/**
 * What a write keeps: buckets the window has passed (or refunded to nothing) dropped, and the
 * changes of the last `windowDays` with the last one before them.
 */
function pruned(tiers: Tiers, state: TierState, buckets: readonly TierBucket[], at: number): TierBook {
  const horizon = at - tiers.windowDays * DAY_MS;
  const older = state.changes.filter((change) => change.at <= horizon);
  const anchor = older[older.length - 1];
  return {
    state: { ...state, changes: [...(anchor ? [anchor] : []), ...state.changes.filter((change) => change.at > horizon)] },
    buckets: buckets.filter((bucket) => bucket.points !== 0 && exitOf(bucket.completedDay, tiers.windowDays) > at),
  };
}

/**
 * The level held at `instant` as the state at `asOf` knows it (the multiplier an order completed
 * then earns at). An instant more than `windowDays` before `asOf` is beyond what the state keeps:
 * the first level. An instant after `asOf` is taken at `asOf` (the level is not foretold).
 */
export function levelAt(tiers: Tiers, state: TierState, instant: number): number {
  const asOf = state.asOf ?? instant;
  if (instant < asOf - tiers.windowDays * DAY_MS) return 0;
  const at = Math.min(instant, asOf);
  let level = 0;
  for (const change of state.changes) if (change.at <= at) level = change.level;
  return knownLevel(tiers, level);
}

/** The same bucket (its completion day and release), its points aside. */
const sameBucket = (a: TierBucket, b: Pick<TierBucket, "completedDay" | "releasedAt">): boolean =>
  a.completedDay === b.completedDay && a.releasedAt === b.releasedAt;

/** `buckets` with `points` added to one (created if need be). */
function addTo(buckets: readonly TierBucket[], target: Pick<TierBucket, "completedDay" | "releasedAt">, points: number): TierBucket[] {
  const found = buckets.some((bucket) => sameBucket(bucket, target));
  return found
    ? buckets.map((bucket) => (sameBucket(bucket, target) ? { ...bucket, points: bucket.points + points } : bucket))
    : [...buckets, { completedDay: target.completedDay, releasedAt: target.releasedAt, points }];
}

/** An order credited at `at`: its base points join their bucket; it earns at the level held at its completion. */
export function creditOrder(
  tiers: Tiers,
  book: TierBook,
  order: { completedDay: string; completedAt: number; releasedAt: number; basePoints: number },
  at: number,
): { book: TierBook; level: number } {
  const state = advance(tiers, book, at);
  const level = levelAt(tiers, state, order.completedAt);
  return { book: pruned(tiers, state, addTo(book.buckets, order, order.basePoints), at), level };
}

/**
 * A refund at `at` taking `basePoints` of an order's base points back (the caller caps them at
 * what the order still has): its bucket loses them, a level reached through the order is held
 * only while the points reach it, and the rules apply at once.
 */
export function refundOrder(
  tiers: Tiers,
  book: TierBook,
  order: { completedDay: string; releasedAt: number; basePoints: number },
  at: number,
): TierBook {
  const state = advance(tiers, book, at);
  const buckets = addTo(book.buckets, order, -order.basePoints);
  // A refund that takes no points (a few cents) changes nothing.
  const marked = state.periods.map((period) =>
    order.basePoints > 0 && period.promotedAt === order.releasedAt ? { ...period, refunded: true } : period,
  );
  const periods = settleAt(tiers, marked, buckets, at);
  const before = heldPeriod(state).level;
  const after = periods[periods.length - 1]?.level ?? 0;
  const changes = after === before ? state.changes : [...state.changes, { at, level: after }];
  return pruned(tiers, { asOf: at, periods, changes }, buckets, at);
}

/**
 * An order's return window closed (processed at `at`): its remaining base points move to the
 * earlier release `releasedAt` (see `tierReleaseAfterClose`), still after `at`, so nothing
 * changes before the move's midnight.
 */
export function moveRelease(
  tiers: Tiers,
  book: TierBook,
  order: { completedDay: string; from: number; to: number; basePoints: number },
  at: number,
): TierBook {
  const state = advance(tiers, book, at);
  const removed = addTo(book.buckets, { completedDay: order.completedDay, releasedAt: order.from }, -order.basePoints);
  return pruned(tiers, state, addTo(removed, { completedDay: order.completedDay, releasedAt: order.to }, order.basePoints), at);
}
