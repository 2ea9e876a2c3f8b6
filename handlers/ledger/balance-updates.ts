/**
 * Every write to a user's balance item, as the `TransactWriteItems` action the ledger sends with
 * the entry that causes it. There are two kinds of change, each with one rule:
 * - Moves that need no read (crediting an order, reversing a refund) `ADD` to the totals. Each
 *   is guarded so that no total leaves the safe integers: DynamoDB holds numbers of 38 digits,
 *   but a total beyond Number.MAX_SAFE_INTEGER can no longer be read as a number, so a write
 *   that would leave one fails its transaction instead, in the same request.
 * - Changes planned from a read (spending a redemption, returning a cancelled one) `SET` what
 *   the plan computed, conditioned on the item still holding what was read, so two concurrent
 *   plans can never both apply. A planned value beyond the safe integers is refused before
 *   anything is sent.
 * Attribute names go through placeholders, so a name an expression cannot spell (a lot's
 * `lot_<day>_<day>`) is just another entry of the list a change moves.
 */
import { LedgerLimitError, SAFE_INTEGER_LIMIT } from "../domain/errors";
import type { EarnEntry, RedemptionCancelEntry, RedemptionEntry, ReversalEntry } from "../domain/ledger-entries";
import { BALANCE_ATTRIBUTES, balanceKey, type BalanceState } from "./balance-item";
import type { TransactItem } from "./transactions";

/** A move whose condition only keeps the totals safe: its failure means `refusal`. */
export interface GuardedMove {
  action: TransactItem;
  /** The error to raise when this action's condition failed: the move would leave the safe integers. */
  refusal: () => LedgerLimitError;
}

/** An attribute and what to add to it (negative to take away). */
type Delta = readonly [attribute: string, delta: number];

/** "the balance or lifetimeEarned beyond …": the limits the moving attributes would pass. */
function limitsPassed(deltas: readonly Delta[]): string {
  const moving = (up: boolean) => deltas.filter(([, delta]) => (up ? delta > 0 : delta < 0)).map(([attribute]) => attribute);
  return [
    [moving(true), `beyond ${SAFE_INTEGER_LIMIT}`] as const,
    [moving(false), `below -${SAFE_INTEGER_LIMIT}`] as const,
  ]
    .filter(([attributes]) => attributes.length > 0)
    .map(([attributes, limit]) => `the ${attributes.join(" or ")} ${limit}`)
    .join(" or ");
}

export function balanceUpdates(tableName: string) {
  /**
   * Adds each delta to its attribute (an absent one starts at zero) and stamps the time. Each
   * moving attribute is guarded: absent, or far enough from the limit on the side it moves to.
   * A zero delta cannot move a total out of range, so it has no guard.
   */
  function add(pk: string, deltas: readonly Delta[], at: string, what: string): GuardedMove {
    const names: Record<string, string> = { "#at": BALANCE_ATTRIBUTES.updatedAt };
    const values: Record<string, string | number> = { ":at": at };
    const guards: string[] = [];
    deltas.forEach(([attribute, delta], i) => {
      names[`#a${i}`] = attribute;
      values[`:d${i}`] = delta;
      if (delta === 0) return;
      values[`:b${i}`] = delta > 0 ? Number.MAX_SAFE_INTEGER - delta : Number.MIN_SAFE_INTEGER - delta;
      guards.push(`(attribute_not_exists(#a${i}) OR #a${i} ${delta > 0 ? "<=" : ">="} :b${i})`);
    });
    return {
      action: {
        Update: {
          TableName: tableName,
          Key: balanceKey(pk),
          UpdateExpression: `ADD ${deltas.map((_, i) => `#a${i} :d${i}`).join(", ")} SET #at = :at`,
          ...(guards.length > 0 ? { ConditionExpression: guards.join(" AND ") } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      refusal: () => new LedgerLimitError(`${what} would take ${limitsPassed(deltas)}`),
    };
  }

  /** Sets the balance to `after`, only if it still holds what was read. */
  function setFromRead(pk: string, read: BalanceState, after: number, at: string, what: string): TransactItem {
    if (!Number.isSafeInteger(after)) {
      throw new LedgerLimitError(`${what} would take the ${BALANCE_ATTRIBUTES.balance} beyond ${SAFE_INTEGER_LIMIT}`);
    }
    return {
      Update: {
        TableName: tableName,
        Key: balanceKey(pk),
        UpdateExpression: "SET #balance = :after, #at = :at",
        ConditionExpression: "#balance = :read",
        ExpressionAttributeNames: { "#balance": BALANCE_ATTRIBUTES.balance, "#at": BALANCE_ATTRIBUTES.updatedAt },
        ExpressionAttributeValues: { ":read": read.balance, ":after": after, ":at": at },
      },
    };
  }

  return {
    /**
     * An order's points, to the balance and to `lifetimeEarned`. The balance never exceeds
     * `lifetimeEarned` (refunds and redemptions only take back what was credited), so guarding
     * these ADDs keeps every balance write safe.
     */
    creditOrder: (entry: EarnEntry): GuardedMove =>
      add(
        entry.pk,
        [
          [BALANCE_ATTRIBUTES.balance, entry.points],
          [BALANCE_ATTRIBUTES.lifetimeEarned, entry.points],
        ],
        entry.recordedAt,
        `crediting ${entry.points} points`,
      ),

    /**
     * A refund's points, out of the balance; `lifetimeEarned` keeps them. Adding zero to it still
     * creates it on an item that lacks it, so the item always reads whole.
     */
    reverseRefund: (entry: ReversalEntry): GuardedMove =>
      add(
        entry.pk,
        [
          [BALANCE_ATTRIBUTES.balance, -entry.points],
          [BALANCE_ATTRIBUTES.lifetimeEarned, 0],
        ],
        entry.recordedAt,
        `reversing ${entry.points} points`,
      ),

    /** A redemption's spending: the balance its entry records, if the balance is still `read`. */
    spendRedemption: (read: BalanceState, entry: RedemptionEntry): TransactItem =>
      setFromRead(entry.pk, read, entry.balanceAfter, entry.recordedAt, `spending ${entry.points} points`),

    /** A cancelled redemption's points back: the balance its entry records, if still `read`. */
    returnRedemption: (read: BalanceState, entry: RedemptionCancelEntry): TransactItem =>
      setFromRead(entry.pk, read, entry.balanceAfter, entry.recordedAt, `returning ${entry.points} points`),
  };
}

export type BalanceUpdates = ReturnType<typeof balanceUpdates>;
