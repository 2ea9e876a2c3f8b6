/**
 * Redemptions on DynamoDB. A redemption is one consistent read (`BatchGetItem`: the balance, the
 * redemption entry, the customer's count for the reward, the reward and its shards' counters)
 * that answers retries and refusals at once, then one transaction: the entry (guarded by
 * `attribute_not_exists`, and holding which lots it drew from, the reward as it was and the code
 * it got), the lots' change, guarded by the balance item's version just read, so two concurrent
 * redemptions can never both spend the same points, the customer's count held to the reward's
 * limit, a unit of one of the reward's shards (and one free code of it), and the check that the
 * customer was not erased (an erasure deletes the partition page by page, so without it an entry
 * written behind the paging would outlive the erasure). A lost race re-reads and tries again.
 * A cancel (a `TransactGetItems` of the balance, the redemption and its cancel, then one
 * transaction) gives the points back and voids the code; it returns neither the unit nor the
 * customer's count.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { CorruptLedgerItemError } from "../domain/errors";
import {
  RedemptionCancelEntrySchema,
  RedemptionEntrySchema,
  type RedemptionCancelEntry,
  type RedemptionEntry,
} from "../domain/ledger-entries";
import { BALANCE_SK, redemptionCancelSk, redemptionSk, userPk } from "../domain/ledger-keys";
import { SafeCountSchema } from "../domain/ledger-entries";
import { catalogueKey, customerRewardSk, REWARD_SHARDS } from "../domain/reward-keys";
import { isCounted, type Reward } from "../domain/rewards";
import { planReturn, planSpending } from "../domain/lot-plans";
import { spendable } from "../domain/lots";
import { fingerprintOf, redemptionCancelEntry, redemptionEntry, refusalOf, type Claim, type RedemptionRequest } from "../domain/redemption";
import { AGAIN, retrying } from "../runtime/retry";
import { balanceKey, balanceState, legacyLot } from "./balance-item";
import { readByKeys } from "./batch-read";
import { rewardOf } from "./catalogue-item";
import { FreeCodes } from "./free-codes";
import { claimCode, takeUnit, unitsKeys, unitsLeft, voidCode } from "./reward-units";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { BUSY_RETRY, busyBalance } from "./busy-retry";
import { notErasedCheck } from "./tombstones";
import { failed, oldItemOf, putNewEntry, transactWrite, type NamedItem, type TransactItem } from "./transactions";
import { readUserItems } from "./user-items";

export type RedeemResult =
  /** Spent now: answer 201. */
  | { outcome: "redeemed"; entry: RedemptionEntry }
  /** The same request was spent before: answer its first result again, 200. */
  | { outcome: "replayed"; entry: RedemptionEntry }
  /** The id was used for another request: 409. */
  | { outcome: "conflict" }
  /** The balance does not cover it: 409 with the balance. */
  | { outcome: "insufficient"; balance: number }
  /** No such reward in the catalogue: 404. */
  | { outcome: "reward-not-found" }
  /** The app sent a price that is not the reward's: 409 with the reward's. */
  | { outcome: "price-changed"; pointsCost: number }
  /** Outside its window, or no unit (code, stock) left: 409. */
  | { outcome: "unavailable" }
  /** The customer has had the reward's `perCustomerLimit`: 409. */
  | { outcome: "limit-reached" }
  /** The customer was erased (during this request): nothing is written for them again. */
  | { outcome: "erased" };

export type CancelResult =
  | { outcome: "cancelled"; entry: RedemptionCancelEntry }
  | { outcome: "already-cancelled"; entry: RedemptionCancelEntry }
  | { outcome: "not-found" }
  /** The customer was erased (during this request): nothing is written for them again. */
  | { outcome: "erased" };

/**
 * Lots that expire within this margin are not spent: DynamoDB cannot compare with its own clock,
 * so the margin keeps a write that lands a moment after it was planned from spending a lot that
 * expired in between. A request that takes longer than this fails its attempt, never overspends.
 */
export const SPEND_MARGIN_MS = 30_000;

/** A customer's count of one reward raised by one, held to the reward's limit when it has one. */
function countUpdate(tableName: string, key: { pk: string; sk: string }, limit: number | undefined): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: "ADD redeemed :one",
      ...(limit === undefined
        ? { ExpressionAttributeValues: { ":one": 1 } }
        : {
            ConditionExpression: "attribute_not_exists(redeemed) OR redeemed < :limit",
            ExpressionAttributeValues: { ":one": 1, ":limit": limit },
          }),
    },
  };
}

/** The counter of a customer's redemptions of one reward, as read. */
const CountItemSchema = v.looseObject({ redeemed: v.optional(SafeCountSchema, 0) });

export interface RedemptionStoreOptions {
  /** Shards of each reward's units, as the catalogue keeps them. */
  shards?: number;
  /** Which shard, and which cached code, a redemption tries; tests pin it. */
  random?: () => number;
}

export class DynamoRedemptions {
  private readonly balances: BalanceUpdates;
  private readonly shards: number;
  private readonly random: () => number;
  private readonly freeCodes: FreeCodes;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    { shards = REWARD_SHARDS, random = Math.random }: RedemptionStoreOptions = {},
  ) {
    this.balances = balanceUpdates(tableName);
    this.shards = shards;
    this.random = random;
    this.freeCodes = new FreeCodes(client, tableName, random);
  }

  /**
   * One read (`BatchGetItem`, consistent: the balance, this redemption's entry, the customer's
   * count for the reward, the reward, its shards' counters), then one transaction: the entry, the
   * balance (guarded by its version), the tombstone check, the customer's count (guarded by the
   * limit), and the unit of a shard with units left (guarded by `left > 0`) with, for a pool
   * reward, the claim of one free code of that shard (guarded by its existence). A lost race on
   * any of them reads again and tries again, so a shard emptied meanwhile sends it to another.
   */
  redeem(userId: string, request: RedemptionRequest, now: () => Date): Promise<RedeemResult> {
    const pk = userPk(userId);
    const entryKey = { pk, sk: redemptionSk(request.redemptionId) };
    const countKey = { pk, sk: customerRewardSk(request.rewardId) };
    const rewardKey = catalogueKey(request.rewardId);
    return retrying<RedeemResult>(
      BUSY_RETRY,
      async () => {
        const items = await readByKeys(this.client, this.tableName, [
          balanceKey(pk),
          entryKey,
          countKey,
          rewardKey,
          ...unitsKeys(request.rewardId, this.shards),
        ]);
        const existingItem = items.get(entryKey);
        if (existingItem) return this.retryOf(v.parse(RedemptionEntrySchema, existingItem), request);
        const rewardItem = items.get(rewardKey);
        if (!rewardItem) return { outcome: "reward-not-found" };
        const reward = rewardOf(rewardItem);
        const redeemedBefore = v.parse(CountItemSchema, items.get(countKey) ?? {}).redeemed;
        const at = now().getTime();
        const refusal = refusalOf(request, reward, redeemedBefore, at);
        if (refusal?.refusal === "price_changed") return { outcome: "price-changed", pointsCost: refusal.pointsCost };
        if (refusal?.refusal === "unavailable") return { outcome: "unavailable" };
        if (refusal?.refusal === "limit_reached") return { outcome: "limit-reached" };
        const open = unitsLeft(items, reward.rewardId, this.shards).flatMap((left, shard) => (left > 0 ? [shard] : []));
        if (isCounted(reward) && open.length === 0) return { outcome: "unavailable" };

        const read = balanceState(items.get(balanceKey(pk)));
        const balance = spendable(read.holding, at);
        const plan = planSpending(read.holding, reward.pointsCost, at, at + SPEND_MARGIN_MS);
        // Refused: what this request could have spent, without the points about to expire.
        if (!plan) return { outcome: "insufficient", balance: spendable(read.holding, at, at + SPEND_MARGIN_MS) };

        const claim = await this.claimOf(reward, open);
        if (!claim) return AGAIN; // the shard's cached codes were all taken: read again
        const entry = redemptionEntry(userId, request, reward, claim.claim, balance, plan.draws, new Date(at).toISOString());
        const spend = this.balances.applyPlan(entry.pk, read, plan.deltas, entry.recordedAt, `spending ${entry.points} points`);
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry, true) },
          { name: "balance", item: spend.action },
          { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
          { name: "count", item: countUpdate(this.tableName, countKey, reward.perCustomerLimit) },
          ...claim.items,
        ]);
        if (result.written) return { outcome: "redeemed", entry };
        if (failed(result, "notErased")) return { outcome: "erased" };
        // The same id landed concurrently: its entry came back with the cancellation.
        const winner = oldItemOf(result, "entry");
        if (winner) return this.retryOf(v.parse(RedemptionEntrySchema, winner), request);
        // A lost claim says this instance's cache of the shard is stale: the codes loaded with
        // the lost one were probably taken as well, and one query finds what is left instead of a
        // read and a transaction lost on each of them, more and more of them as the pool drains.
        if (failed(result, "code") && claim.claim.shard !== undefined) this.freeCodes.forget(reward.rewardId, claim.claim.shard);
        return AGAIN; // the balance, the count, the shard or the code moved since they were read
      },
      busyBalance(userId),
    );
  }

  /**
   * The unit this redemption tries to take: nothing for a reward that counts none; else a random
   * shard of those read with units left (for a pool reward, one whose codes are cached if any),
   * and for a pool reward a free code of it. `undefined`
   * when the shard's free codes ran out under the cache.
   */
  private async claimOf(
    reward: Reward,
    open: readonly number[],
  ): Promise<{ claim: Claim; items: NamedItem<"units" | "code">[] } | undefined> {
    if (!isCounted(reward)) return { claim: {}, items: [] };
    // A shard whose free codes this instance has cached needs no query; instances start apart at random.
    const warm = reward.codes === "pool" ? open.filter((shard) => this.freeCodes.holds(reward.rewardId, shard)) : [];
    const choices = warm.length > 0 ? warm : open;
    const shard = choices[Math.floor(this.random() * choices.length)] ?? 0;
    const units: NamedItem<"units"> = { name: "units", item: takeUnit(this.tableName, reward.rewardId, shard) };
    if (reward.codes !== "pool") return { claim: { shard }, items: [units] };
    const free = await this.freeCodes.take(reward.rewardId, shard);
    if (free === undefined) {
      this.freeCodes.forget(reward.rewardId, shard);
      return undefined;
    }
    return {
      claim: { shard, code: free.code },
      items: [units, { name: "code", item: claimCode(this.tableName, reward.rewardId, shard, free.sk) }],
    };
  }

  cancel(userId: string, redemptionId: string, now: () => Date): Promise<CancelResult> {
    return retrying<CancelResult>(
      BUSY_RETRY,
      async () => {
        const [balanceItem, redemptionItem, cancelItem] = await readUserItems(this.client, this.tableName, userId, [
          BALANCE_SK,
          redemptionSk(redemptionId),
          redemptionCancelSk(redemptionId),
        ]);
        if (!redemptionItem) return { outcome: "not-found" };
        if (cancelItem) return { outcome: "already-cancelled", entry: v.parse(RedemptionCancelEntrySchema, cancelItem) };
        // A redemption is always written with its balance item, so a missing one is damage, not zero.
        if (!balanceItem) throw new CorruptLedgerItemError(`${userPk(userId)} has redemption ${redemptionId} but no balance item`);
        const read = balanceState(balanceItem);
        const redemption = v.parse(RedemptionEntrySchema, redemptionItem);
        const at = now().getTime();
        // A redemption from before lots took its points from `balance`.
        const back = planReturn(redemption.draws ?? { [legacyLot(0).attribute]: redemption.points }, at);
        const entry = redemptionCancelEntry(redemption, spendable(read.holding, at), back.expired, new Date(at).toISOString());
        const change = this.balances.applyPlan(entry.pk, read, back.deltas, entry.recordedAt, `returning ${entry.points} points`);
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry) },
          { name: "balance", item: change.action },
          { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
          // Its code is voided for good: the checkout is told, and nothing hands it out again.
          ...(redemption.code === undefined
            ? []
            : [
                {
                  name: "code" as const,
                  item: voidCode(this.tableName, redemption.rewardId, redemption.code, this.shards, entry.recordedAt),
                },
              ]),
        ]);
        if (result.written) return { outcome: "cancelled", entry };
        if (failed(result, "notErased")) return { outcome: "erased" };
        return AGAIN; // cancelled concurrently (the next read says so) or the balance moved
      },
      busyBalance(userId),
    );
  }

  private retryOf(existing: RedemptionEntry, request: RedemptionRequest): RedeemResult {
    return existing.fingerprint === fingerprintOf(request) ? { outcome: "replayed", entry: existing } : { outcome: "conflict" };
  }
}
