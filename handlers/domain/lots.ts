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
  /** Points a refund or a take reversed after they were spent, still owed: they come off what is spendable. */
  debt: number;
  /**
   * Lots that expire at or before this instant (ms) pay nothing of what is owed: they had expired
   * before the debt now owed arose. Absent: every expiring lot pays.
   */
  debtFrom?: number;
}

/** Points and the instant they change state (ISO), as the API answers them. */
export interface Milestone {
  points: number;
  at: string;
}

export interface PointsView {
  /** Spendable now: released, not expired, minus what expired lots have not paid of what is owed. May be below zero. */
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

/** Everything owed: the debt, and what a refund of spent points left below zero on a pre-lot `balance`. */
export const owedOf = (holding: Holding): number => holding.debt + holding.lots.reduce((sum, lot) => sum + Math.max(-lot.points, 0), 0);

/** Whether a lot, when it expires, pays what is owed: only if the debt arose before it expired. */
const paysDebt = (holding: Holding, lot: Lot): boolean =>
  lot.points > 0 && lotInstants(lot).expiresAt > (holding.debtFrom ?? Number.NEGATIVE_INFINITY);

const byExpiry = (a: Lot, b: Lot): number => lotInstants(a).expiresAt - lotInstants(b).expiresAt || a.attribute.localeCompare(b.attribute);

/**
 * What owed points are paid by the lots expired at `at`, earliest expiry first, and what stays
 * owed. The settle makes these payments when it takes the lots off; until it has run, every
 * reader and planner counts them as made, so no number depends on when the settle ran.
 */
export function debtPayments(holding: Holding, at: number): { paid: Map<string, number>; owed: number } {
  let owed = owedOf(holding);
  const paid = new Map<string, number>();
  for (const lot of holding.lots.filter((lot) => isExpired(lot, at) && paysDebt(holding, lot)).sort(byExpiry)) {
    const pays = Math.min(owed, lot.points);
    if (pays <= 0) break;
    paid.set(lot.attribute, pays);
    owed -= pays;
  }
  return { paid, owed };
}

/**
 * The lots spendable at `now` whose expiry is after `safeUntil` (`now` for reading), less what
 * stays owed once the lots expired by `safeUntil` have paid: a lot that expires within the margin
 * cannot be spent, but pays the debt when it expires.
 */
export function spendable(holding: Holding, now: number, safeUntil = now): number {
  const live = holding.lots.filter((lot) => lot.points > 0 && isAvailable(lot, now) && !isExpired(lot, safeUntil));
  return live.reduce((sum, lot) => sum + lot.points, 0) - debtPayments(holding, safeUntil).owed;
}

/** The next points to expire, after what they will pay of the debt: lots that pay it all first expire nothing. */
function nextExpiryOf(holding: Holding, now: number): Milestone | null {
  let owed = debtPayments(holding, now).owed;
  const upcoming = holding.lots
    .filter((lot) => lot.points > 0 && !isExpired(lot, now) && Number.isFinite(lotInstants(lot).expiresAt))
    .sort(byExpiry);
  for (const at of new Set(upcoming.map((lot) => lotInstants(lot).expiresAt))) {
    const lots = upcoming.filter((lot) => lotInstants(lot).expiresAt === at);
    const held = lots.reduce((sum, lot) => sum + lot.points, 0);
    const pays = Math.min(
      owed,
      lots.filter((lot) => paysDebt(holding, lot)).reduce((sum, lot) => sum + lot.points, 0),
    );
    owed -= pays;
    if (held - pays > 0) return { points: held - pays, at: new Date(at).toISOString() };
  }
  return null;
}

export function viewAt(holding: Holding, now: number): PointsView {
  const unexpired = holding.lots.filter((lot) => !isExpired(lot, now));
  return {
    balance: spendable(holding, now),
    pending: unexpired.filter((lot) => !isAvailable(lot, now)).reduce((sum, lot) => sum + lot.points, 0),
    nextRelease: earliestAfter(unexpired, now, (lot) => lotInstants(lot).availableAt),
    nextExpiry: nextExpiryOf(holding, now),
  };
}

/** Spendable lots in the order spending takes them: earliest expiry first, never-expiring last. */
export function spendingOrder(holding: Holding, now: number, safeUntil = now): Lot[] {
  return holding.lots
    .filter((lot) => lot.points > 0 && isAvailable(lot, now) && !isExpired(lot, safeUntil))
    .sort(
      (a, b) =>
        lotInstants(a).expiresAt - lotInstants(b).expiresAt ||
        lotInstants(a).availableAt - lotInstants(b).availableAt ||
        a.attribute.localeCompare(b.attribute),
    );
}
