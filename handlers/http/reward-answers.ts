/**
 * What the catalogue's routes answer, and what a redemption tells of its reward, as valibot
 * schemas: the reader, the admin function and the redeemer answer with them, and the API's
 * OpenAPI document describes them with the same schemas.
 */
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { CODE_MODES, REWARD_KINDS, type Available } from "../domain/rewards";
import type { Reward } from "../domain/rewards";
import { InstantSchema, PointsSchema } from "./answer-parts";

const MoneyAnswerSchema = v.object({
  amount: v.pipe(PointsSchema, v.description("In minor units (cents for EUR).")),
  currency: v.pipe(v.string(), v.description("ISO 4217 code.")),
});

/** What a redemption answers of its reward: as it was when redeemed. */
export const RewardSnapshotAnswerSchema = v.object({
  title: v.string(),
  kind: v.picklist(REWARD_KINDS),
  value: v.optional(MoneyAnswerSchema),
});

/** `GET /rewards/{rewardId}`, `PUT /rewards/{rewardId}` and each item of `GET /rewards`. */
export const RewardAnswerSchema = v.object({
  rewardId: IdSchema,
  title: v.string(),
  description: v.optional(v.string()),
  pointsCost: PointsSchema,
  kind: v.picklist(REWARD_KINDS),
  value: v.optional(MoneyAnswerSchema),
  activeFrom: v.optional(InstantSchema),
  activeUntil: v.optional(InstantSchema),
  stock: v.optional(PointsSchema),
  perCustomerLimit: v.optional(PointsSchema),
  codes: v.picklist(CODE_MODES),
  available: v.pipe(
    v.nullable(PointsSchema),
    v.description("Units left to redeem: free codes of a pool reward, what its stock has left; null when neither limits it."),
  ),
  active: v.pipe(v.boolean(), v.description("Whether it can be redeemed now: in its window, with a unit left.")),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
});

export type RewardAnswer = v.InferOutput<typeof RewardAnswerSchema>;

/** `GET /rewards`: customers see the active rewards, admins every one. */
export const RewardListAnswerSchema = v.object({ items: v.array(RewardAnswerSchema) });

export type RewardListAnswer = v.InferOutput<typeof RewardListAnswerSchema>;

/** `POST /rewards/{rewardId}/codes`. */
export const CodesUploadAnswerSchema = v.object({
  added: v.pipe(PointsSchema, v.description("Codes new to the reward, now free to hand out.")),
  duplicates: v.pipe(PointsSchema, v.description("Codes the reward knew already (free, issued or void), or sent twice: not added again.")),
  available: v.pipe(PointsSchema, v.description("Free codes of the reward after the upload.")),
});

export type CodesUploadAnswer = v.InferOutput<typeof CodesUploadAnswerSchema>;

/** A reward as answered, with what it has available and whether it can be redeemed now. */
export const rewardAnswer = ({ createdAt, updatedAt, ...reward }: Reward, available: Available, active: boolean): RewardAnswer => ({
  ...reward,
  available,
  active,
  createdAt,
  updatedAt,
});
