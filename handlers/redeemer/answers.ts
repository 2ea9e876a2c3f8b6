/**
 * What the redeemer answers, as valibot schemas: the redeemer's answers are typed from them, and
 * the API's OpenAPI document describes them with the same schemas, so the two cannot drift apart.
 */
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { InstantSchema, PointsSchema } from "../http/answer-parts";
import { RewardSnapshotAnswerSchema } from "../http/reward-answers";

/** `POST /points/{userId}/redemptions`: the redemption, first time (201) and on every retry (200). */
export const RedemptionAnswerSchema = v.object({
  userId: IdSchema,
  redemptionId: IdSchema,
  rewardId: IdSchema,
  points: PointsSchema,
  balance: v.pipe(PointsSchema, v.description("The spendable balance right after this redemption.")),
  redeemedAt: InstantSchema,
  reward: v.optional(
    v.pipe(
      RewardSnapshotAnswerSchema,
      v.description("The reward as it was when redeemed (absent only on redemptions recorded before the catalogue)."),
    ),
  ),
  code: v.optional(
    v.pipe(v.string(), v.description("The single-use code of a pool reward, the same on every retry: the customer uses it at checkout.")),
  ),
});

export type RedemptionAnswer = v.InferOutput<typeof RedemptionAnswerSchema>;

/** `POST /points/{userId}/redemptions/{redemptionId}/cancel`: the same answer however often it is asked. */
export const CancelAnswerSchema = v.object({
  userId: IdSchema,
  redemptionId: IdSchema,
  pointsReturned: PointsSchema,
  balance: v.pipe(PointsSchema, v.description("The spendable balance right after the cancel.")),
  cancelledAt: InstantSchema,
});

export type CancelAnswer = v.InferOutput<typeof CancelAnswerSchema>;
