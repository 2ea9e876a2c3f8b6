/**
 * What a customer's lots hold at a given instant. Nothing here is stored: spendable, pending and
 * the next release and expiry are computed from the lots by whoever reads them, so they are
 * exact at any instant with no job having run.
 */
import { lotInstants, type LotDates } from "./lifecycle";

/** A lot as the balance item holds it: its attribute, its dates, its remaining points. */
export interface Lot extends LotDates {
  attribute: string;
  /** Never below zero, except the `balance` of an item from before lots, where a refund of spent points left it negative. */
  points: number;
}

/** Everything on a balance item that decides what can be spent. */
export interface Holding {
  lots: readonly Lot[];
  /** Points a refund reversed after they were spent, still owed: they come off what is spendable. */
  debt: number;
}

/** Points and the instant they change state (ISO), as the API answers them. */
export interface Milestone {
  points: number;
  at: string;
}

export interface PointsView {
  /** Spendable now: released, not expired, minus what is owed. May be below zero. */
  balance: number;
  /** Not yet released. */
  pending: number;
  nextRelease: Milestone | null;
  nextExpiry: Milestone | null;
}

export const isAvailable = (lot: LotDates, at: number): boolean => lotInstants(lot).availableAt <= at;
export const isExpired = (lot: LotDates, at: number): boolean => lotInstants(lot).expiresAt <= at;

/** The points of the lots whose date (picked by `instant`) is the earliest one after `now`. */
function earliestAfter(lots: readonly Lot[], now: number, instant: (lot: Lot) => number): Milestone | null {
  const upcoming = lots.filter((lot) => lot.points > 0 && instant(lot) > now && Number.isFinite(instant(lot)));
  if (upcoming.length === 0) return null;
  const at = Math.min(...upcoming.map(instant));
  const points = upcoming.filter((lot) => instant(lot) === at).reduce((sum, lot) => sum + lot.points, 0);
  return { points, at: new Date(at).toISOString() };
}

/** Sum of the lots spendable at `now` whose expiry is after `safeUntil` (`now` for reading). */
export function spendable(holding: Holding, now: number, safeUntil = now): number {
  const live = holding.lots.filter((lot) => isAvailable(lot, now) && !isExpired(lot, safeUntil));
  return live.reduce((sum, lot) => sum + lot.points, 0) - holding.debt;
}

export function viewAt(holding: Holding, now: number): PointsView {
  const unexpired = holding.lots.filter((lot) => !isExpired(lot, now));
  return {
    balance: spendable(holding, now),
    pending: unexpired.filter((lot) => !isAvailable(lot, now)).reduce((sum, lot) => sum + lot.points, 0),
    nextRelease: earliestAfter(unexpired, now, (lot) => lotInstants(lot).availableAt),
    nextExpiry: earliestAfter(unexpired, now, (lot) => lotInstants(lot).expiresAt),
  };
}

/** Spendable lots in the order spending takes them: earliest expiry first, never-expiring last. */
export function spendingOrder(holding: Holding, now: number, safeUntil = now): Lot[] {
  return holding.lots
    .filter((lot) => lot.points > 0 && isAvailable(lot, now) && !isExpired(lot, safeUntil))
    .sort((a, b) => lotInstants(a).expiresAt - lotInstants(b).expiresAt || lotInstants(a).availableAt - lotInstants(b).availableAt || a.attribute.localeCompare(b.attribute));
}
