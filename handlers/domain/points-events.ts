/**
 * The events the loyalty program publishes: every change to a customer's points, one event per
 * ledger entry. These schemas are the outbound contract; consumers (notifications, analytics,
 * the CRM) read the JSON Schemas generated from them in the schema registry.
 *
 * Every detail carries the entry's `entryId`, the same on every delivery of the same change, so a
 * consumer deduplicates on it; `points` is always positive, the detail-type says which way they
 * moved (or, for a release or a warning, what happens to them); `occurredAt` is the business time
 * (the order's completion, the refund, the redemption, the release's or the expiry's midnight). What a notification needs (the order, the reward) is in the detail, so
 * no consumer has to call back.
 */
import * as v from "valibot";
import { IdSchema, MoneySchema } from "./contract";

/** The `source` of every event the loyalty program publishes. */
export const POINTS_EVENT_SOURCE = "otrium.loyalty";

/** The `detail-type` of each event the loyalty program publishes. */
export const POINTS_DETAIL_TYPES = {
  earned: "Points Earned",
  released: "Points Released",
  reversed: "Points Reversed",
  redeemed: "Points Redeemed",
  redemptionCancelled: "Redemption Cancelled",
  expired: "Points Expired",
  expiringSoon: "Points Expiring Soon",
  adjusted: "Points Adjusted",
  erased: "Points Erased",
  tierChanged: "Tier Changed",
  tierExpiringSoon: "Tier Expiring Soon",
} as const;

const PointsSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const InstantSchema = v.pipe(v.string(), v.isoTimestamp());

const common = {
  /** Stable id of the ledger entry: deduplicate on it. */
  entryId: v.pipe(v.string(), v.minLength(1)),
  userId: IdSchema,
  points: PointsSchema,
  occurredAt: InstantSchema,
};

export const PointsEarnedDetailSchema = v.object({
  ...common,
  orderId: IdSchema,
  amount: MoneySchema,
  /** When the points become spendable; null: at once. */
  availableAt: v.nullable(InstantSchema),
  /** When the points expire; null: never. */
  expiresAt: v.nullable(InstantSchema),
});

/** Pending points became spendable, at their release midnight (`occurredAt`). */
export const PointsReleasedDetailSchema = v.object({
  ...common,
  /** When the first of them expire; null: never. */
  expiresAt: v.nullable(InstantSchema),
});

export const PointsReversedDetailSchema = v.object({
  ...common,
  orderId: IdSchema,
  refundId: IdSchema,
  /** The refunded amount whose points were taken back. */
  amount: MoneySchema,
});

export const PointsRedeemedDetailSchema = v.object({
  ...common,
  redemptionId: IdSchema,
  rewardId: IdSchema,
});

export const RedemptionCancelledDetailSchema = v.object({
  ...common,
  redemptionId: IdSchema,
  /** The reward of the cancelled redemption; null for cancels recorded before it was kept. */
  rewardId: v.nullable(IdSchema),
  /** The single-use code the cancel voided, so the checkout refuses it from now on; null when the reward hands out none. */
  code: v.nullable(v.string()),
  /** Besides `points`, those that came back to lots that had expired meanwhile: they stay expired. */
  expiredPoints: PointsSchema,
});

export const PointsExpiredDetailSchema = v.object({
  ...common,
  /** The UTC day whose midnight the points expired at. */
  day: v.pipe(v.string(), v.isoDate()),
});

/**
 * Spendable points that expire soon: told once per expiry day, the configured number of days
 * before it (`occurredAt` is that day's midnight).
 */
export const PointsExpiringSoonDetailSchema = v.object({
  ...common,
  /** When they expire. */
  expiresAt: InstantSchema,
});

export const PointsAdjustedDetailSchema = v.object({
  ...common,
  adjustmentId: IdSchema,
  /** `grant` added the points (a lot of their own), `take` removed them. */
  direction: v.picklist(["grant", "take"]),
  /** Customer service's reason, as they wrote it for the customer's record. */
  reason: v.pipe(v.string(), v.minLength(1)),
  /** When granted points expire; null: never, or a take. */
  expiresAt: v.nullable(InstantSchema),
});

/**
 * A customer erased on request: the outstanding points that left the books with them, for the
 * liability. No id in clear — only the digest their tombstone is keyed by.
 */
export const PointsErasedDetailSchema = v.object({
  /** The tombstone's key: the same on every delivery. */
  entryId: v.pipe(v.string(), v.minLength(1)),
  /** SHA-256 (hex) of the erased customer's id. */
  customerDigest: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  /** Spendable and pending points the customer held when erased. */
  points: PointsSchema,
  occurredAt: InstantSchema,
});

/**
 * The customer's level changed: once per change, whichever write recorded it (the settle at a
 * release midnight or a period end, or a credit or refund landing first). No `points`: a level
 * moves none.
 */
export const TierChangedDetailSchema = v.object({
  /** Stable id of the ledger's notice: deduplicate on it. */
  entryId: v.pipe(v.string(), v.minLength(1)),
  userId: IdSchema,
  /** The level left and the level held from `effectiveAt`, by name. */
  from: v.string(),
  to: v.string(),
  direction: v.picklist(["up", "down"]),
  /** When the level changed (a release midnight, a refund, a period end), not when it was recorded. */
  effectiveAt: InstantSchema,
});

/**
 * The level held will not be kept when its period ends unless the customer qualifies for more:
 * told once per period, the configured number of days before its end.
 */
export const TierExpiringSoonDetailSchema = v.object({
  /** Stable id of the ledger's notice: deduplicate on it. */
  entryId: v.pipe(v.string(), v.minLength(1)),
  userId: IdSchema,
  /** The level held now, by name. */
  tier: v.string(),
  /** When its period ends and the level is recomputed from the window. */
  until: InstantSchema,
  /** Qualifying points still missing to keep it then (what will have left the window by then not counted). */
  pointsToKeep: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
});

/** Each detail-type's schema, by the same keys as `POINTS_DETAIL_TYPES`. */
export const POINTS_DETAIL_SCHEMAS = {
  earned: PointsEarnedDetailSchema,
  released: PointsReleasedDetailSchema,
  reversed: PointsReversedDetailSchema,
  redeemed: PointsRedeemedDetailSchema,
  redemptionCancelled: RedemptionCancelledDetailSchema,
  expired: PointsExpiredDetailSchema,
  expiringSoon: PointsExpiringSoonDetailSchema,
  adjusted: PointsAdjustedDetailSchema,
  erased: PointsErasedDetailSchema,
  tierChanged: TierChangedDetailSchema,
  tierExpiringSoon: TierExpiringSoonDetailSchema,
} as const satisfies { readonly [K in keyof typeof POINTS_DETAIL_TYPES]: v.GenericSchema };

/** One event to publish: what `PutEvents` needs besides the source and the bus. */
export const PointsEventSchema = v.variant("detailType", [
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.earned), time: InstantSchema, detail: PointsEarnedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.released), time: InstantSchema, detail: PointsReleasedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.reversed), time: InstantSchema, detail: PointsReversedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.redeemed), time: InstantSchema, detail: PointsRedeemedDetailSchema }),
  v.object({
    detailType: v.literal(POINTS_DETAIL_TYPES.redemptionCancelled),
    time: InstantSchema,
    detail: RedemptionCancelledDetailSchema,
  }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.expired), time: InstantSchema, detail: PointsExpiredDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.expiringSoon), time: InstantSchema, detail: PointsExpiringSoonDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.adjusted), time: InstantSchema, detail: PointsAdjustedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.erased), time: InstantSchema, detail: PointsErasedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.tierChanged), time: InstantSchema, detail: TierChangedDetailSchema }),
  v.object({ detailType: v.literal(POINTS_DETAIL_TYPES.tierExpiringSoon), time: InstantSchema, detail: TierExpiringSoonDetailSchema }),
]);

export type PointsEvent = v.InferOutput<typeof PointsEventSchema>;
/** The events of a level, which move no points. */
export type TierEvent = Extract<
  PointsEvent,
  { detailType: typeof POINTS_DETAIL_TYPES.tierChanged | typeof POINTS_DETAIL_TYPES.tierExpiringSoon }
>;
/** The events that tell points (moved, released, about to expire, erased): each detail has `points`. */
export type PointsMovedEvent = Exclude<PointsEvent, TierEvent>;
export type PointsEarnedDetail = v.InferOutput<typeof PointsEarnedDetailSchema>;
export type PointsReleasedDetail = v.InferOutput<typeof PointsReleasedDetailSchema>;
export type PointsReversedDetail = v.InferOutput<typeof PointsReversedDetailSchema>;
export type PointsRedeemedDetail = v.InferOutput<typeof PointsRedeemedDetailSchema>;
export type RedemptionCancelledDetail = v.InferOutput<typeof RedemptionCancelledDetailSchema>;
export type PointsExpiredDetail = v.InferOutput<typeof PointsExpiredDetailSchema>;
export type PointsExpiringSoonDetail = v.InferOutput<typeof PointsExpiringSoonDetailSchema>;
export type PointsAdjustedDetail = v.InferOutput<typeof PointsAdjustedDetailSchema>;
export type PointsErasedDetail = v.InferOutput<typeof PointsErasedDetailSchema>;
export type TierChangedDetail = v.InferOutput<typeof TierChangedDetailSchema>;
export type TierExpiringSoonDetail = v.InferOutput<typeof TierExpiringSoonDetailSchema>;
