/**
 * Walks one day of a day index: a query per shard, page by page — never a scan. The settle
 * visits each customer listed and decides itself what to do with the index item.
 */
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DAY_INDEX_SHARDS } from "../domain/ledger-keys";

/** An index item: its key, the customer's partition as its sort key, and any marks. */
export type IndexItem = { pk: string; sk: string } & Record<string, unknown>;

export interface DayIndexWalk {
  /** The partition key of one shard of the day (`expiryIndexPk`, `releaseIndexPk`). */
  shardPk: (shard: number) => string;
  /** Items to leave out, as a filter on an attribute that must not exist (a mark of an earlier visit). */
  unless?: string;
}

export async function* walkDayIndex(client: DynamoDBDocumentClient, tableName: string, walk: DayIndexWalk): AsyncGenerator<IndexItem> {
  for (let shard = 0; shard < DAY_INDEX_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": walk.shardPk(shard) },
          ...(walk.unless === undefined
            ? {}
            : { FilterExpression: "attribute_not_exists(#mark)", ExpressionAttributeNames: { "#mark": walk.unless } }),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield { ...item, pk: String(item.pk), sk: String(item.sk) };
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
