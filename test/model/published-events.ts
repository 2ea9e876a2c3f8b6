/**
 * What the ledger published, read the way the stack publishes it: the table's stream on DynamoDB
 * Local, every record through the publisher's own handler (`createStreamPublisher`: the record's
 * change, the domain's transform, the `PutEvents` entry), the entries kept instead of sent.
 *
 * One reader per table, shared by the runs on it (each run a customer of its own, runs of one file
 * may overlap): a read goes to the end of the stream — DynamoDB Local writes a change's stream
 * record before it answers the write — and files each event under the partition of its entry, so
 * a run takes exactly its own customer's events, in stream order.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { createStreamPublisher } from "../../handlers/publisher/stream-publisher";
import { createLogger } from "../../handlers/runtime/log";
import { LOCAL_AWS } from "../../local/dynamo-local";
import type { DynamoEndpoint } from "../support/dynamo-local-per-file";
import type { Harness } from "../support/dynamo-harness";

export interface PublishedEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface PublishedEvents {
  /**
   * The events published since the last call whose `entryId` is in one of `partitions` (`USER#u-1`,
   * `ERASED#…`), each partition's in stream order; `failures`, the publisher's refusals since the
   * last call of any record (one it cannot turn into an event names no customer), go to the caller
   * that takes them.
   */
  take(partitions: readonly string[]): Promise<{ events: PublishedEvent[]; failures: string[] }>;
}

/** An iterator DynamoDB no longer honours: reading goes on after the last record read. */
const isStaleIterator = (error: unknown) =>
  error instanceof Error && (error.name === "TrimmedDataAccessException" || error.name === "ExpiredIteratorException");

const partitionOf = (entryId: unknown) => (typeof entryId === "string" ? entryId.slice(0, Math.max(0, entryId.indexOf("/"))) : "");

export async function readPublishedEvents(dynamo: DynamoEndpoint, harness: Harness): Promise<PublishedEvents> {
  const tables = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
  const { Table } = await tables.send(new DescribeTableCommand({ TableName: harness.tableName }));
  tables.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`table ${harness.tableName} has no stream: create it with {stream: true}`);
  const streams = new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });

  const byPartition = new Map<string, PublishedEvent[]>();
  const failures: string[] = [];
  const publish = createStreamPublisher({
    putEntry: async (entry) => {
      const detail = JSON.parse(entry.Detail) as Record<string, unknown>;
      const partition = partitionOf(detail.entryId);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), { detailType: entry.DetailType, detail }]);
      return { failedEntryCount: 0 };
    },
    eventBusName: "model",
    logger: createLogger("error", (line) => failures.push(line)),
  });

  const shardsOf = async () => (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
  const iteratorAt = async (shardId: string | undefined, after?: string) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: after ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
          SequenceNumber: after,
        }),
      )
    ).ShardIterator;

  let shardId = (await shardsOf())[0]?.ShardId;
  let iterator = await iteratorAt(shardId);
  let lastSequence: string | undefined;

  /** Publishes every record up to the stream's end. */
  async function readToEnd(): Promise<void> {
    for (;;) {
      if (iterator === undefined) {
        // The shard closed: its child holds the changes after it.
        const child = (await shardsOf()).find((shard) => shard.ParentShardId === shardId);
        if (child === undefined) return;
        shardId = child.ShardId;
        lastSequence = undefined;
        iterator = await iteratorAt(shardId);
      }
      let records: _Record[];
      try {
        const batch = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records = batch.Records ?? [];
        iterator = batch.NextShardIterator;
      } catch (error) {
        if (!isStaleIterator(error)) throw error;
        iterator = await iteratorAt(shardId, lastSequence);
        continue;
      }
      if (records.length === 0 && iterator !== undefined) return;
      lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? lastSequence;
      // A refused record is told (the comparison fails on it), and the records after it still publish.
      let rest = records;
      while (rest.length > 0) {
        const [failed] = (await publish({ Records: rest })).batchItemFailures;
        const at = failed === undefined ? -1 : rest.findIndex((record) => record.dynamodb?.SequenceNumber === failed.itemIdentifier);
        rest = at < 0 ? [] : rest.slice(at + 1);
      }
    }
  }

  let reading: Promise<unknown> = Promise.resolve();
  return {
    take: async (partitions) => {
      const read = reading.then(readToEnd);
      reading = read.catch(() => undefined);
      await read;
      const events = partitions.flatMap((partition) => byPartition.get(partition) ?? []);
      for (const partition of partitions) byPartition.delete(partition);
      return { events, failures: failures.splice(0) };
    },
  };
}
