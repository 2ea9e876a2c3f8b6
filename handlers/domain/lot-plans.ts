/**
 * How each change that depends on what a customer holds moves points between lots, planned from
 * one read of the balance item. A plan is a list of deltas, one per attribute; the ledger applies
 * them in one transaction conditioned on the item's version, so a plan never applies to a state
 * it was not made from.
 */
import { lotDatesOf } from "./lifecycle";
import { debtPayments, isExpired, spendingOrder, spendable, type Holding, type Lot } from "./lots";

/** An attribute of the balance item and what to add to it (negative to take away). */
export type Delta = readonly [attribute: string, delta: number];

/** A redemption's points as they came out of the lots, so a cancel can put them back. */
export type Draws = Record<string, number>;

export const DEBT_ATTRIBUTE = "debt";
export const EXPIRED_TOTAL_ATTRIBUTE = "expiredTotal";
export const DEBT_FROM_ATTRIBUTE = "debtFrom";

/** Adds deltas of the same attribute together and drops the zeros. */
function merged(deltas: readonly Delta[]): Delta[] {
  const sums = new Map<string, number>();
  for (const [attribute, delta] of deltas) sums.set(attribute, (sums.get(attribute) ?? 0) + delta);
  return [...sums].filter(([, delta]) => delta !== 0);
}

/**
 * Takes `points` from the spendable lots in spending order. Only the spender's own points: what is
 * owed stays owed, to be paid by the points that would otherwise expire, so a spend never changes
 * what a later expiry takes. Returns the deltas, the draws, and what the lots could not cover.
 */
function take(holding: Holding, points: number, now: number, safeUntil: number) {
  const deltas: Delta[] = [];
  const draws: Draws = {};
  let toTake = points;
  for (const lot of spendingOrder(holding, now, safeUntil)) {
    const taken = Math.min(lot.points, toTake);
    if (taken <= 0) break;
    toTake -= taken;
    deltas.push([lot.attribute, -taken]);
    draws[lot.attribute] = taken;
  }
  return { deltas, draws, untaken: toTake };
}

/**
 * The deltas that pay `points` of what is owed: the debt first, then a pre-lot `balance` left
 * below zero. The lots that pay are the caller's to take down (the settle removes them).
 */
export function debtPaid(holding: Holding, points: number): Delta[] {
  const fromDebt = Math.min(holding.debt, points);
  const deltas: Delta[] = [[DEBT_ATTRIBUTE, -fromDebt]];
  let left = points - fromDebt;
  for (const lot of holding.lots.filter((held) => held.points < 0)) {
    const paid = Math.min(-lot.points, left);
    left -= paid;
    deltas.push([lot.attribute, paid]);
  }
  return merged(deltas);
}

/**
 * The holding as it is at `now` once the lots already expired have paid what is owed, as the
 * settle will make them: a plan that adds debt, or that reads what an expired lot holds, starts
 * from it, and writes `deltas` to make the item so.
 */
export function paidUp(holding: Holding, now: number): { holding: Holding; deltas: Delta[] } {
  const { paid } = debtPayments(holding, now);
  const total = [...paid.values()].reduce((sum, points) => sum + points, 0);
  const deltas = merged([...[...paid].map(([attribute, points]): Delta => [attribute, -points]), ...debtPaid(holding, total)]);
  const change = new Map(deltas);
  const debt = holding.debt + (change.get(DEBT_ATTRIBUTE) ?? 0);
  return {
    holding: { ...holding, debt, lots: holding.lots.map((lot) => ({ ...lot, points: lot.points + (change.get(lot.attribute) ?? 0) })) },
    deltas,
  };
}

/**
 * `points` newly owed at `now`, on a paid-up holding: the lots already expired by then expired
 * before this debt arose, so only lots expiring after `now` pay it. A pre-lot `balance` left below
 * zero joins the debt, so one guarded total holds all that is owed.
 */
function owing(holding: Holding, points: number, now: number): Delta[] {
  if (points <= 0) return [];
  const legacy = holding.lots.filter((lot) => lot.points < 0);
  const from = holding.debtFrom ?? 0;
  return [
    ...legacy.map((lot): Delta => [lot.attribute, -lot.points]),
    [DEBT_ATTRIBUTE, points + legacy.reduce((sum, lot) => sum - lot.points, 0)],
    [DEBT_FROM_ATTRIBUTE, Math.max(now - from, 0)],
  ];
}

/**
 * A redemption of `points`: from spendable lots, earliest expiry first. Lots that expire before
 * `safeUntil` are left alone: DynamoDB cannot compare with its own clock, so a margin keeps a
 * write that lands a moment late from spending a lot that expired meanwhile. `undefined` when
 * the spendable balance does not cover it.
 */
export function planSpending(
  holding: Holding,
  points: number,
  now: number,
  safeUntil: number,
): { deltas: Delta[]; draws: Draws } | undefined {
  if (spendable(holding, now, safeUntil) < points) return undefined;
  const { deltas, draws } = take(holding, points, now, safeUntil);
  return { deltas: merged(deltas), draws };
}

/**
 * An admin's take of `points` that may leave the balance below zero: from spendable lots as a
 * redemption takes them, and what they do not cover becomes owed (`debt`), as a refund of spent
 * points does. `toDebt` is the part not covered.
 */
export function planDebit(
  stored: Holding,
  points: number,
  now: number,
  safeUntil: number,
): { deltas: Delta[]; draws: Draws; toDebt: number } {
  const { holding, deltas: paid } = paidUp(stored, now);
  const { deltas, draws, untaken } = take(holding, points, now, safeUntil);
  return { deltas: merged([...paid, ...deltas, ...owing(holding, untaken, now)]), draws, toDebt: untaken };
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
export function planReversal(
  stored: Holding,
  storedLot: Lot,
  lotHeld: boolean,
  points: number,
  now: number,
  expiredLeft = 0,
  heldMatched = 0,
): { deltas: Delta[]; split: ReversalSplit } {
  // Expired lots still on the item have paid what is owed, as after the settle.
  const { holding, deltas: paid } = paidUp(stored, now);
  const lot = holding.lots.find((held) => held.attribute === storedLot.attribute) ?? storedLot;
  if (isExpired(lot, now)) {
    const left = lotHeld ? lot.points - heldMatched : expiredLeft;
    const notTaken = Math.min(points, Math.max(left, 0));
    const { deltas, untaken } = take(holding, points - notTaken, now, now);
    return {
      deltas: merged([...paid, ...deltas, ...owing(holding, untaken, now)]),
      split: { fromLot: 0, fromSpendable: points - notTaken - untaken, toDebt: untaken, notTaken },
    };
  }
  const fromLot = Math.min(points, Math.max(lot.points, 0));
  const rest = points - fromLot;
  // The lot's own points are gone now; what else the customer holds covers the rest.
  const after = {
    ...holding,
    lots: holding.lots.map((held) => (held.attribute === lot.attribute ? { ...held, points: held.points - fromLot } : held)),
  };
  const { deltas, untaken } = take(after, rest, now, now);
  return {
    deltas: merged([...paid, [lot.attribute, -fromLot], ...deltas, ...owing(after, untaken, now)]),
    split: { fromLot, fromSpendable: rest - untaken, toDebt: untaken, notTaken: 0 },
  };
}
