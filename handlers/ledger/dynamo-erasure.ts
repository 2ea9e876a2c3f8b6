/**
 * Erasing a customer from the ledger, however many entries they have, resumably:
 * 1. read the balance item (what the customer holds);
 * 2. put the tombstone (`ERASED#<sha256 of the id>`), unless one is there, in one transaction
 *    with a check that the balance item is still as read (its `version`, which every planned
 *    change bumps, and its `lifetimeEarned`, which every credit and grant raises) — a change in
 *    between fails the check and returns the item as it is now, which is tried instead. So the
 *    tombstone's `pointsRemoved` (and the `Points Erased` its insert publishes) is what the
 *    customer held when it landed. From then on no event or adjustment writes anything for the
 *    customer again, and a second erasure reports the points the first one removed;
 * 3. read the balance item again: its lots, as nothing can change them any more, name every day
 *    the customer is in the day indexes (even a lot the check above cannot see move, such as an
 *    order of 0 points), its tier buckets and periods every day they are in the release and tier
 *    indexes, and it says whether there is a balance item to delete;
 * 4. delete the day-index items, then every item of the customer's partition, page by page
 *    (a Query of keys only, `BatchWriteItem` deletes of 25), the balance item last — so an
 *    erasure that fails half-way still finds, when retried, what is left and where it is indexed.
 * Requests: 3, plus one Query per page of the partition, plus one `BatchWriteItem` per 25 items
 * (and one per retry of unprocessed items, a bounded number of them: then the erasure fails, and
 * resumes when run again), plus one transaction per change that beat the tombstone.
 */
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { outstandingPoints, TombstoneSchema, type Tombstone } from "../domain/erasure";
import { CorruptLedgerItemError } from "../domain/errors";
import { CATCH_UP_DAYS, DAY_MS, dayOf, lotDatesOf } from "../domain/lifecycle";
import { BALANCE_SK, expiryIndexPk, indexShardOf, releaseIndexPk, tierIndexPk, userPk } from "../domain/ledger-keys";
import { bucketsOf } from "../domain/tier-buckets";
import { forEachLimited } from "../runtime/limited-concurrency";
import { AGAIN, RetriesExhaustedError, retrying, type RetryPolicy } from "../runtime/retry";
import { BALANCE_ATTRIBUTES, balanceKey, balanceState } from "./balance-item";
import { BUSY_RETRY, busyBalance, UNPROCESSED_RETRY } from "./busy-retry";
import { tierBookOf, tierEndsOf } from "./tier-item";
import { tombstoneKey } from "./tombstones";
import { failed, oldItemOf, transactWrite, type TransactItem } from "./transactions";

/**
 * What an erasure did (`pointsRemoved`, `erasedAt`; the tombstone's key, never the id). The
 * tombstone holds the same, and its insert publishes `Points Erased` from the table's stream.
 */
export interface ErasureReport {
  /** Outstanding points (spendable and pending) the customer held when first erased. */
  pointsRemoved: number;
  /** When the customer was first erased. */
  erasedAt: string;
  /** The tombstone's partition key: a digest of the id, safe to log. */
  tombstone: string;
  /**
   * Deletes this call sent (0 when an earlier erasure had finished): every item of the partition,
   * and each day-index item the lots name — one the settle has visited already counts too, as
   * deleting what is gone is harmless and cheaper than reading first.
   */
  itemsDeleted: number;
}

type Key = { pk: string; sk: string };

/**
 * The index items a customer's tiers put, from the balance item: the tier index of each period's
 * end (those the state holds, and those it dropped that the settle may not have visited), and the release index of each bucket's
 * release the settle may not have visited yet. A tier state the ledger cannot read names none:
 * it must not keep a customer from being erased.
 */
function tierIndexPksOf(item: Record<string, unknown> | undefined, shard: number, unvisitedFrom: string): string[] {
  const releases = bucketsOf(item ?? {}).flatMap((bucket) => {
    const day = dayOf(bucket.releasedAt);
    return day < unvisitedFrom ? [] : [releaseIndexPk(day, shard)];
  });
  const ends: number[] = [];
  try {
    ends.push(...tierEndsOf(item));
    for (const period of tierBookOf(item).state.periods) if (period.until !== null) ends.push(period.until);
  } catch (error) {
    if (!(error instanceof CorruptLedgerItemError)) throw error;
  }
  return [...releases, ...ends.map((end) => tierIndexPk(dayOf(end), shard))];
}

/** The write requests of one `BatchWriteItem` on one table. */
type WriteRequests = NonNullable<BatchWriteCommandInput["RequestItems"]>[string];

/** How an erasure pages and retries; the defaults are production's, tests make them small. */
export interface ErasureOptions {
  /** How often a batch's unprocessed deletes are sent again before the erasure fails. */
  unprocessedRetry?: RetryPolicy;
  /**
   * Keys per page of the partition's query; by default as many as DynamoDB returns (up to 1 MB
   * of items). A small page lets a test page through a small customer.
   */
  pageSize?: number;
}

/** `BatchWriteItem` takes at most 25 requests. */
const BATCH = 25;

export class DynamoErasure {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** `BatchWriteItem` requests in flight at once. */
    private readonly concurrency = 8,
    private readonly options: ErasureOptions = {},
  ) {}

  async erase(userId: string, now: Date): Promise<ErasureReport> {
    const pk = userPk(userId);
    const tombstone = await this.putTombstone(userId, now);
    // Read after the tombstone: whatever committed before it is here, and nothing commits after it.
    const { Item: balanceItem } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: balanceKey(pk), ConsistentRead: true }),
    );

    // The days come from the lots' names, so even a balance item that cannot be read is unindexed.
    const lots = Object.keys(balanceItem ?? {}).flatMap((attribute) => lotDatesOf(attribute) ?? []);
    const shard = indexShardOf(userId);
    const unvisitedFrom = dayOf(now.getTime() - CATCH_UP_DAYS * DAY_MS);
    const indexPks = new Set([
      ...lots.flatMap((lot) => (lot.expiresDay === null ? [] : [expiryIndexPk(lot.expiresDay, shard)])),
      // A release index item lasts until the settle visits its day: pending lots, and those released within its catch-up.
      ...lots.flatMap((lot) =>
        lot.availableDay === null || lot.availableDay < unvisitedFrom ? [] : [releaseIndexPk(lot.availableDay, shard)],
      ),
    ]);
    for (const indexPk of tierIndexPksOf(balanceItem, shard, unvisitedFrom)) indexPks.add(indexPk);
    let pending: Key[] = [...indexPks].map((indexPk) => ({ pk: indexPk, sk: pk }));
    let itemsDeleted = 0;
    // The partition's pages are read after the tombstone too: a balance item they show goes, whatever the read above found.
    let balanceFound = balanceItem !== undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ProjectionExpression: "pk, sk",
          ConsistentRead: true,
          ExclusiveStartKey: start,
          Limit: this.options.pageSize,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
      balanceFound ||= keys.some((key) => key.sk === BALANCE_SK);
      pending.push(...keys.filter((key) => key.sk !== BALANCE_SK));
      // Whole batches now; the rest joins the next page's, so every request but the last is full.
      const whole = pending.length - (pending.length % BATCH);
      itemsDeleted += await this.deleteAll(pending.slice(0, whole));
      pending = pending.slice(whole);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    // The balance item goes last: until then, a retry can read where the customer is indexed.
    itemsDeleted += await this.deleteAll(pending);
    if (balanceFound) itemsDeleted += await this.deleteAll([balanceKey(pk)]);
    return { pointsRemoved: tombstone.pointsRemoved, erasedAt: tombstone.erasedAt, tombstone: tombstone.pk, itemsDeleted };
  }

  /**
   * What the customer still held. A balance item the ledger cannot read (see
   * `CorruptLedgerItemError`) must not keep a customer from being erased: it counts as 0.
   */
  private outstanding(balanceItem: Record<string, unknown> | undefined, now: Date): number {
    try {
      return outstandingPoints(balanceState(balanceItem).holding, now.getTime());
    } catch (error) {
      if (error instanceof CorruptLedgerItemError) return 0;
      throw error;
    }
  }

  /**
   * Puts the tombstone unless one is there, with what the customer holds as it lands; returns the
   * one that stands. A change of the balance item between its read and the tombstone fails the
   * transaction's check, whose returned item is the next try's read.
   */
  private async putTombstone(userId: string, now: Date): Promise<Tombstone> {
    const key = balanceKey(userPk(userId));
    let { Item: read } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return retrying<Tombstone>(
      BUSY_RETRY,
      async () => {
        const tombstone: Tombstone = { ...tombstoneKey(userId), erasedAt: now.toISOString(), pointsRemoved: this.outstanding(read, now) };
        const result = await transactWrite(this.client, [
          {
            name: "tombstone",
            item: {
              Put: {
                TableName: this.tableName,
                Item: tombstone,
                ConditionExpression: "attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
          },
          { name: "balanceAsRead", item: this.unchangedCheck(key, read) },
        ]);
        if (result.written) return tombstone;
        if (failed(result, "tombstone")) {
          const standing =
            oldItemOf(result, "tombstone") ??
            (await this.client.send(new GetCommand({ TableName: this.tableName, Key: tombstoneKey(userId), ConsistentRead: true }))).Item;
          return v.parse(TombstoneSchema, standing);
        }
        read = oldItemOf(result, "balanceAsRead");
        return AGAIN;
      },
      busyBalance(`the customer of ${tombstoneKey(userId).pk}`),
    );
  }

  /**
   * That the balance item is as `read`: absent, or at the same `version` (every change planned
   * from a read bumps it) and `lifetimeEarned` (every credit and grant of points raises it), so
   * no point came or went. The item as it is now comes back when it moved.
   */
  private unchangedCheck(key: Key, read: Record<string, unknown> | undefined): TransactItem {
    const check = { TableName: this.tableName, Key: key, ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const };
    if (read === undefined) return { ConditionCheck: { ...check, ConditionExpression: "attribute_not_exists(pk)" } };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const guards = [BALANCE_ATTRIBUTES.version, BALANCE_ATTRIBUTES.lifetimeEarned].map((attribute, i) => {
      names[`#a${i}`] = attribute;
      if (read[attribute] === undefined) return `attribute_not_exists(#a${i})`;
      values[`:v${i}`] = read[attribute];
      return `#a${i} = :v${i}`;
    });
    return {
      ConditionCheck: {
        ...check,
        ConditionExpression: `attribute_exists(pk) AND ${guards.join(" AND ")}`,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /**
   * Deletes `keys` in batches of 25, a few at once, until DynamoDB has processed every one
   * (unprocessed ones are sent again, as often as `options.unprocessedRetry` allows).
   */
  private async deleteAll(keys: readonly Key[]): Promise<number> {
    const batches: Key[][] = [];
    for (let i = 0; i < keys.length; i += BATCH) batches.push(keys.slice(i, i + BATCH));
    // A failed batch stops the others from starting, and the erasure fails once those in flight
    // have settled: a retry then finds a stable remainder.
    let failure: { error: unknown } | undefined;
    await forEachLimited(batches, this.concurrency, async (batch) => {
      if (failure) return;
      try {
        let requests: WriteRequests = batch.map((Key) => ({ DeleteRequest: { Key } }));
        await retrying(
          this.options.unprocessedRetry ?? UNPROCESSED_RETRY,
          async () => {
            const { UnprocessedItems } = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
            requests = UnprocessedItems?.[this.tableName] ?? [];
            return requests.length > 0 ? AGAIN : undefined;
          },
          {
            exhausted: (tries) =>
              new RetriesExhaustedError(
                `${requests.length} deletes of the erasure were still left unprocessed by DynamoDB after ${tries} tries; erasing again resumes`,
              ),
          },
        );
      } catch (error) {
        failure ??= { error };
      }
    });
    if (failure) throw failure.error;
    return keys.length;
  }
}
