/**
 * A customer's tiers on their balance item, the one item the reader already gets: the buckets
 * as top-level numbers (`tier_<completedDay>_<releaseDay>`, see `tier-buckets`), which a write
 * `ADD`s to as it does to lots, and the state (`tierState`: the periods, the changes, `asOf`) as
 * one map written whole by each write that plans from a read of the item. Instants are epoch
 * milliseconds, as `debtFrom`. An item written before tiers has neither: a customer at the first
 * level from the start, with no qualifying points.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { CATCH_UP_DAYS, DAY_MS, dayOf } from "../domain/lifecycle";
import { CorruptLedgerItemError } from "../domain/errors";
import { SafeCountSchema } from "../domain/ledger-entries";
import type { Delta } from "../domain/lot-plans";
import { bucketAttribute, bucketsOf } from "../domain/tier-buckets";
import { tierChangedNotices, type TierChangedNotice } from "../domain/tier-notices";
import type { Tiers } from "../domain/tier-settings";
import { heldPeriod, NEW_TIER_BOOK, type TierBook, type TierState } from "../domain/tier-state";

/** The balance item's attribute holding the tier state. */
export const TIER_STATE_ATTRIBUTE = "tierState";

const InstantSchema = SafeCountSchema;

const TierStateSchema = v.object({
  asOf: v.nullable(InstantSchema),
  periods: v.pipe(
    v.array(
      v.object({
        level: SafeCountSchema,
        since: v.nullable(InstantSchema),
        until: v.nullable(InstantSchema),
        promotedAt: v.nullable(InstantSchema),
        refunded: v.boolean(),
      }),
    ),
    v.minLength(1),
  ),
  changes: v.array(v.object({ at: InstantSchema, level: SafeCountSchema })),
});

/** The tiers a balance item holds (none: a customer never written). */
export function tierBookOf(item: Readonly<Record<string, unknown>> | undefined): TierBook {
  if (item === undefined) return NEW_TIER_BOOK;
  const stored = item[TIER_STATE_ATTRIBUTE];
  const key = `${String(item.pk)} ${String(item.sk)}`;
  const state = stored === undefined ? { success: true as const, output: NEW_TIER_BOOK.state } : v.safeParse(TierStateSchema, stored);
  if (!state.success) {
    throw new CorruptLedgerItemError(`ledger item ${key} cannot be read: ${TIER_STATE_ATTRIBUTE}.${describeIssues(state.issues)}`);
  }
  const buckets = bucketsOf(item);
  const unsafe = buckets.find((bucket) => !Number.isSafeInteger(bucket.points));
  if (unsafe) throw new CorruptLedgerItemError(`ledger item ${key} cannot be read: ${bucketAttribute(unsafe)}: must be a safe integer`);
  return { state: state.output, buckets };
}

/** What a write moves on the item to turn `before` (as read) into `after`. */
export interface TierItemChange {
  /** Points to `ADD` to each bucket (negative to take away); a bucket absent before starts at 0. */
  deltas: Delta[];
  /** Buckets to `REMOVE`: the window has passed them, or nothing is left in them. */
  remove: string[];
  /** The state to `SET` whole. */
  state: TierState;
  /** The tier index days listed, to `SET` when they changed (see `TIER_ENDS_ATTRIBUTE`). */
  ends?: number[];
}

export function tierItemChange(before: TierBook, after: TierBook): TierItemChange {
  const was = new Map(before.buckets.map((bucket) => [bucketAttribute(bucket), bucket.points]));
  const now = new Map(after.buckets.map((bucket) => [bucketAttribute(bucket), bucket.points]));
  const deltas: Delta[] = [...now]
    .map(([attribute, points]): Delta => [attribute, points - (was.get(attribute) ?? 0)])
    .filter(([, delta]) => delta !== 0);
  return { deltas, remove: [...was.keys()].filter((attribute) => !now.has(attribute)), state: after.state };
}

/**
 * The balance item's count of tier writes. The state is `SET` whole, so a write planned from an
 * older state would undo what a write since then decided: each tier write is conditioned on the
 * count it read and bumps it. It is not `version`: a credit that moves tiers must neither wait on
 * nor unsettle a spending planned from the lots, which tiers never change.
 */
export const TIER_VERSION_ATTRIBUTE = "tierVersion";

/** The tier version a balance item holds (0: never written with tiers). */
export function tierVersionOf(item: Readonly<Record<string, unknown>> | undefined): number {
  const version = item?.[TIER_VERSION_ATTRIBUTE] ?? 0;
  if (typeof version !== "number" || !Number.isSafeInteger(version)) {
    throw new CorruptLedgerItemError(
      `ledger item ${String(item?.pk)} ${String(item?.sk)} cannot be read: ${TIER_VERSION_ATTRIBUTE}: must be a safe integer`,
    );
  }
  return version;
}

/**
 * The ends of the periods whose tier index items a write put and the settle may not have visited
 * yet (epoch ms): a period taken back or lowered leaves the state, but its index item stays until
 * the settle visits its day, so an erasure reads here where the customer is still listed. Pruned
 * by each tier write of the days the settle has visited, so it stays a handful.
 */
export const TIER_ENDS_ATTRIBUTE = "tierEnds";

/** The period ends a balance item lists (none: never written with tiers). */
export function tierEndsOf(item: Readonly<Record<string, unknown>> | undefined): number[] {
  const ends = v.safeParse(v.optional(v.array(InstantSchema), []), item?.[TIER_ENDS_ATTRIBUTE]);
  if (!ends.success) {
    throw new CorruptLedgerItemError(
      `ledger item ${String(item?.pk)} ${String(item?.sk)} cannot be read: ${TIER_ENDS_ATTRIBUTE}.${describeIssues(ends.issues)}`,
    );
  }
  return ends.output;
}

/** A tier change riding on a balance write: what it moves, on condition that the tier version is still `version`. */
export interface TierWrite {
  change: TierItemChange;
  version: number;
  /** The level changes the write records, told once: put in the same transaction. */
  notices: TierChangedNotice[];
  /** The end of a period the write starts (or returns to), for the settle of its day; `undefined`: none. */
  periodEnd?: number;
  /** Midnights at which buckets the write creates start counting, for the settle of their day. */
  releases: number[];
}

/**
 * The tier write turning the book read from the balance item `item` into `after`, made at
 * `recordedAt`, in the customer's partition `pk`.
 */
export function tierWrite(
  tiers: Tiers,
  pk: string,
  item: Readonly<Record<string, unknown>> | undefined,
  after: TierBook,
  recordedAt: string,
): TierWrite {
  const before = tierBookOf(item);
  const until = heldPeriod(after.state).until;
  const periodEnd = until !== null && until !== heldPeriod(before.state).until ? until : undefined;
  const had = new Set(before.buckets.map(bucketAttribute));
  const asOf = after.state.asOf ?? Number.NEGATIVE_INFINITY;
  const releases = after.buckets.filter((bucket) => !had.has(bucketAttribute(bucket)) && bucket.releasedAt > asOf).map((b) => b.releasedAt);
  // Days before the settle's catch-up have been visited: their index items are gone.
  const unvisitedFrom = dayOf(asOf - CATCH_UP_DAYS * DAY_MS);
  const listed = tierEndsOf(item);
  const ends = [...new Set([...listed, ...(periodEnd === undefined ? [] : [periodEnd])])].filter((end) => dayOf(end) >= unvisitedFrom);
  const changed = ends.length !== listed.length || ends.some((end, i) => end !== listed[i]);
  return {
    change: { ...tierItemChange(before, after), ...(changed ? { ends } : {}) },
    version: tierVersionOf(item),
    notices: tierChangedNotices(tiers, pk, before, after.state, recordedAt),
    ...(periodEnd === undefined ? {} : { periodEnd }),
    releases: [...new Set(releases)],
  };
}
