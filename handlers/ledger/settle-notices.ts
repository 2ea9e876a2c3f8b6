/**
 * What the settle's warnings share, whatever they warn of (points expiring, a level not kept):
 * the notice is written once, and never into the partition of a customer erased since the index
 * was read; the index item is marked visited, so later runs (which cover the days before theirs
 * too) skip it while the item stays for what its day still needs.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { balanceKey } from "./balance-item";
import { notErasedCheck } from "./tombstones";
import { putNewEntry, transactWrite } from "./transactions";

/** The index item's mark that its customer was warned (the walks' `unless`). */
export const WARNED = "warnedAt";

/** The customer's balance item, read consistently: what the settle plans a notice from. */
export async function balanceItemOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: balanceKey(pk), ConsistentRead: true }));
  return Item;
}

/** Writes `notice` unless an earlier visit did or its customer was erased; whether this call wrote it. */
export async function putNoticeOnce(client: DynamoDBDocumentClient, tableName: string, notice: { pk: string }): Promise<boolean> {
  const result = await transactWrite(client, [
    { name: "notice", item: putNewEntry(tableName, notice) },
    { name: "notErased", item: notErasedCheck(tableName, notice.pk) },
  ]);
  return result.written;
}

/** Marks the index item visited; one deleted meanwhile (erased, settled) stays gone. */
export async function markWarned(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: { pk: string; sk: string },
  now: Date,
): Promise<void> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: "SET #warned = :now",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#warned": WARNED },
        ExpressionAttributeValues: { ":now": now.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
