/**
 * Reading a user's items as of one instant: one strongly consistent `TransactGetItems`, so a
 * change planned from them (a refund, a redemption, a release) sees the balance and the entries
 * it depends on together, and its conditioned write either applies to exactly that or fails.
 */
import { TransactGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { userPk } from "../domain/ledger-keys";
import { BALANCE_ATTRIBUTES } from "./balance-item";
import { tombstoneKey } from "./tombstones";
import { failed, oldItemOf, type TransactionResult } from "./transactions";

export async function readUserItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  sortKeys: readonly string[],
): Promise<Array<Record<string, unknown> | undefined>> {
  const { items } = await readItems(client, tableName, userId, sortKeys, false);
  return items;
}

/**
 * The same read, with the customer's tombstone in it (no more requests): a change refused on what
 * it read (a take the balance does not cover) must tell an erased customer from one who holds too
 * little, as an erased customer's balance reads as nothing.
 */
export async function readUserItemsUnlessErased(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  sortKeys: readonly string[],
): Promise<{ erased: true } | { erased: false; items: Array<Record<string, unknown> | undefined> }> {
  const { items, erased } = await readItems(client, tableName, userId, sortKeys, true);
  return erased ? { erased } : { erased, items };
}

async function readItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  sortKeys: readonly string[],
  withTombstone: boolean,
) {
  const keys = [...sortKeys.map((sk) => ({ pk: userPk(userId), sk })), ...(withTombstone ? [tombstoneKey(userId)] : [])];
  const { Responses = [] } = await client.send(
    new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })) }),
  );
  return { items: sortKeys.map((_, i) => Responses[i]?.Item), erased: withTombstone && Responses[sortKeys.length]?.Item !== undefined };
}

/**
 * Whether a planned balance change (the item named `name`) failed because its totals guard failed
 * (the item is still at the version read, as its returned old image shows) rather than because it
 * moved on.
 */
export function refusedAtVersion<Name extends string>(result: TransactionResult<Name>, name: NoInfer<Name>, version: number): boolean {
  return failed(result, name) && (oldItemOf(result, name)?.[BALANCE_ATTRIBUTES.version] ?? 0) === version;
}
