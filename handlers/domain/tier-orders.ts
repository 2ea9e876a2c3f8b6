/**
 * What the ledger's order events do to a customer's tiers: the earn entry meets the tier book.
 * Each function takes the instant it is processed at and clamps it to the state's `asOf`, as the
 * rules are known only from the latest write on (a writer whose clock runs a little behind
 * another's still writes, as of the later instant).
 */
import { InvalidEventError } from "./errors";
import { baseRemaining, type EarnEntry } from "./ledger-entries";
import { dayOf } from "./lifecycle";
import { tierReleaseAfterClose, tierReleaseOf } from "./tier-buckets";
import { multipliedBy, TIER_MULTIPLIER_DEFAULT, type Tiers } from "./tier-settings";
import { creditOrder, moveRelease, refundOrder, type TierBook } from "./tier-state";

/** The instant a write applies the rules at: its own, or the state's latest write when that is later. */
export const tierInstant = (book: TierBook, at: number): number => Math.max(at, book.state.asOf ?? at);

/**
 * An order credited with tiers: it earns floor(base × multiplier) of the level held at its
 * completion, as the book knows it at the credit, and its base points join the bucket of its
 * completion day and release.
 */
export function creditWithTiers(tiers: Tiers, book: TierBook, entry: EarnEntry, at: number): { entry: EarnEntry; book: TierBook } {
  const instant = tierInstant(book, at);
  const completedAt = Date.parse(entry.occurredAt);
  const releasedAt = tierReleaseOf(entry.availableAt === undefined ? null : Date.parse(entry.availableAt), instant);
  const basePoints = entry.points;
  const credited = creditOrder(tiers, book, { completedDay: dayOf(completedAt), completedAt, releasedAt, basePoints }, instant);
  const multiplier = tiers.levels[credited.level]?.multiplier ?? TIER_MULTIPLIER_DEFAULT;
  const points = multipliedBy(basePoints, multiplier);
  if (!Number.isSafeInteger(points)) throw new InvalidEventError("points for this amount exceed the largest safe integer");
  return {
    entry: { ...entry, points, basePoints, multiplier, qualifiesFrom: new Date(releasedAt).toISOString() },
    book: credited.book,
  };
}

/** Whether an order counts for tiers: credited with tiers (an order from before them never does). */
const tiered = (order: EarnEntry): order is EarnEntry & { basePoints: number; qualifiesFrom: string } =>
  order.basePoints !== undefined && order.qualifiesFrom !== undefined;

/** A refund taking `basePoints` of the order's base points out of its bucket; `undefined`: the order never counted. */
export function refundWithTiers(tiers: Tiers, book: TierBook, order: EarnEntry, basePoints: number, at: number): TierBook | undefined {
  if (!tiered(order)) return undefined;
  const completedDay = dayOf(Date.parse(order.occurredAt));
  return refundOrder(tiers, book, { completedDay, releasedAt: Date.parse(order.qualifiesFrom), basePoints }, tierInstant(book, at));
}

/**
 * The return window closed at `closedAt`: what the order still counts moves to the midnight after
 * the close, when that is earlier. `undefined`: nothing moves (the order never counted, or counts already).
 */
export function closeWithTiers(
  tiers: Tiers,
  book: TierBook,
  order: EarnEntry,
  closedAt: string,
  at: number,
): { book: TierBook; qualifiesFrom: string } | undefined {
  if (!tiered(order)) return undefined;
  const instant = tierInstant(book, at);
  const from = Date.parse(order.qualifiesFrom);
  const to = tierReleaseAfterClose(from, Date.parse(closedAt), instant);
  if (to === undefined) return undefined;
  const completedDay = dayOf(Date.parse(order.occurredAt));
  return {
    book: moveRelease(tiers, book, { completedDay, from, to, basePoints: baseRemaining(order) }, instant),
    qualifiesFrom: new Date(to).toISOString(),
  };
}
