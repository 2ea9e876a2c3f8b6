/**
 * Tails the ledger table's stream on DynamoDB Local and publishes its points events, as Lambda's
 * event source mapping does for the stack's publisher: one shard after its parent, its records
 * in order, a failing record retried (from it, never before it) and, after `maxAttempts`, parked
 * and passed — so a poison record cannot stop a customer's events for good, and none is lost
 * without a word.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import { publishInOrder, type PublishEvent } from "../handlers/publisher/publish-in-order";
import { LOCAL_AWS } from "./dynamo-local";

export interface LedgerStreamOptions {
  /** DynamoDB Local's endpoint; its stream API is served there too. */
  endpoint: string;
  tableName: string;
  publish: PublishEvent;
  /** Attempts at a failing record before it is parked (Lambda's first try plus its retries). */
  maxAttempts?: number;
  /** Told of a record given up on, with the last error. */
  park(record: _Record, error: unknown): void;
  /** Told when reading the stream fails; reading is tried again. */
  onError(error: unknown): void;
  /** Pause between polls of a quiet stream, as Lambda polls a shard about four times a second. */
  idleMs?: number;
}

export interface LedgerStreamTail {
  /** Finishes the batch under way, then stops reading. */
  stop(): Promise<void>;
}

/**
 * The mapping's defaults in the stack: three attempts (two retries) before parking. A quiet shard
 * is polled four times a second, as Lambda polls one: polling it ten times a second cost a running
 * runtime about 0.025 CPU s a second (its own and DynamoDB Local's), the most of what one costs idle.
 */
export const LOCAL_STREAM_DEFAULTS = { maxAttempts: 3, idleMs: 250, retryDelayMs: 100, shardRefreshMs: 1_000 } as const;

interface ShardState {
  parentId?: string;
  iterator?: string;
  /** The last record published or passed: where to take up again when an iterator is refused. */
  lastSequence?: string;
  done: boolean;
}

/** An iterator DynamoDB no longer honours; reading goes on from the last record done. */
const isStaleIterator = (error: unknown) =>
  error instanceof Error && (error.name === "TrimmedDataAccessException" || error.name === "ExpiredIteratorException");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function streamArnOf(endpoint: string, tableName: string): Promise<string> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const arn = Table?.LatestStreamArn;
    if (arn === undefined) throw new Error(`table ${tableName} has no stream`);
    return arn;
  } finally {
    client.destroy();
  }
}

/**
 * Starts tailing. Shards that exist now are read from their end (`LATEST`): what a kept data
 * directory already holds was published by an earlier run; shards that appear later are read
 * from their start.
 */
export async function startLedgerStream(options: LedgerStreamOptions): Promise<LedgerStreamTail> {
  const maxAttempts = options.maxAttempts ?? LOCAL_STREAM_DEFAULTS.maxAttempts;
  const idleMs = options.idleMs ?? LOCAL_STREAM_DEFAULTS.idleMs;
  const streamArn = await streamArnOf(options.endpoint, options.tableName);
  const streams = new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: options.endpoint });
  const shards = new Map<string, ShardState>();
  const attempts = new Map<string, number>();

  async function listShards(): Promise<Shard[]> {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      found.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
    return found;
  }

  async function iteratorAt(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
    );
    return ShardIterator;
  }

  async function refreshShards(initial: boolean): Promise<void> {
    for (const shard of await listShards()) {
      if (shard.ShardId === undefined || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, {
        parentId: shard.ParentShardId,
        done: false,
        iterator: initial ? await iteratorAt(shard.ShardId, "LATEST") : undefined,
      });
    }
  }

  /** Reads one batch of a shard and publishes it; true when it held records. */
  async function pollShard(shardId: string, shard: ShardState): Promise<boolean> {
    shard.iterator ??= await iteratorAt(shardId, "TRIM_HORIZON");
    if (shard.iterator === undefined) {
      shard.done = true;
      return false;
    }
    let batch: GetRecordsCommandOutput;
    try {
      batch = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 100 }));
    } catch (error) {
      if (!isStaleIterator(error)) throw error;
      shard.iterator =
        shard.lastSequence === undefined
          ? await iteratorAt(shardId, "TRIM_HORIZON")
          : await iteratorAt(shardId, "AFTER_SEQUENCE_NUMBER", shard.lastSequence);
      return true;
    }
    const { Records = [], NextShardIterator } = batch;
    const outcome = await publishInOrder(Records, options.publish);
    if (outcome.failed === undefined) {
      shard.iterator = NextShardIterator;
      shard.lastSequence = Records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequence;
      shard.done = NextShardIterator === undefined;
      return Records.length > 0;
    }
    const { at, error } = outcome.failed;
    const failedIndex = Records.findIndex((candidate) => candidate.dynamodb?.SequenceNumber === at);
    shard.lastSequence = Records[failedIndex - 1]?.dynamodb?.SequenceNumber ?? shard.lastSequence;
    const tries = (attempts.get(at) ?? 0) + 1;
    if (tries < maxAttempts) {
      attempts.set(at, tries);
      shard.iterator = await iteratorAt(shardId, "AT_SEQUENCE_NUMBER", at);
      await sleep(LOCAL_STREAM_DEFAULTS.retryDelayMs * tries);
    } else {
      attempts.delete(at);
      const record = Records[failedIndex];
      if (record !== undefined) options.park(record, error);
      shard.lastSequence = at;
      shard.iterator = await iteratorAt(shardId, "AFTER_SEQUENCE_NUMBER", at);
    }
    return true;
  }

  await refreshShards(true);
  let stopped = false;
  let refreshedAt = Date.now();
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        if (Date.now() - refreshedAt >= LOCAL_STREAM_DEFAULTS.shardRefreshMs) {
          await refreshShards(false);
          refreshedAt = Date.now();
        }
        for (const [shardId, shard] of shards) {
          if (shard.done || stopped) continue;
          const parent = shard.parentId === undefined ? undefined : shards.get(shard.parentId);
          if (parent !== undefined && !parent.done) continue; // a customer's older changes first
          busy = (await pollShard(shardId, shard)) || busy;
        }
      } catch (error) {
        if (!stopped) options.onError(error);
      }
      if (!busy && !stopped) await sleep(idleMs);
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}
