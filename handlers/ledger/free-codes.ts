/**
 * Which free code of a shard a redemption tries to claim, without a scan and mostly without a
 * request: a query of the shard's free codes (from a random slot of their order, so instances
 * that load at once start apart) fills a per-instance cache, and each redemption takes a random
 * code of it. The cache may be stale — another instance may have claimed the code — and that is
 * harmless: the claim's condition (the free item must still exist) is the truth. A failed claim
 * drops the shard's whole cache (the codes loaded with the lost one were likely taken too), so
 * the next try queries what is really left: a redemption loses at most about one claim per stale
 * cache, not one per code other instances took since it loaded, which grew as the pool drained.
 */
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { codeOfFreeSk, FREE_CODE_SK_PREFIX, randomSlot, rewardShardPk } from "../domain/reward-keys";

/** Free codes one query loads into the cache. */
export const FREE_CODES_PER_QUERY = 25;

/** A free code as the cache holds it: the code, and its free item's sort key (what a claim deletes). */
export interface FreeCode {
  code: string;
  sk: string;
}

export class FreeCodes {
  private readonly cached = new Map<string, FreeCode[]>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** A code believed free in the shard, taken out of the cache; `undefined` when the shard has none. */
  async take(rewardId: string, shard: number): Promise<FreeCode | undefined> {
    const pk = rewardShardPk(rewardId, shard);
    let codes = this.cached.get(pk) ?? [];
    if (codes.length === 0) {
      codes = await this.query(pk, `${FREE_CODE_SK_PREFIX}${randomSlot(this.random)}`);
      // Nothing after the random slot: the codes before it, if any.
      if (codes.length === 0) codes = await this.query(pk);
      this.cached.set(pk, codes);
    }
    const index = Math.floor(this.random() * codes.length);
    const [code] = codes.splice(index, 1);
    return code;
  }

  /** Whether the cache holds codes of the shard: a redemption prefers such a shard, as it needs no query. */
  holds(rewardId: string, shard: number): boolean {
    return (this.cached.get(rewardShardPk(rewardId, shard))?.length ?? 0) > 0;
  }

  /** Forgets what the cache holds for a shard, e.g. after the shard was read empty. */
  forget(rewardId: string, shard: number): void {
    this.cached.delete(rewardShardPk(rewardId, shard));
  }

  private async query(pk: string, after?: string): Promise<FreeCode[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :free)",
        ExpressionAttributeValues: { ":pk": pk, ":free": FREE_CODE_SK_PREFIX },
        ProjectionExpression: "sk",
        ConsistentRead: true,
        Limit: FREE_CODES_PER_QUERY,
        ...(after === undefined ? {} : { ExclusiveStartKey: { pk, sk: after } }),
      }),
    );
    return Items.flatMap((item) => (typeof item.sk === "string" ? [{ code: codeOfFreeSk(item.sk), sk: item.sk }] : []));
  }
}
