/**
 * The guard that keeps an erased customer erased: every transaction that could create a
 * customer's items again (an order's credit, an early arrival, a refund, a return window's
 * close, an adjustment, a redemption, a cancel, the settle's expiry) checks that the customer has no tombstone, in the same request it makes anyway. One
 * more item of the transaction, no more requests.
 */
import { erasedPk, TOMBSTONE_SK, userIdOf } from "../domain/ledger-keys";
import type { TransactItem } from "./transactions";

/** The key of the tombstone of `userId`. */
export const tombstoneKey = (userId: string) => ({ pk: erasedPk(userId), sk: TOMBSTONE_SK });

/** A `ConditionCheck` that the customer of partition `pk` was never erased. */
export function notErasedCheck(tableName: string, pk: string): TransactItem {
  return { ConditionCheck: { TableName: tableName, Key: tombstoneKey(userIdOf(pk)), ConditionExpression: "attribute_not_exists(pk)" } };
}
