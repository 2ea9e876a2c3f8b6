/**
 * Adjustments: customer service grants or takes points by hand, with a reason and their own
 * identity on the entry. The admin's `adjustmentId` is the idempotency key, exactly as a
 * redemption's: the same request again gets the first answer, another body reusing it a conflict.
 */
import * as v from "valibot";
import { maxCodePoints } from "./code-points";
import { IdSchema } from "./contract";
import { requestFingerprint } from "./fingerprint";
import type { AdjustmentEntry } from "./ledger-entries";
import { lotFields } from "./ledger-entries";
import { adjustmentSk, entryAt, userPk } from "./ledger-keys";
import { lotDatesFor, type Lifecycle } from "./lifecycle";
import type { Draws } from "./lot-plans";

/** `POST /points/{userId}/adjustments` body. */
export const AdjustmentRequestSchema = v.object({
  adjustmentId: IdSchema,
  points: v.pipe(
    v.number("must be a number"),
    v.safeInteger("must be a whole number of points"),
    v.notValue(0, "must not be 0: positive grants points, negative takes them"),
  ),
  /** Counted in code points, as the API's document and API Gateway's model count it. */
  reason: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"), maxCodePoints(500, "must be at most 500 characters")),
  /** A take may leave the balance below zero (the rest is owed) only when this says so. */
  allowNegative: v.optional(v.boolean("must be true or false")),
});

export type AdjustmentRequest = v.InferOutput<typeof AdjustmentRequestSchema>;

/** The same request always gives the same fingerprint; any other field value another one. */
export function adjustmentFingerprint(request: AdjustmentRequest): string {
  return requestFingerprint([request.adjustmentId, request.points, request.reason, request.allowNegative ?? false]);
}

/**
 * The dates of a granted lot: available at once, and expiring `expiryDays` after the start of
 * the day it is granted, as an order completed then with no pending period would.
 */
export const grantedLotFields = (now: string, lifecycle: Lifecycle) =>
  lotFields(lotDatesFor(now, { pendingDays: 0, expiryDays: lifecycle.expiryDays }));

/** How an adjustment moved points: a grant's lot, or a take's draws and what it left owed. */
export type AdjustmentMove = { direction: "grant"; lot: string; expiresAt?: string } | { direction: "take"; draws: Draws; toDebt: number };

export function adjustmentEntry(
  userId: string,
  request: AdjustmentRequest,
  actor: string,
  move: AdjustmentMove,
  balanceAfter: number,
  now: string,
): AdjustmentEntry {
  const sk = adjustmentSk(request.adjustmentId);
  return {
    pk: userPk(userId),
    sk,
    entryAt: entryAt(now, sk),
    kind: "adjustment",
    adjustmentId: request.adjustmentId,
    points: Math.abs(request.points),
    reason: request.reason,
    actor,
    fingerprint: adjustmentFingerprint(request),
    balanceAfter,
    ...move,
    occurredAt: now,
    recordedAt: now,
  };
}
