/**
 * The ledger's items and the arithmetic between them, free of any storage concern.
 * The item schemas are also how items read back from the table are checked.
 */
import * as v from "valibot";
import type { OrderCompleted, OrderRefunded } from "./contract";
import { pointsFor, type EarnRate } from "./earn-rules";
import { InvalidEventError, LedgerLimitError, SAFE_INTEGER_LIMIT } from "./errors";
import { entryAt, orderExpirySk, orderSk, refundSk, userPk } from "./ledger-keys";
import { lotAttribute, lotDatesFor, lotDatesOf, midnightOf, type Lifecycle, type LotDates } from "./lifecycle";
import { multipliedBy } from "./tier-settings";
import { RewardSnapshotSchema } from "./reward-snapshot";

/** A number of points or minor units: a whole number JavaScript, and so every reader, holds exactly. */
export const SafeCountSchema = v.pipe(v.number(), v.safeInteger());

const entryBase = {
  pk: v.string(),
  sk: v.string(),
  entryAt: v.string(),
  /** Points this entry moved, always positive; the kind says in which direction. */
  points: SafeCountSchema,
  /** When the business event happened (the order's completion, the refund, the redemption). */
  occurredAt: v.string(),
  /** When the ledger recorded it. */
  recordedAt: v.string(),
};

/** What entries that come from order events carry. */
const orderEventBase = {
  ...entryBase,
  orderId: v.string(),
  amount: SafeCountSchema,
  currency: v.string(),
  /** The EventBridge event id that wrote the entry, for tracing a balance back to its events. */
  eventId: v.string(),
};

export const EarnEntrySchema = v.object({
  ...orderEventBase,
  kind: v.literal("earn"),
  rateHundredths: SafeCountSchema,
  /** Sum of the refunds applied to this order so far, in minor units. */
  refundedAmount: SafeCountSchema,
  /** Points reversed from this order so far; never more than `points`. */
  reversedPoints: SafeCountSchema,
  /** The balance item's attribute holding this order's lot; absent on entries from before lots (their lot is `balance`). */
  lot: v.optional(v.string()),
  /** When the lot becomes spendable and stops being so (absent: at once / never). */
  availableAt: v.optional(v.string()),
  expiresAt: v.optional(v.string()),
  /** When the return window closed early and the lot moved to an earlier release. */
  returnWindowClosedAt: v.optional(v.string()),
  /**
   * With tiers: the points before the multiplier (what counts for tiers), the multiplier of the
   * level held at completion (`points` = floor(basePoints × multiplier)), and the midnight the
   * base points count for tiers from (their bucket's release). Absent on orders credited before
   * tiers: those never count for tiers.
   */
  basePoints: v.optional(SafeCountSchema),
  multiplier: v.optional(v.number()),
  qualifiesFrom: v.optional(v.string()),
});

/** Where a reversal's points came from (see `ReversalSplit`); absent on entries from before lots. */
const splitFields = {
  fromLot: v.optional(SafeCountSchema),
  fromSpendable: v.optional(SafeCountSchema),
  toDebt: v.optional(SafeCountSchema),
  notTaken: v.optional(SafeCountSchema),
};

export const ReversalEntrySchema = v.object({
  ...orderEventBase,
  kind: v.literal("reversal"),
  refundId: v.string(),
  ...splitFields,
});

/**
 * A refund that arrived before its order: recorded under the reversal's own key (so a duplicate
 * of it changes nothing), worth no points until the order lands and turns it into a reversal.
 */
export const ParkedRefundEntrySchema = v.object({
  ...orderEventBase,
  kind: v.literal("parked-refund"),
  refundId: v.string(),
  /** Who published the refund, so that its order, if it rejects it, can dead-letter the event it was. */
  source: v.optional(v.string()),
  account: v.optional(v.string()),
});

/** What a day's expiry took from a customer: keyed by the day, so the settle writes it once. */
export const ExpiryEntrySchema = v.object({
  ...entryBase,
  kind: v.literal("expiry"),
  day: v.string(),
  /** The lots that expired and what each still held. */
  lots: v.record(v.string(), SafeCountSchema),
});

export const RedemptionEntrySchema = v.object({
  ...entryBase,
  kind: v.literal("redemption"),
  redemptionId: v.string(),
  rewardId: v.string(),
  /** Digest of the request, so a retry with another body is told apart from a true retry. */
  fingerprint: v.string(),
  /** The balance right after this redemption: the answer a retry gets again. */
  balanceAfter: SafeCountSchema,
  /** The lots the points came out of, so a cancel gives them back with their dates. */
  draws: v.optional(v.record(v.string(), SafeCountSchema)),
  /** The reward as it was when redeemed, so a retry answers the same whatever the catalogue did since; absent on older entries. */
  reward: v.optional(RewardSnapshotSchema),
  /** The single-use code handed out (pool rewards), answered again on every retry and voided by a cancel. */
  code: v.optional(v.string()),
  /** The shard of the reward's units the redemption took its unit from. */
  rewardShard: v.optional(SafeCountSchema),
});

export const RedemptionCancelEntrySchema = v.object({
  ...entryBase,
  kind: v.literal("redemption-cancel"),
  redemptionId: v.string(),
  /** The cancelled redemption's reward, for what is told about the cancel; absent on older entries. */
  rewardId: v.optional(v.string()),
  /** The balance right after the points came back: the answer a second cancel gets again. */
  balanceAfter: SafeCountSchema,
  /** Points that came back to lots that had expired meanwhile: expired, not spendable. */
  expiredPoints: v.optional(SafeCountSchema),
  /** The code the cancel voided: never handed out again, and told to the checkout so it refuses it. */
  code: v.optional(v.string()),
});

/**
 * A change an admin made by hand, with why and who: `grant` credits a lot of its own (available
 * at once, expiring by the lifecycle), `take` spends like a redemption, earliest expiry first.
 */
export const AdjustmentEntrySchema = v.object({
  ...entryBase,
  kind: v.literal("adjustment"),
  adjustmentId: v.string(),
  direction: v.picklist(["grant", "take"]),
  reason: v.string(),
  /** The caller's Cognito `sub` or IAM principal ARN. */
  actor: v.string(),
  /** Digest of the request, so a retry with another body is told apart from a true retry. */
  fingerprint: v.string(),
  /** The spendable balance right after it: the answer a retry gets again. */
  balanceAfter: SafeCountSchema,
  /** A grant's lot and dates (absent: at once / never). */
  lot: v.optional(v.string()),
  expiresAt: v.optional(v.string()),
  /** What a take drew from each lot, and what it left owed (`allowNegative`). */
  draws: v.optional(v.record(v.string(), SafeCountSchema)),
  toDebt: v.optional(SafeCountSchema),
});

export const LedgerEntrySchema = v.variant("kind", [
  AdjustmentEntrySchema,
  EarnEntrySchema,
  ReversalEntrySchema,
  ParkedRefundEntrySchema,
  RedemptionEntrySchema,
  RedemptionCancelEntrySchema,
  ExpiryEntrySchema,
]);

export type EarnEntry = v.InferOutput<typeof EarnEntrySchema>;
export type ReversalEntry = v.InferOutput<typeof ReversalEntrySchema>;
export type ParkedRefundEntry = v.InferOutput<typeof ParkedRefundEntrySchema>;
export type ExpiryEntry = v.InferOutput<typeof ExpiryEntrySchema>;
export type RedemptionEntry = v.InferOutput<typeof RedemptionEntrySchema>;
export type RedemptionCancelEntry = v.InferOutput<typeof RedemptionCancelEntrySchema>;
export type AdjustmentEntry = v.InferOutput<typeof AdjustmentEntrySchema>;
export type LedgerEntry = v.InferOutput<typeof LedgerEntrySchema>;

/** Where an entry came from and when it was recorded. */
export interface Provenance {
  eventId: string;
  recordedAt: string;
}

/** Who published an event: its envelope's `source` and `account`. */
export interface EventOrigin {
  source: string;
  account: string;
}

/** The ledger entry that credits a completed order, into the lot its dates put it in. */
export function earnEntry(order: OrderCompleted, rate: EarnRate, provenance: Provenance, lifecycle: Lifecycle): EarnEntry {
  const sk = orderSk(order.orderId);

  return {
    pk: userPk(order.userId),
    sk,
    entryAt: entryAt(order.completedAt, sk),
    kind: "earn",
    orderId: order.orderId,
    points: pointsFor(order.total.amount, rate),
    amount: order.total.amount,
    currency: order.total.currency,
    rateHundredths: rate.rateHundredths,
    refundedAmount: 0,
    reversedPoints: 0,
    ...lotFields(lotDatesFor(order.completedAt, lifecycle)),
    occurredAt: order.completedAt,
    ...provenance,
  };
}

/** The fields of an earn entry that name its lot and its dates (absent: at once / never). */
export function lotFields(dates: LotDates): { lot: string; availableAt?: string; expiresAt?: string } {
  const iso = (day: string) => new Date(midnightOf(day)).toISOString();
  return {
    lot: lotAttribute(dates),
    ...(dates.availableDay === null ? {} : { availableAt: iso(dates.availableDay) }),
    ...(dates.expiresDay === null ? {} : { expiresAt: iso(dates.expiresDay) }),
  };
}

/**
 * Whether an order was credited after its lot had expired (a late backfill): its points expired
 * in the write that credited them, under an expiry entry of their own, and never joined the lot.
 */
export const expiredOnCredit = (order: EarnEntry): boolean =>
  order.expiresAt !== undefined && Date.parse(order.expiresAt) <= Date.parse(order.recordedAt);

/** The expiry entry of an order credited after its lot had expired: `points` expire at once. */
export function lateExpiryEntry(order: EarnEntry, points: number): ExpiryEntry | undefined {
  const dates = lotDatesOf(order.lot ?? "");
  if (dates?.expiresDay == null || !expiredOnCredit(order) || points <= 0) return undefined;
  const sk = orderExpirySk(dates.expiresDay, order.orderId);
  const at = new Date(midnightOf(dates.expiresDay)).toISOString();
  return {
    pk: order.pk,
    sk,
    entryAt: entryAt(at, sk),
    kind: "expiry",
    day: dates.expiresDay,
    points,
    lots: { [lotAttribute(dates)]: points },
    occurredAt: at,
    recordedAt: order.recordedAt,
  };
}

/** A refund whose order is not credited yet, recorded until it is. */
export function parkedRefundEntry(refund: OrderRefunded, provenance: Provenance, origin?: EventOrigin): ParkedRefundEntry {
  const sk = refundSk(refund.orderId, refund.refundId);
  return {
    pk: userPk(refund.userId),
    sk,
    entryAt: entryAt(refund.refundedAt, sk),
    kind: "parked-refund",
    orderId: refund.orderId,
    refundId: refund.refundId,
    points: 0,
    amount: refund.refund.amount,
    currency: refund.refund.currency,
    occurredAt: refund.refundedAt,
    ...provenance,
    ...origin,
  };
}

/**
 * A parked refund its order contradicted when it landed (another currency): kept under the
 * refund's key, so a redelivery of it is known as seen, and out of the history (no `entryAt`), as
 * it never moved any points.
 */
export type RejectedRefund = Omit<ParkedRefundEntry, "kind" | "entryAt"> & { kind: "rejected-refund"; reason: string };

export function rejectedRefund({ entryAt: _history, ...parked }: ParkedRefundEntry, reason: string): RejectedRefund {
  return { ...parked, kind: "rejected-refund", reason };
}

/** The refund a parked (or rejected) entry holds, as the event carried it. */
export const refundOf = (
  parked: Pick<ParkedRefundEntry, "orderId" | "refundId" | "amount" | "currency" | "occurredAt">,
  userId: string,
): OrderRefunded => ({
  orderId: parked.orderId,
  userId,
  refundId: parked.refundId,
  refund: { amount: parked.amount, currency: parked.currency },
  refundedAt: parked.occurredAt,
});

/** What a refund does to its order: the reversal entry and the order's new running totals. */
export interface ReversalPlan {
  entry: ReversalEntry;
  refundedAmount: number;
  reversedPoints: number;
  /** The base points this refund takes out of the order's tier bucket (0 for an order from before tiers). */
  basePointsReversed: number;
}

/** The base points the refunds of `refundedAmount` take back, never more than the order's. */
const baseReversedBy = (order: EarnEntry, basePoints: number, refundedAmount: number): number =>
  Math.min(basePoints, pointsFor(refundedAmount, { currency: order.currency, rateHundredths: order.rateHundredths }));

/** The base points an order still counts for tiers with, net of its refunds so far (0 for an order from before tiers). */
export const baseRemaining = (order: EarnEntry): number =>
  order.basePoints === undefined ? 0 : order.basePoints - baseReversedBy(order, order.basePoints, order.refundedAmount);

/**
 * Reverses the points of everything refunded so far, at the rate the order earned at, minus
 * what earlier refunds already reversed. Working on the running total (not refund by refund)
 * means three partial refunds reverse exactly what one full refund would; the cap means a
 * refund never takes back more than the order earned. An order earned at a tier's multiplier
 * loses the base points of the refunded amount at that multiplier, rounded down as it was earned,
 * so a full refund takes back exactly what the order earned.
 */
export function planReversal(order: EarnEntry, refund: OrderRefunded, provenance: Provenance): ReversalPlan {
  if (refund.refund.currency !== order.currency) {
    throw new InvalidEventError(`refund is in ${refund.refund.currency} but its order was paid in ${order.currency}`);
  }
  const refundedAmount = order.refundedAmount + refund.refund.amount;
  if (!Number.isSafeInteger(refundedAmount)) {
    throw new LedgerLimitError(`the order's refunded total would exceed ${SAFE_INTEGER_LIMIT}`);
  }
  const rate = { currency: order.currency, rateHundredths: order.rateHundredths };
  const { basePoints, multiplier } = order;
  const tiered = basePoints !== undefined && multiplier !== undefined;
  const reversedPoints = tiered
    ? Math.min(order.points, multipliedBy(baseReversedBy(order, basePoints, refundedAmount), multiplier))
    : Math.min(order.points, pointsFor(refundedAmount, rate));
  const basePointsReversed = tiered
    ? baseReversedBy(order, basePoints, refundedAmount) - baseReversedBy(order, basePoints, order.refundedAmount)
    : 0;
  const sk = refundSk(refund.orderId, refund.refundId);
  return {
    refundedAmount,
    reversedPoints,
    basePointsReversed,
    entry: {
      pk: order.pk,
      sk,
      entryAt: entryAt(refund.refundedAt, sk),
      kind: "reversal",
      orderId: refund.orderId,
      refundId: refund.refundId,
      points: reversedPoints - order.reversedPoints,
      amount: refund.refund.amount,
      currency: refund.refund.currency,
      occurredAt: refund.refundedAt,
      ...provenance,
    },
  };
}
