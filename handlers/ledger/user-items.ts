/**
 * Reading a user's items as of one instant: one strongly consistent `TransactGetItems`, so a
 * change planned from them (a refund, a redemption, a release) sees the balance and the entries
 * it depends on together, and its conditioned write either applies to exactly that or fails.
 */
import { TransactGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { userPk } from "../domain/ledger-keys";
import { BALANCE_ATTRIBUTES } from "./balance-item";
import type { TransactionResult } from "./transactions";

export async function readUserItems(client: DynamoDBDocumentClient, tableName: string, userId: string, sortKeys: readonly string[]): Promise<Array<Record<string, unknown> | undefined>> {
  const { Responses = [] } = await client.send(
    new TransactGetCommand({
      TransactItems: sortKeys.map((sk) => ({ Get: { TableName: tableName, Key: { pk: userPk(userId), sk } } })),
    }),
  );
  return sortKeys.map((_, i) => Responses[i]?.Item);
}

/**
 * Whether a planned balance change failed at `index` because its totals guard failed (the item is
 * still at the version read, as its returned old image shows) rather than because it moved on.
 */
export function refusedAtVersion(result: TransactionResult, index: number, version: number): boolean {
  if (result.written) return false;
  const reason = result.reasons[index];
  if (reason?.code !== "ConditionalCheckFailed") return false;
  return (reason.item?.[BALANCE_ATTRIBUTES.version] ?? 0) === version;
}
