/**
 * A user's balance item (`pk = USER#<id>`, `sk = BALANCE`): the one item every change of a
 * user's points touches. Its attribute names, its shape as read back, and what a user who has
 * none holds are declared here once; `balance-updates` builds every write to it from the same
 * names, so a new attribute (a lot, a debt, a version) is added next to the ones it joins.
 *
 * Each live lot is a top-level number attribute named by its dates (`lot_2026-01-16_2027-01-16`,
 * see `lifecycle`). An item written before lots has only `balance`: it reads as a lot that is
 * spendable at once and never expires, and a value below zero (a refund of spent points) as owed.
 *
 * What arrived before its order is not noted here but in a note of its own (`early-notes`): the
 * orders that never come would otherwise grow this item without bound.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { CorruptLedgerItemError } from "../domain/errors";
import { SafeCountSchema } from "../domain/ledger-entries";
import { BALANCE_SK } from "../domain/ledger-keys";
import { lotDatesOf } from "../domain/lifecycle";
import { DEBT_ATTRIBUTE, DEBT_FROM_ATTRIBUTE, EXPIRED_TOTAL_ATTRIBUTE } from "../domain/lot-plans";
import type { Holding, Lot } from "../domain/lots";

/** The stored names of the item's attributes besides its key and its lots. */
export const BALANCE_ATTRIBUTES = {
  /** Items from before lots: points earned minus reversed and spent, a lot of its own. */
  balance: "balance",
  /** Every point ever credited; refunds, redemptions and expiries do not reduce it. */
  lifetimeEarned: "lifetimeEarned",
  /** When the balance last changed. */
  updatedAt: "updatedAt",
  /** Points reversed after they were spent and not yet covered by other points. */
  debt: DEBT_ATTRIBUTE,
  /** When the debt last grew (epoch ms): lots that expired before it pay none of it. */
  debtFrom: DEBT_FROM_ATTRIBUTE,
  /** Points that expired and were settled off the item. */
  expiredTotal: EXPIRED_TOTAL_ATTRIBUTE,
  /** Counts the changes planned from a read (spending, refunds, releases, expiries): each is conditioned on it. */
  version: "version",
} as const;

const BalanceItemSchema = v.looseObject({
  pk: v.string(),
  sk: v.literal(BALANCE_SK),
  [BALANCE_ATTRIBUTES.balance]: v.optional(SafeCountSchema),
  [BALANCE_ATTRIBUTES.lifetimeEarned]: SafeCountSchema,
  // Absent on items that only noted early arrivals, before those had notes of their own.
  [BALANCE_ATTRIBUTES.updatedAt]: v.optional(v.string()),
  [BALANCE_ATTRIBUTES.debt]: v.optional(SafeCountSchema, 0),
  [BALANCE_ATTRIBUTES.debtFrom]: v.optional(SafeCountSchema),
  [BALANCE_ATTRIBUTES.expiredTotal]: v.optional(SafeCountSchema, 0),
  [BALANCE_ATTRIBUTES.version]: v.optional(SafeCountSchema, 0),
});

/**
 * A balance as read: its lots (from which the API computes what is spendable at any instant) and
 * the version a change planned from it must still find for its change to apply.
 */
export interface BalanceState {
  holding: Holding;
  lifetimeEarned: number;
  expiredTotal: number;
  version: number;
  /** When the balance last changed; `null` for a user with no entries. */
  updatedAt: string | null;
}

/** What a user with no balance item holds: nothing has ever been credited to them. */
const NO_BALANCE: BalanceState = { holding: { lots: [], debt: 0 }, lifetimeEarned: 0, expiredTotal: 0, version: 0, updatedAt: null };

/** The key of the balance item in the partition `pk` (a user's, as entries carry it). */
export const balanceKey = (pk: string) => ({ pk, sk: BALANCE_SK });

/** The lot of an item from before lots: spendable at once, never expiring. */
export const legacyLot = (points: number): Lot => ({ attribute: BALANCE_ATTRIBUTES.balance, availableDay: null, expiresDay: null, points });

/**
 * The balance an item read from the table holds; no item is a zero balance. An item that breaks
 * the schema (a total the SDK could only read as a BigInt, say) fails with an error naming the
 * item and the field, not a bare ValiError, so the failed request's log says what needs repairing.
 */
export function balanceState(item: Record<string, unknown> | undefined): BalanceState {
  if (item === undefined) return NO_BALANCE;
  const key = `${String(item.pk)} ${String(item.sk)}`;
  const result = v.safeParse(BalanceItemSchema, item);
  if (!result.success) {
    throw new CorruptLedgerItemError(`ledger item ${key} cannot be read: ${describeIssues(result.issues)}`);
  }
  const lots: Lot[] = [];
  for (const [attribute, value] of Object.entries(item)) {
    const dates = lotDatesOf(attribute);
    if (dates === undefined) continue;
    const points = v.safeParse(SafeCountSchema, value);
    if (!points.success)
      throw new CorruptLedgerItemError(`ledger item ${key} cannot be read: ${attribute}: ${describeIssues(points.issues)}`);
    lots.push({ attribute, ...dates, points: points.output });
  }
  const { balance, lifetimeEarned, updatedAt, debt, debtFrom, expiredTotal, version } = result.output;
  if (balance !== undefined) lots.push(legacyLot(balance));
  return {
    holding: { lots, debt, ...(debtFrom === undefined ? {} : { debtFrom }) },
    lifetimeEarned,
    expiredTotal,
    version,
    updatedAt: updatedAt ?? null,
  };
}
