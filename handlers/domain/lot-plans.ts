/**
 * How each change that depends on what a customer holds moves points between lots, planned from
 * one read of the balance item. A plan is a list of deltas, one per attribute; the ledger applies
 * them in one transaction conditioned on the item's version, so a plan never applies to a state
 * it was not made from.
 */
import { lotDatesOf } from "./lifecycle";
import { isExpired, spendingOrder, spendable, type Holding, type Lot } from "./lots";

/** An attribute of the balance item and what to add to it (negative to take away). */
export type Delta = readonly [attribute: string, delta: number];

/** A redemption's points as they came out of the lots, so a cancel can put them back. */
export type Draws = Record<string, number>;

export const DEBT_ATTRIBUTE = "debt";
export const EXPIRED_TOTAL_ATTRIBUTE = "expiredTotal";

/** Adds deltas of the same attribute together and drops the zeros. */
function merged(deltas: readonly Delta[]): Delta[] {
  const sums = new Map<string, number>();
  for (const [attribute, delta] of deltas) sums.set(attribute, (sums.get(attribute) ?? 0) + delta);
  return [...sums].filter(([, delta]) => delta !== 0);
}

/**
 * Takes `points` from the spendable lots in spending order, first settling what is owed (the
 * debt, and a pre-lot `balance` left below zero) so that owed points are never counted twice.
 * Returns the deltas, the draws that are the redemption's own, and what could not be covered.
 */
function take(holding: Holding, points: number, now: number, safeUntil: number) {
  const owedLots = holding.lots.filter((lot) => lot.points < 0);
  const owed = holding.debt + owedLots.reduce((sum, lot) => sum - lot.points, 0);
  const deltas: Delta[] = [[DEBT_ATTRIBUTE, -holding.debt], ...owedLots.map((lot): Delta => [lot.attribute, -lot.points])];
  const draws: Draws = {};
  let toSettle = owed;
  let toTake = points;
  for (const lot of spendingOrder(holding, now, safeUntil)) {
    let left = lot.points;
    const settled = Math.min(left, toSettle);
    toSettle -= settled;
    left -= settled;
    const taken = Math.min(left, toTake);
    toTake -= taken;
    if (settled + taken > 0) deltas.push([lot.attribute, -(settled + taken)]);
    if (taken > 0) draws[lot.attribute] = taken;
  }
  return { deltas, draws, owedLeft: toSettle, untaken: toTake };
}

/**
 * A redemption of `points`: from spendable lots, earliest expiry first. Lots that expire before
 * `safeUntil` are left alone: DynamoDB cannot compare with its own clock, so a margin keeps a
 * write that lands a moment late from spending a lot that expired meanwhile. `undefined` when
 * the spendable balance does not cover it.
 */
export function planSpending(holding: Holding, points: number, now: number, safeUntil: number): { deltas: Delta[]; draws: Draws } | undefined {
  if (spendable(holding, now, safeUntil) < points) return undefined;
  const { deltas, draws } = take(holding, points, now, safeUntil);
  return { deltas: merged(deltas), draws };
}

/**
 * An admin's take of `points` that may leave the balance below zero: from spendable lots as a
 * redemption takes them, and what they do not cover becomes owed (`debt`), as a refund of spent
 * points does. `toDebt` is the part not covered.
 */
export function planDebit(holding: Holding, points: number, now: number, safeUntil: number): { deltas: Delta[]; draws: Draws; toDebt: number } {
  const { deltas, draws, owedLeft, untaken } = take(holding, points, now, safeUntil);
  return { deltas: merged([...deltas, [DEBT_ATTRIBUTE, owedLeft + untaken]]), draws, toDebt: untaken };
}

/**
 * A cancelled redemption's points back to the lots they came from, with those lots' dates: to
 * the lot while it has not expired, straight to the expired total once it has (so a lot the
 * settle already removed is never brought back).
 */
export function planReturn(draws: Draws, now: number): { deltas: Delta[]; expired: number } {
  const deltas: Delta[] = [];
  let expired = 0;
  for (const [attribute, points] of Object.entries(draws)) {
    const lot = lotDatesOf(attribute);
    if (lot !== undefined && isExpired(lot, now)) {
      expired += points;
      deltas.push([EXPIRED_TOTAL_ATTRIBUTE, points]);
    } else deltas.push([attribute, points]);
  }
  return { deltas: merged(deltas), expired };
}

/** Where a refund's points came from. */
export interface ReversalSplit {
  /** Out of the order's own lot, while points remained in it (pending or spendable). */
  fromLot: number;
  /** Already spent: out of other spendable lots, earliest expiry first. */
  fromSpendable: number;
  /** Already spent, and not covered by what is spendable now: owed. */
  toDebt: number;
  /** Already expired, whether or not the settle has taken the lot off: not taken again. */
  notTaken: number;
}

/**
 * A refund of `points` from an order whose lot is `lot` (its current remaining points, 0 when the
 * item no longer holds it). Points still in the lot come off it; once the lot is exhausted the
 * rest was spent, and comes off the spendable balance (below zero if need be). Once the lot has
 * expired, what it held then and no earlier refund has matched expired and is not taken again,
 * the rest was spent — the same split whether or not the settle ran first: while the lot is still
 * on the item, what it holds less `heldMatched`; once the settle has taken it off, `expiredLeft`
 * (what its expiry entries held, less what they matched). The expired points stay where they
 * are, so the settle's expiry shows them whichever came first.
 */
export function planReversal(holding: Holding, lot: Lot, lotHeld: boolean, points: number, now: number, expiredLeft = 0, heldMatched = 0): { deltas: Delta[]; split: ReversalSplit } {
  if (isExpired(lot, now)) {
    const left = lotHeld ? lot.points - heldMatched : expiredLeft;
    const notTaken = Math.min(points, Math.max(left, 0));
    const { deltas, owedLeft, untaken } = take(holding, points - notTaken, now, now);
    return {
      deltas: merged([...deltas, [DEBT_ATTRIBUTE, owedLeft + untaken]]),
      split: { fromLot: 0, fromSpendable: points - notTaken - untaken, toDebt: untaken, notTaken },
    };
  }
  const fromLot = Math.min(points, Math.max(lot.points, 0));
  const rest = points - fromLot;
  // The lot's own points are gone now; what else the customer holds covers the rest.
  const after = { ...holding, lots: holding.lots.map((held) => (held.attribute === lot.attribute ? { ...held, points: held.points - fromLot } : held)) };
  const { deltas, owedLeft, untaken } = take(after, rest, now, now);
  return {
    deltas: merged([[lot.attribute, -fromLot], ...deltas, [DEBT_ATTRIBUTE, owedLeft + untaken]]),
    split: { fromLot, fromSpendable: rest - untaken, toDebt: untaken, notTaken: 0 },
  };
}
