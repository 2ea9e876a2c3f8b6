/**
 * Qualifying points, kept as buckets on the balance item: the base points (before any multiplier)
 * of one UTC day's completed orders that are released at one midnight, net of their refunds. A
 * bucket counts from its release until the window has passed its completion day, so the points
 * of a trailing window at any instant are a sum over the buckets: exact at every instant, with no
 * job. A bucket is a top-level number (`tier_2026-01-16_2026-02-16`), so crediting is a plain
 * `ADD`, as for lots.
 *
 * Points count for tiers from a midnight: their lot's release, or, for points spendable when they
 * are credited (no pending period, a backfill, a return window closed late), the midnight after
 * the credit — a level is never granted for an instant already past, so a level once answered is
 * never rewritten by a later write.
 */
import { DAY_MS, dayOf, midnightAfter, midnightOf } from "./lifecycle";

export interface TierBucket {
  /** The UTC day the bucket's orders completed: the window is counted in whole days of completion. */
  completedDay: string;
  /** The midnight its points are released (count for tiers) from. */
  releasedAt: number;
  /** Their base points, net of refunds. */
  points: number;
}

const BUCKET_ATTRIBUTE = /^tier_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$/u;

/** The balance item's attribute holding a bucket's points. */
export const bucketAttribute = (bucket: Pick<TierBucket, "completedDay" | "releasedAt">): string =>
  `tier_${bucket.completedDay}_${dayOf(bucket.releasedAt)}`;

/** The buckets among a balance item's attributes (every other attribute is left out). */
export function bucketsOf(item: Readonly<Record<string, unknown>>): TierBucket[] {
  const buckets: TierBucket[] = [];
  for (const [attribute, value] of Object.entries(item)) {
    const parts = BUCKET_ATTRIBUTE.exec(attribute);
    if (!parts || typeof value !== "number") continue;
    const [, completedDay = "", releaseDay = ""] = parts;
    buckets.push({ completedDay, releasedAt: midnightOf(releaseDay), points: value });
  }
  return buckets;
}

/** The instant a completion day's points leave the trailing window: `windowDays` after the day began. */
export const exitOf = (completedDay: string, windowDays: number): number => midnightOf(completedDay) + windowDays * DAY_MS;

/** Whether a bucket's points count at `instant`: released, and their completion day still in the window. */
export const countsAt = (bucket: TierBucket, windowDays: number, instant: number): boolean =>
  bucket.releasedAt <= instant && instant < exitOf(bucket.completedDay, windowDays);

/** The qualifying points at `instant`. */
export const qualifyingAt = (buckets: readonly TierBucket[], windowDays: number, instant: number): number =>
  buckets.reduce((sum, bucket) => (countsAt(bucket, windowDays, instant) ? sum + bucket.points : sum), 0);

/**
 * The midnight an order's points count for tiers from, when it is credited at `creditedAt`: its
 * lot's release (`null`: at once), or the midnight after the credit when that has passed.
 */
export function tierReleaseOf(lotAvailableAt: number | null, creditedAt: number): number {
  return lotAvailableAt !== null && lotAvailableAt > creditedAt ? lotAvailableAt : midnightAfter(creditedAt);
}

/**
 * Where an order's points move when its return window closes at `closedAt`, processed at
 * `processedAt`: the midnight after the close (after the processing, when that has passed), if
 * earlier than where they are. `undefined` when nothing moves.
 */
export function tierReleaseAfterClose(releasedAt: number, closedAt: number, processedAt: number): number | undefined {
  if (releasedAt <= processedAt) return undefined;
  const moved = midnightAfter(Math.max(closedAt, processedAt));
  return moved < releasedAt ? moved : undefined;
}

/** The instants after `after` (and at most `until`) when a bucket's points start or stop counting, ascending. */
export function bucketInstants(buckets: readonly TierBucket[], windowDays: number, after: number, until: number): number[] {
  const instants = new Set<number>();
  for (const bucket of buckets) {
    const exit = exitOf(bucket.completedDay, windowDays);
    if (bucket.releasedAt >= exit) continue;
    for (const instant of [bucket.releasedAt, exit]) if (instant > after && instant <= until) instants.add(instant);
  }
  return [...instants].sort((a, b) => a - b);
}
