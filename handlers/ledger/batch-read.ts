/**
 * Reading items of several partitions in one request: a strongly consistent `BatchGetItem`.
 * Unlike `TransactGetItems` it never fails because a transaction is writing one of the items at
 * that moment, which a hot reward's shards always are; what the read saw is then checked by the
 * conditions of the write planned from it. Keys DynamoDB leaves unprocessed (throttling) are
 * asked again, a bounded number of times.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AGAIN, retrying } from "../runtime/retry";
import { UNPROCESSED_RETRY } from "./busy-retry";

export interface ItemKey {
  pk: string;
  sk: string;
}

/** Items read by their keys; a key with no item is absent. */
export interface ItemsByKey {
  get(key: ItemKey): Record<string, unknown> | undefined;
}

const keyText = (key: { pk?: unknown; sk?: unknown }) => `${String(key.pk)}\u0000${String(key.sk)}`;

/** `BatchGetItem` takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;

export async function readByKeys(client: DynamoDBDocumentClient, tableName: string, keys: readonly ItemKey[]): Promise<ItemsByKey> {
  if (keys.length > BATCH_GET_LIMIT) throw new Error(`one read takes at most ${BATCH_GET_LIMIT} keys, not ${keys.length}`);
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] = keys.map(({ pk, sk }) => ({ pk, sk }));
  if (pending.length > 0) {
    await retrying(
      UNPROCESSED_RETRY,
      async () => {
        const { Responses = {}, UnprocessedKeys = {} } = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses[tableName] ?? []) found.set(keyText(item), item);
        pending = UnprocessedKeys[tableName]?.Keys ?? [];
        return pending.length === 0 ? undefined : AGAIN;
      },
      { exhausted: (tries) => new Error(`DynamoDB left keys unread after ${tries} attempts`) },
    );
  }
  return { get: (key) => found.get(keyText(key)) };
}
