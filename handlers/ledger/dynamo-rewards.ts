/**
 * The rewards catalogue on DynamoDB: definitions in the catalogue's partition (read by key,
 * listed by one query), each reward's units in its shards (`reward-units`), and its codes. An
 * upload is idempotent: each code's own item is put only if absent, in the same transaction as
 * its free item and its shard's count, so a code known to the reward (free, issued or void) is a
 * duplicate and is never added twice, however often or concurrently the same codes are sent.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  CATALOGUE_PK,
  catalogueKey,
  codeShardOf,
  codeSk,
  freeCodeSk,
  randomSlot,
  REWARD_SHARDS,
  REWARD_SK_PREFIX,
  rewardShardPk,
} from "../domain/reward-keys";
import { isCounted, type Available, type Reward, type RewardDefinition } from "../domain/rewards";
import { readByKeys } from "./batch-read";
import { DEFINITION_ATTRIBUTE, rewardOf, storedDefinition } from "./catalogue-item";
import { AGAIN, retrying } from "../runtime/retry";
import { CONFLICT_RETRY, LedgerBusyError } from "./busy-retry";
import { failedAmong, isTransactionConflict, named, transactWrite, type NamedItem, type TransactionResult } from "./transactions";
import { availableOf, unitsKey, unitsKeys, unitsLeft } from "./reward-units";

export type PutRewardResult =
  | { outcome: "created" | "updated"; reward: Reward }
  /** `codes` differs from the stored reward's: a reward's units are codes or stock for good. */
  | { outcome: "codes-fixed"; codes: Reward["codes"] };

export type UploadResult =
  | { outcome: "uploaded"; added: number; duplicates: number; available: number }
  | { outcome: "not-found" }
  /** The reward hands out no codes (`codes: "none"`). */
  | { outcome: "takes-no-codes" };

/** A reward with what it has available (`null`: it counts no units). */
export interface RewardView {
  reward: Reward;
  available: Available;
}

/** The items of an upload's transaction, by name. */
type UploadItem = "code" | "free" | "units";

/** Codes per upload transaction: two items each, plus one counter per shard, within the 100 a transaction takes. */
const CODES_PER_TRANSACTION = 40;

export interface RewardStoreOptions {
  /** Shards of each reward's units; every function of a stack uses the same number. */
  shards?: number;
  /** The free codes' slots; a recording that must come out the same every time pins it. */
  random?: () => number;
}

export class DynamoRewards {
  readonly shards: number;
  private readonly random: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    { shards = REWARD_SHARDS, random = Math.random }: RewardStoreOptions = {},
  ) {
    this.shards = shards;
    this.random = random;
  }

  /**
   * Creates or replaces a definition (one conditioned update: `codes` cannot change), then sets
   * each shard's share of the stock, less what the shard handed out already (so a lower stock
   * than was redeemed leaves nothing, never less than nothing). Repeating a PUT repeats the same.
   */
  async put(rewardId: string, definition: RewardDefinition, at: Date): Promise<PutRewardResult> {
    const now = at.toISOString();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: catalogueKey(rewardId),
          UpdateExpression:
            "SET #definition = :definition, rewardId = :rewardId, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)",
          ConditionExpression: "attribute_not_exists(pk) OR #definition.codes = :codes",
          ExpressionAttributeNames: { "#definition": DEFINITION_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":definition": storedDefinition(definition),
            ":rewardId": rewardId,
            ":now": now,
            ":codes": definition.codes,
          },
          ReturnValues: "ALL_OLD",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      const before = Attributes ? rewardOf(Attributes) : undefined;
      const reward = rewardOf({ rewardId, definition: storedDefinition(definition), createdAt: before?.createdAt ?? now, updatedAt: now });
      if (reward.stock !== undefined) await this.allotStock(rewardId, reward.stock);
      return { outcome: before ? "updated" : "created", reward };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      return { outcome: "codes-fixed", codes: rewardOf(unmarshall(error.Item)).codes };
    }
  }

  /** Each shard's share of `stock` (the first `stock % shards` shards one more), less what it issued. */
  private async allotStock(rewardId: string, stock: number): Promise<void> {
    await Promise.all(
      unitsKeys(rewardId, this.shards).map((Key, shard) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: "SET #allotted = :allotted, #left = :allotted - if_not_exists(#issued, :zero)",
            ExpressionAttributeNames: { "#allotted": "allotted", "#left": "left", "#issued": "issued" },
            ExpressionAttributeValues: {
              ":allotted": Math.floor(stock / this.shards) + (shard < stock % this.shards ? 1 : 0),
              ":zero": 0,
            },
          }),
        ),
      ),
    );
  }

  async uploadCodes(rewardId: string, codes: readonly string[], at: Date): Promise<UploadResult> {
    const found = await this.reward(rewardId);
    if (!found) return { outcome: "not-found" };
    if (found.codes !== "pool") return { outcome: "takes-no-codes" };
    const unique = [...new Set(codes)];
    let added = 0;
    for (let start = 0; start < unique.length; start += CODES_PER_TRANSACTION) {
      added += await this.addCodes(rewardId, unique.slice(start, start + CODES_PER_TRANSACTION), at.toISOString());
    }
    const view = await this.view(found);
    return { outcome: "uploaded", added, duplicates: codes.length - added, available: view.available ?? 0 };
  }

  /**
   * Adds the codes not known yet, in one transaction: a known code fails its item's condition, so
   * the transaction is tried again without the codes that failed (each round removes at least one).
   */
  private async addCodes(rewardId: string, codes: readonly string[], at: string): Promise<number> {
    let remaining = [...codes];
    while (remaining.length > 0) {
      const result = await this.writeCodes(rewardId, remaining, at);
      if (result.written) return remaining.length;
      const known = new Set(failedAmong(result, "code"));
      if (known.size === 0) throw new Error(`uploading codes to ${rewardId} failed on a condition no code holds`);
      remaining = remaining.filter((_, i) => !known.has(i));
    }
    return 0;
  }

  /**
   * One transaction of codes: each code's own item (put if absent), its free item, and each
   * shard's count. Sent again as it was when it meets a redemption on the same shard: a conflict
   * cancels the whole transaction, so a retried chunk never counts a code twice.
   */
  private writeCodes(rewardId: string, codes: readonly string[], at: string): Promise<TransactionResult<UploadItem>> {
    const byShard = new Map<number, number>();
    for (const code of codes) {
      const shard = codeShardOf(code, this.shards);
      byShard.set(shard, (byShard.get(shard) ?? 0) + 1);
    }
    const items: NamedItem<UploadItem>[] = [
      ...named(
        "code",
        codes.map((code) => ({
          Put: {
            TableName: this.tableName,
            Item: { pk: rewardShardPk(rewardId, codeShardOf(code, this.shards)), sk: codeSk(code), state: "known", uploadedAt: at },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        })),
      ),
      ...named(
        "free",
        codes.map((code) => ({
          Put: {
            TableName: this.tableName,
            Item: { pk: rewardShardPk(rewardId, codeShardOf(code, this.shards)), sk: freeCodeSk(randomSlot(this.random), code) },
          },
        })),
      ),
      ...named(
        "units",
        [...byShard].map(([shard, count]) => ({
          Update: {
            TableName: this.tableName,
            Key: unitsKey(rewardId, shard),
            UpdateExpression: "ADD #left :count",
            ExpressionAttributeNames: { "#left": "left" },
            ExpressionAttributeValues: { ":count": count },
          },
        })),
      ),
    ];
    return retrying(
      CONFLICT_RETRY,
      async () => {
        try {
          return await transactWrite(this.client, items);
        } catch (error) {
          if (isTransactionConflict(error)) return AGAIN;
          throw error;
        }
      },
      {
        exhausted: (tries) =>
          new LedgerBusyError(
            `uploading codes to ${rewardId} met concurrent redemptions ${tries} times; uploading again adds what is missing`,
          ),
      },
    );
  }

  /** The definition alone, or `undefined`. */
  async reward(rewardId: string): Promise<Reward | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: catalogueKey(rewardId) }));
    return Item ? rewardOf(Item) : undefined;
  }

  /** A reward with what it has available now, or `undefined`. */
  async get(rewardId: string): Promise<RewardView | undefined> {
    const reward = await this.reward(rewardId);
    return reward ? this.view(reward) : undefined;
  }

  /** The whole catalogue, by rewardId, each with what it has available: one query of the catalogue's partition (paged). */
  async list(): Promise<RewardView[]> {
    const rewards: Reward[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :reward)",
          ExpressionAttributeValues: { ":pk": CATALOGUE_PK, ":reward": REWARD_SK_PREFIX },
          ...(after ? { ExclusiveStartKey: after } : {}),
        }),
      );
      rewards.push(...(page.Items ?? []).map(rewardOf));
      after = page.LastEvaluatedKey;
    } while (after);
    return Promise.all(rewards.map((reward) => this.view(reward)));
  }

  private async view(reward: Reward): Promise<RewardView> {
    if (!isCounted(reward)) return { reward, available: null };
    const items = await readByKeys(this.client, this.tableName, unitsKeys(reward.rewardId, this.shards));
    return { reward, available: availableOf(reward, unitsLeft(items, reward.rewardId, this.shards)) };
  }
}
