/**
 * The tiers' notices: a customer's level changed, or the level held will not be kept at the end
 * of its period. They are written as the ledger's notices are (`ledger-notices.ts`): an item put
 * once by condition, in the same transaction as the tier state that records the change (or, for a
 * warning, keyed by the period it warns of), and turned into an event by the stream publisher. So
 * a change is told by whichever write records it first — the settle at a release midnight or a
 * period end, a credit, a refund — and only by that one: every tier write is conditioned on the
 * tier version it read, so two writes never both record the same change, and a write that fails
 * writes no notice. Notices move no points and have no entry time: they stay out of the history.
 */
import * as v from "valibot";
import { SafeCountSchema } from "./ledger-entries";
import { tierChangedSk, tierExpiringSoonSk } from "./ledger-keys";
import { midnightOf } from "./lifecycle";
import { tierAnswer } from "./tier-answer";
import type { Tiers } from "./tier-settings";
import { advance, heldPeriod, knownLevel, type TierBook, type TierChange, type TierState } from "./tier-state";
import { isoAt } from "./timestamp";

const noticeKeys = { pk: v.string(), sk: v.string() };

export const TierChangedNoticeSchema = v.object({
  ...noticeKeys,
  kind: v.literal("tier-changed"),
  /** The level left and the level held from `effectiveAt`, by name. */
  from: v.string(),
  to: v.string(),
  direction: v.picklist(["up", "down"]),
  /** The instant of the change (a release midnight, a refund, a period end), not of the write. */
  effectiveAt: v.string(),
  /** When the write that recorded it was made. */
  recordedAt: v.string(),
});

export const TierExpiringSoonNoticeSchema = v.object({
  ...noticeKeys,
  kind: v.literal("tier-expiring-soon"),
  /** The level held, by name. */
  tier: v.string(),
  /** When its period ends and the level is recomputed. */
  until: v.string(),
  /** Qualifying points still missing then to keep it, counting only what will still be in the window. */
  pointsToKeep: SafeCountSchema,
  /** The midnight of the day warned on. */
  occurredAt: v.string(),
  recordedAt: v.string(),
});

export const TierNoticeSchema = v.variant("kind", [TierChangedNoticeSchema, TierExpiringSoonNoticeSchema]);

export type TierChangedNotice = v.InferOutput<typeof TierChangedNoticeSchema>;
export type TierExpiringSoonNotice = v.InferOutput<typeof TierExpiringSoonNoticeSchema>;
export type TierNotice = v.InferOutput<typeof TierNoticeSchema>;

/**
 * The level changes a write records: those of `after` (the state it stores) that the state read
 * (`before`) did not hold. A write rolls the state read forward to its instant, which only appends
 * changes (each at an instant after the state's `asOf`), then may change the level at that instant
 * itself (a refund taking a level back). They are found here from the state before pruning, so a
 * change older than the window that a late write rolls through is told too.
 */
export function recordedChanges(tiers: Tiers, before: TierBook, after: TierState): TierChange[] {
  if (after.asOf === null) return [];
  const rolled = advance(tiers, before, after.asOf);
  const rolledThrough = rolled.changes.slice(before.state.changes.length);
  const level = heldPeriod(after).level;
  return level === heldPeriod(rolled).level ? rolledThrough : [...rolledThrough, { at: after.asOf, level }];
}

const levelName = (tiers: Tiers, level: number): string => tiers.levels[level]?.name ?? String(level);

/** The notices of the changes a write from `before` to `after` records, at `recordedAt`. */
export function tierChangedNotices(tiers: Tiers, pk: string, before: TierBook, after: TierState, recordedAt: string): TierChangedNotice[] {
  let from = knownLevel(tiers, heldPeriod(before.state).level);
  return recordedChanges(tiers, before, after).map((change) => {
    const notice: TierChangedNotice = {
      pk,
      sk: tierChangedSk(isoAt(change.at), change.level),
      kind: "tier-changed",
      from: levelName(tiers, from),
      to: levelName(tiers, change.level),
      direction: change.level > from ? "up" : "down",
      effectiveAt: isoAt(change.at),
      recordedAt,
    };
    from = change.level;
    return notice;
  });
}

/**
 * The warning, on `noticeDay` at `now`, that the level held will not be kept at the end of its
 * period on `untilDay`: undefined when the period held then ends on another day (it changed since
 * the customer was indexed: taken back, lowered, or reached anew), or when the points that will
 * still be in the window at its end keep it. Keyed by the period's end, so one per period.
 */
export function tierExpiringSoonNotice(
  tiers: Tiers,
  pk: string,
  book: TierBook,
  noticeDay: string,
  untilDay: string,
  now: number,
): TierExpiringSoonNotice | undefined {
  const answer = tierAnswer(tiers, book, now);
  if (answer.until === null || answer.until.slice(0, 10) !== untilDay || answer.pointsToKeep === 0) return undefined;
  return {
    pk,
    sk: tierExpiringSoonSk(answer.until),
    kind: "tier-expiring-soon",
    tier: answer.name,
    until: answer.until,
    pointsToKeep: answer.pointsToKeep,
    occurredAt: isoAt(midnightOf(noticeDay)),
    recordedAt: isoAt(now),
  };
}
