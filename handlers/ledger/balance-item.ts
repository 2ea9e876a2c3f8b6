/**
 * A user's balance item (`pk = USER#<id>`, `sk = BALANCE`): the one item every change of a
 * user's points touches. Its attribute names, its shape as read back, and what a user who has
 * none holds are declared here once; `balance-updates` builds every write to it from the same
 * names, so a new attribute (a lot, a debt, a version) is added next to the ones it joins.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { CorruptLedgerItemError } from "../domain/errors";
import { SafeCountSchema } from "../domain/ledger-entries";
import { BALANCE_SK } from "../domain/ledger-keys";

/** The stored names of the item's attributes besides its key. */
export const BALANCE_ATTRIBUTES = {
  /** Points earned minus points reversed and spent; below zero only when a refund reverses spent points. */
  balance: "balance",
  /** Every point ever credited; refunds and redemptions do not reduce it. */
  lifetimeEarned: "lifetimeEarned",
  /** When the balance last changed. */
  updatedAt: "updatedAt",
} as const;

const BalanceItemSchema = v.object({
  pk: v.string(),
  sk: v.literal(BALANCE_SK),
  [BALANCE_ATTRIBUTES.balance]: SafeCountSchema,
  [BALANCE_ATTRIBUTES.lifetimeEarned]: SafeCountSchema,
  [BALANCE_ATTRIBUTES.updatedAt]: v.string(),
});

/**
 * A balance as read: what the API answers, and the state a conditioned write (a redemption, a
 * cancel) must still find for its change to apply.
 */
export interface BalanceState {
  balance: number;
  lifetimeEarned: number;
  /** When the balance last changed; `null` for a user with no entries. */
  updatedAt: string | null;
}

/** What a user with no balance item holds: nothing has ever been credited to them. */
const NO_BALANCE: BalanceState = { balance: 0, lifetimeEarned: 0, updatedAt: null };

/** The key of the balance item in the partition `pk` (a user's, as entries carry it). */
export const balanceKey = (pk: string) => ({ pk, sk: BALANCE_SK });

/**
 * The balance an item read from the table holds; no item is a zero balance. An item that breaks
 * the schema (a total the SDK could only read as a BigInt, say) fails with an error naming the
 * item and the field, not a bare ValiError, so the failed request's log says what needs repairing.
 */
export function balanceState(item: Record<string, unknown> | undefined): BalanceState {
  if (item === undefined) return NO_BALANCE;
  const result = v.safeParse(BalanceItemSchema, item);
  if (!result.success) {
    const key = `${String(item.pk)} ${String(item.sk)}`;
    throw new CorruptLedgerItemError(`ledger item ${key} cannot be read: ${describeIssues(result.issues)}`);
  }
  const { balance, lifetimeEarned, updatedAt } = result.output;
  return { balance, lifetimeEarned, updatedAt };
}
