/**
 * Redemptions: customers spend points on rewards. The client's `redemptionId` is the
 * idempotency key, and a fingerprint of the request tells a true retry (same body: the first
 * answer again) from a different request reusing the id (a conflict).
 */
import * as v from "valibot";
import { IdSchema } from "./contract";
import type { RedemptionCancelEntry, RedemptionEntry } from "./ledger-entries";
import { requestFingerprint } from "./fingerprint";
import type { Draws } from "./lot-plans";
import { entryAt, redemptionCancelSk, redemptionSk, userPk } from "./ledger-keys";

/** `POST /points/{userId}/redemptions` body. */
export const RedemptionRequestSchema = v.object({
  redemptionId: IdSchema,
  points: v.pipe(v.number("must be a number"), v.safeInteger("must be a whole number of points"), v.minValue(1, "must be at least 1")),
  rewardId: IdSchema,
});

export type RedemptionRequest = v.InferOutput<typeof RedemptionRequestSchema>;

/** The same request always gives the same fingerprint; any other field value another one. */
export function fingerprintOf(request: RedemptionRequest): string {
  return requestFingerprint([request.redemptionId, request.points, request.rewardId]);
}

export function redemptionEntry(
  userId: string,
  request: RedemptionRequest,
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
    points: request.points,
    fingerprint: fingerprintOf(request),
    balanceAfter: balanceBefore - request.points,
    draws,
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
    occurredAt: now,
    recordedAt: now,
  };
}
