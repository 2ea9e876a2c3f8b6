/**
 * The tier a read answers (`GET /points/{userId}`'s `tier`), computed at the read's instant from
 * the balance item alone: the state rolled forward to the instant, nothing written.
 *
 * The state is known exactly only from its latest write on: a read whose clock is behind that
 * write's (the reader's clock a little behind the writer's, the local clock moved back) answers as
 * of the write, as a writer in that case writes: the level the ledger holds, not an error.
 */
import { qualifyingAt } from "./tier-buckets";
import { tierInstant } from "./tier-orders";
import { advance, heldPeriod, type TierBook } from "./tier-state";
import type { Tiers } from "./tier-settings";
import { isoAt } from "./timestamp";

export interface TierAnswer {
  /** The level held. */
  name: string;
  /** When it was reached or its period began (ISO 8601); `null`: the first level, held from the start. */
  since: string | null;
  /** When it is recomputed from the window (ISO 8601); `null` for the first level, which nothing lowers. */
  until: string | null;
  /** The released base points of the trailing window, net of refunds. */
  qualifyingPoints: number;
  /** The level above and the qualifying points still missing for it; `null` at the top. */
  next: { name: string; pointsNeeded: number } | null;
  /**
   * Qualifying points still missing at `until` to keep the level then, counting only what will
   * still be in the window then (points pending now included); 0 for the first level.
   */
  pointsToKeep: number;
}

const iso = (instant: number | null): string | null => (instant === null ? null : isoAt(instant));

export function tierAnswer(tiers: Tiers, book: TierBook, readAt: number): TierAnswer {
  const at = tierInstant(book, readAt);
  const held = heldPeriod(advance(tiers, book, at));
  const qualifyingPoints = qualifyingAt(book.buckets, tiers.windowDays, at);
  const level = tiers.levels[held.level];
  const above = tiers.levels[held.level + 1];
  const kept = held.until === null || !level ? 0 : level.threshold - qualifyingAt(book.buckets, tiers.windowDays, held.until);
  return {
    name: level?.name ?? "",
    since: iso(held.since),
    until: iso(held.until),
    qualifyingPoints,
    next: above ? { name: above.name, pointsNeeded: above.threshold - qualifyingPoints } : null,
    pointsToKeep: Math.max(0, kept),
  };
}
