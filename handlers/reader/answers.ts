/**
 * What the reader answers, as valibot schemas: the reader's answers are typed from them, and the
 * API's OpenAPI document describes them with the same schemas, so the two cannot drift apart.
 */
import * as v from "valibot";
import { IdSchema, MoneySchema } from "../domain/contract";
import { InstantSchema, PointsSchema } from "../http/answer-parts";
import { HISTORY_LIMIT } from "./history-query";

/** Points that change state together at one instant (a release, an expiry). */
const MilestoneSchema = v.object({ points: PointsSchema, at: InstantSchema });

/** A level's name, as the stack's `tiers` names it. */
const LevelNameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(40));

/**
 * The level a customer holds, exact at the read's instant (see the README's "Tiers"). The
 * reader assigns the domain's `TierAnswer` to it, so the type checker holds the two together.
 */
export const TierAnswerSchema = v.pipe(
  v.object({
    name: v.pipe(LevelNameSchema, v.description("The level held.")),
    since: v.pipe(
      v.nullable(InstantSchema),
      v.description("When the level was reached, or its period began; null: the first level, held from the start."),
    ),
    until: v.pipe(
      v.nullable(InstantSchema),
      v.description("When the level is recomputed from the window: kept for a new period, or lowered. Null for the first level."),
    ),
    qualifyingPoints: v.pipe(
      PointsSchema,
      v.description("Base points (before multipliers) of released orders completed in the trailing window, net of refunds."),
    ),
    next: v.pipe(
      v.nullable(
        v.object({
          name: LevelNameSchema,
          pointsNeeded: v.pipe(PointsSchema, v.minValue(1), v.description("Qualifying points still missing to reach it.")),
        }),
      ),
      v.description("The level above and what it needs; null at the top level."),
    ),
    pointsToKeep: v.pipe(
      PointsSchema,
      v.minValue(0),
      v.description(
        "Qualifying points still missing at `until` to keep the level then, counting what will still be in the window; 0: kept.",
      ),
    ),
  }),
  v.description("The tier held at the read's instant. Only when the stack has tiers."),
);

/** `GET /points/{userId}`: exact at the instant of the read, with no job run. */
export const BalanceAnswerSchema = v.object({
  userId: IdSchema,
  balance: v.pipe(
    PointsSchema,
    v.description("Spendable now: released, not expired, minus what refunds of spent points took back. May be below zero."),
  ),
  pending: v.pipe(PointsSchema, v.description("Earned but not yet released.")),
  lifetimeEarned: v.pipe(PointsSchema, v.description("Every point ever credited; refunds, redemptions and expiries do not reduce it.")),
  updatedAt: v.pipe(v.nullable(InstantSchema), v.description("When the balance last changed; null for a customer with no entries.")),
  nextRelease: v.pipe(v.nullable(MilestoneSchema), v.description("The next pending points to become spendable, or null.")),
  nextExpiry: v.pipe(v.nullable(MilestoneSchema), v.description("The next spendable points to expire, or null.")),
  tier: v.optional(TierAnswerSchema),
});

export type BalanceAnswer = v.InferOutput<typeof BalanceAnswerSchema>;

/** One ledger entry as the apps see it: signed points (what it did to the balance), its cause, when. */
export const HistoryItemSchema = v.variant("type", [
  v.object({
    type: v.literal("earn"),
    orderId: IdSchema,
    points: PointsSchema,
    reversedPoints: v.pipe(PointsSchema, v.description("Points of this order since taken back by refunds.")),
    amount: MoneySchema,
    occurredAt: InstantSchema,
    availableAt: v.pipe(v.nullable(InstantSchema), v.description("When its points become spendable; null: at once.")),
    expiresAt: v.pipe(v.nullable(InstantSchema), v.description("When its points expire; null: never.")),
  }),
  v.object({
    type: v.literal("refund"),
    orderId: IdSchema,
    refundId: IdSchema,
    points: PointsSchema,
    amount: MoneySchema,
    occurredAt: InstantSchema,
    awaitingOrder: v.optional(v.pipe(v.literal(true), v.description("Recorded before its order landed; netted out when it does."))),
  }),
  v.object({ type: v.literal("expiry"), points: PointsSchema, occurredAt: InstantSchema }),
  v.object({ type: v.literal("redemption"), redemptionId: IdSchema, rewardId: IdSchema, points: PointsSchema, occurredAt: InstantSchema }),
  v.object({ type: v.literal("redemption-cancel"), redemptionId: IdSchema, points: PointsSchema, occurredAt: InstantSchema }),
  v.object({
    type: v.literal("adjustment"),
    adjustmentId: IdSchema,
    points: PointsSchema,
    reason: v.pipe(v.string(), v.description("Why customer service granted or took the points.")),
    occurredAt: InstantSchema,
  }),
]);

export type HistoryItem = v.InferOutput<typeof HistoryItemSchema>;

/** `GET /points/{userId}/history`: one page, newest first. */
export const HistoryPageSchema = v.object({
  items: v.pipe(v.array(HistoryItemSchema), v.maxLength(HISTORY_LIMIT.max)),
  nextCursor: v.pipe(v.nullable(v.string()), v.description("Opaque: pass it as `cursor` for the next page; null on the last page.")),
});

export type HistoryPage = v.InferOutput<typeof HistoryPageSchema>;
