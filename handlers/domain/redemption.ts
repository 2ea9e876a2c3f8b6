/**
 * Redemptions: customers spend points on rewards of the catalogue, at the price the catalogue
 * says. The client's `redemptionId` is the idempotency key, and a fingerprint of the request
 * tells a true retry (same body: the first answer again) from a different request reusing the id
 * (a conflict).
 */
import * as v from "valibot";
import { IdSchema } from "./contract";
import { requestFingerprint } from "./fingerprint";
import type { RedemptionCancelEntry, RedemptionEntry } from "./ledger-entries";
import { entryAt, redemptionCancelSk, redemptionSk, userPk } from "./ledger-keys";
import type { Draws } from "./lot-plans";
import { inWindow, snapshotOf, type Reward } from "./rewards";

/** `POST /points/{userId}/redemptions` body. */
export const RedemptionRequestSchema = v.object({
  redemptionId: IdSchema,
  rewardId: IdSchema,
  /**
   * The price the app showed, when it sends one: a redemption whose `points` differ from the
   * reward's `pointsCost` is refused (`price_changed`), never charged at a price the customer did not see.
   */
  points: v.optional(
    v.pipe(v.number("must be a number"), v.safeInteger("must be a whole number of points"), v.minValue(1, "must be at least 1")),
  ),
});

export type RedemptionRequest = v.InferOutput<typeof RedemptionRequestSchema>;

/** The same request always gives the same fingerprint; any other field value (or a missing `points`) another one. */
export function fingerprintOf(request: RedemptionRequest): string {
  return requestFingerprint([request.redemptionId, request.points ?? null, request.rewardId]);
}

/**
 * Why a reward read at `at` refuses this request before anything is written, if it does: the
 * price the app showed is not the reward's, the reward is outside its window, or the customer
 * has had their `perCustomerLimit` (`redeemedBefore`: their count as read).
 */
export type RewardRefusal = { refusal: "price_changed"; pointsCost: number } | { refusal: "unavailable" } | { refusal: "limit_reached" };

export function refusalOf(request: RedemptionRequest, reward: Reward, redeemedBefore: number, at: number): RewardRefusal | undefined {
  if (request.points !== undefined && request.points !== reward.pointsCost)
    return { refusal: "price_changed", pointsCost: reward.pointsCost };
  if (!inWindow(reward, at)) return { refusal: "unavailable" };
  if (reward.perCustomerLimit !== undefined && redeemedBefore >= reward.perCustomerLimit) return { refusal: "limit_reached" };
  return undefined;
}

/** What a redemption took from its reward: the unit's shard, and the code it handed out (pool rewards). */
export interface Claim {
  shard?: number;
  code?: string;
}

export function redemptionEntry(
  userId: string,
  request: RedemptionRequest,
  reward: Reward,
  claim: Claim,
  balanceBefore: number,
  draws: Draws,
  now: string,
): RedemptionEntry {
  const sk = redemptionSk(request.redemptionId);
  return {
    pk: userPk(userId),
    sk,
    entryAt: entryAt(now, sk),
    kind: "redemption",
    redemptionId: request.redemptionId,
    rewardId: request.rewardId,
    points: reward.pointsCost,
    fingerprint: fingerprintOf(request),
    balanceAfter: balanceBefore - reward.pointsCost,
    draws,
    reward: snapshotOf(reward),
    ...(claim.code === undefined ? {} : { code: claim.code }),
    ...(claim.shard === undefined ? {} : { rewardShard: claim.shard }),
    occurredAt: now,
    recordedAt: now,
  };
}

/** The entry that gives a redemption's points back, once; `expiredPoints` came back to expired lots. */
export function redemptionCancelEntry(
  redemption: RedemptionEntry,
  balanceBefore: number,
  expiredPoints: number,
  now: string,
): RedemptionCancelEntry {
  const sk = redemptionCancelSk(redemption.redemptionId);
  return {
    pk: redemption.pk,
    sk,
    entryAt: entryAt(now, sk),
    kind: "redemption-cancel",
    redemptionId: redemption.redemptionId,
    rewardId: redemption.rewardId,
    points: redemption.points,
    balanceAfter: balanceBefore + redemption.points - expiredPoints,
    expiredPoints,
    ...(redemption.code === undefined ? {} : { code: redemption.code }),
    occurredAt: now,
    recordedAt: now,
  };
}
