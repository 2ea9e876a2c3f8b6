/**
 * What the admin function answers, as valibot schemas: its answers are typed from them, and the
 * API's OpenAPI document describes them with the same schemas.
 */
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { InstantSchema, PointsSchema } from "../http/answer-parts";

/** `POST /points/{userId}/adjustments`: the adjustment, first time (201) and on every retry (200). */
export const AdjustmentAnswerSchema = v.object({
  userId: IdSchema,
  adjustmentId: IdSchema,
  points: v.pipe(PointsSchema, v.description("Positive: granted; negative: taken.")),
  reason: v.string(),
  actor: v.pipe(v.string(), v.description("Who made it: the caller's Cognito `sub` or IAM principal ARN.")),
  balance: v.pipe(
    PointsSchema,
    v.description("The spendable balance right after this adjustment. May be below zero after an `allowNegative` take."),
  ),
  expiresAt: v.pipe(v.nullable(InstantSchema), v.description("When granted points expire; null: never, or a take.")),
  adjustedAt: InstantSchema,
});

export type AdjustmentAnswer = v.InferOutput<typeof AdjustmentAnswerSchema>;

/** `DELETE /points/{userId}`: the same answer however often it is asked. */
export const ErasureAnswerSchema = v.object({
  userId: IdSchema,
  erased: v.literal(true),
  pointsRemoved: v.pipe(PointsSchema, v.description("Outstanding points (spendable and pending) the customer held when first erased.")),
  erasedAt: v.pipe(InstantSchema, v.description("When the customer was first erased.")),
});

export type ErasureAnswer = v.InferOutput<typeof ErasureAnswerSchema>;
