/**
 * Reading a user's items as of one instant: one strongly consistent `TransactGetItems`, so a
 * change planned from them (a refund, a redemption, a release) sees the balance and the entries
 * it depends on together, and its conditioned write either applies to exactly that or fails.
 */
import { TransactGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { userPk } from "../domain/ledger-keys";
import { BALANCE_ATTRIBUTES } from "./balance-item";
import { TIER_VERSION_ATTRIBUTE } from "./tier-item";
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
 * (the item is still at the version read, and at the tier version read when it moves tiers, as its
 * returned old image shows) rather than because it moved on.
 */
export function refusedAtVersion<Name extends string>(
  result: TransactionResult<Name>,
  name: NoInfer<Name>,
  version: number | undefined,
  tierVersion?: number,
): boolean {
  const old = oldItemOf(result, name);
  return (
    failed(result, name) &&
    (version === undefined || (old?.[BALANCE_ATTRIBUTES.version] ?? 0) === version) &&
    (tierVersion === undefined || (old?.[TIER_VERSION_ATTRIBUTE] ?? 0) === tierVersion)
  );
}
