/**
 * A reward's units (its free codes, or what its stock has left) kept in shards: each shard's
 * counter item (`UNITS`: `left`, `issued`) and, for a pool reward, the free codes under it. A
 * redemption claims one unit of one shard in its own transaction — the counter's `left > 0`
 * guard for stock, and also the delete of one free code, guarded by its existence — so no unit is
 * handed out twice and `left` never goes below zero, while redemptions in different shards never
 * touch the same item. What is available is the sum over the shards, read in the redemption's
 * one read anyway.
 */
import * as v from "valibot";
import { SafeCountSchema } from "../domain/ledger-entries";
import { codeShardOf, codeSk, rewardShardPk, UNITS_SK } from "../domain/reward-keys";
import type { Available, Reward } from "../domain/rewards";
import { isCounted } from "../domain/rewards";
import type { ItemKey, ItemsByKey } from "./batch-read";
import type { TransactItem } from "./transactions";

const UnitsItemSchema = v.looseObject({ left: v.optional(SafeCountSchema, 0), issued: v.optional(SafeCountSchema, 0) });

export const unitsKey = (rewardId: string, shard: number): ItemKey => ({ pk: rewardShardPk(rewardId, shard), sk: UNITS_SK });

/** The counter items of a reward's `shards` shards. */
export const unitsKeys = (rewardId: string, shards: number): ItemKey[] =>
  Array.from({ length: shards }, (_, shard) => unitsKey(rewardId, shard));

/** Units left in each shard, as read (a shard never written holds none). */
export function unitsLeft(items: ItemsByKey, rewardId: string, shards: number): number[] {
  return unitsKeys(rewardId, shards).map((key) => {
    const item = items.get(key);
    return item ? Math.max(0, v.parse(UnitsItemSchema, item).left) : 0;
  });
}

/** What a reward has available, as read: the sum of its shards, or `null` for a reward that counts no units. */
export const availableOf = (reward: Reward, left: readonly number[]): Available =>
  isCounted(reward) ? left.reduce((sum, units) => sum + units, 0) : null;

/** One unit of a shard taken: guarded by `left > 0`, so the last unit goes to one redemption only. */
export function takeUnit(tableName: string, rewardId: string, shard: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: unitsKey(rewardId, shard),
      UpdateExpression: "ADD #left :minusOne, #issued :one",
      ConditionExpression: "#left > :zero",
      ExpressionAttributeNames: { "#left": "left", "#issued": "issued" },
      ExpressionAttributeValues: { ":minusOne": -1, ":one": 1, ":zero": 0 },
    },
  };
}

/** A free code claimed: its free item (`freeSk`, as the query found it) deleted, only if it is still there (no code goes out twice). */
export function claimCode(tableName: string, rewardId: string, shard: number, freeSk: string): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: { pk: rewardShardPk(rewardId, shard), sk: freeSk },
      ConditionExpression: "attribute_exists(pk)",
    },
  };
}

/** The key of a code's own item: in the shard its text hashes to, so found without a read. */
export const codeKey = (rewardId: string, code: string, shards: number): ItemKey => ({
  pk: rewardShardPk(rewardId, codeShardOf(code, shards)),
  sk: codeSk(code),
});

/**
 * A handed-out code voided by a cancel: its own item says so for good, and as its free item went
 * when it was handed out, nothing can hand it out again.
 */
export function voidCode(tableName: string, rewardId: string, code: string, shards: number, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: codeKey(rewardId, code, shards),
      UpdateExpression: "SET #state = :void, voidedAt = :at",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: { ":void": "void", ":at": at },
    },
  };
}
