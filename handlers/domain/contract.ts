/**
 * The event contract between Otrium's e-commerce platform and the loyalty program.
 * These schemas are the single source of truth: the handlers validate with them, the
 * stack's EventBridge rule and the published JSON Schemas are derived from them.
 * Unknown extra fields are accepted (and dropped) so the platform can add some.
 */
import * as v from "valibot";
import { describeIssues } from "./describe-issues";
import { TimestampSchema } from "./timestamp";

export { TimestampSchema };

/** The EventBridge `source` the platform publishes with, unless the stack config says otherwise. */
export const DEFAULT_EVENT_SOURCE = "otrium.ecommerce";

/** The EventBridge `detail-type` of each event the loyalty program consumes. */
export const DETAIL_TYPES = {
  orderCompleted: "Order Completed",
  orderRefunded: "Order Refunded",
  /** The platform's signal that an order can no longer be returned: its points may release early. */
  returnWindowClosed: "Order Return Window Closed",
  /** The platform deleted a customer's account: the ledger erases everything it holds about them. */
  customerDeleted: "Customer Deleted",
} as const;

/** Ids of users, orders and refunds: what is safe inside a DynamoDB key and a URL path. */
export const IdSchema = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(128, "must be at most 128 characters"),
  v.regex(/^[A-Za-z0-9_.:-]+$/, "may only contain letters, digits and _ . : -"),
);

/** An ISO 4217 alphabetic code; whether points can be earned in it is the earn rules' call. */
export const CurrencySchema = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code of three capital letters"));

/**
 * The largest order or refund amount the contract accepts: 10^12 minor units, whatever the
 * currency. That is ten billion euros or pounds, and still a few hundred thousand euros in the
 * currencies with the smallest units (IDR, LBP, VND), so no real fashion order comes near it.
 * It keeps every event's arithmetic small: at the highest earn rate (100 points per unit of a
 * currency without minor units) one event is at most 10^14 points, 1/90 of
 * Number.MAX_SAFE_INTEGER; at 1.25 points per pound it is 1.25 × 10^10. Sums over many events
 * are the ledger's to guard, which refuses any write that would leave a total unsafe.
 */
export const MAX_AMOUNT_MINOR_UNITS = 1_000_000_000_000;

const minorUnits = v.pipe(
  v.number(),
  v.safeInteger("must be a whole number of minor units (integer, never a float)"),
  v.maxValue(MAX_AMOUNT_MINOR_UNITS, `must be at most ${MAX_AMOUNT_MINOR_UNITS} minor units`),
);

/** An amount of money in minor units (cents for EUR); never a float. */
export const MoneySchema = v.object({
  amount: v.pipe(minorUnits, v.minValue(0, "must not be negative")),
  currency: CurrencySchema,
});

export const OrderCompletedDetailSchema = v.object({
  orderId: IdSchema,
  userId: IdSchema,
  total: MoneySchema,
  completedAt: TimestampSchema,
});

export const OrderRefundedDetailSchema = v.object({
  orderId: IdSchema,
  userId: IdSchema,
  refundId: IdSchema,
  refund: v.object({
    amount: v.pipe(minorUnits, v.minValue(1, "must be at least 1 minor unit")),
    currency: CurrencySchema,
  }),
  refundedAt: TimestampSchema,
});

export const ReturnWindowClosedDetailSchema = v.object({
  orderId: IdSchema,
  userId: IdSchema,
  closedAt: TimestampSchema,
});

export const CustomerDeletedDetailSchema = v.object({
  userId: IdSchema,
  deletedAt: TimestampSchema,
});

/**
 * Each detail-type's schema, keyed like `DETAIL_TYPES`: a detail-type added there without its
 * schema here is a type error, so whatever lists the contract (the schema registry) derives
 * from this and cannot miss one.
 */
export const DETAIL_SCHEMAS: { readonly [K in keyof typeof DETAIL_TYPES]: v.GenericSchema } = {
  orderCompleted: OrderCompletedDetailSchema,
  orderRefunded: OrderRefundedDetailSchema,
  returnWindowClosed: ReturnWindowClosedDetailSchema,
  customerDeleted: CustomerDeletedDetailSchema,
};

const envelope = {
  id: v.pipe(v.string(), v.minLength(1)),
  source: v.pipe(v.string(), v.minLength(1)),
  /** The publishing AWS account; EventBridge always sets it. */
  account: v.pipe(v.string(), v.regex(/^\d{12}$/, "must be a 12-digit AWS account id")),
};

/** An EventBridge event as it reaches the queue, narrowed to the detail-types we consume. */
export const LoyaltyEventSchema = v.variant(
  "detail-type",
  [
    v.object({
      ...envelope,
      "detail-type": v.literal(DETAIL_TYPES.orderCompleted),
      detail: OrderCompletedDetailSchema,
    }),
    v.object({
      ...envelope,
      "detail-type": v.literal(DETAIL_TYPES.orderRefunded),
      detail: OrderRefundedDetailSchema,
    }),
    v.object({
      ...envelope,
      "detail-type": v.literal(DETAIL_TYPES.returnWindowClosed),
      detail: ReturnWindowClosedDetailSchema,
    }),
    v.object({
      ...envelope,
      "detail-type": v.literal(DETAIL_TYPES.customerDeleted),
      detail: CustomerDeletedDetailSchema,
    }),
  ],
  `must be ${Object.values(DETAIL_TYPES)
    .map((type) => `"${type}"`)
    .join(", ")
    .replace(/, ([^,]+)$/, " or $1")}`,
);

export type Money = v.InferOutput<typeof MoneySchema>;
export type OrderCompleted = v.InferOutput<typeof OrderCompletedDetailSchema>;
export type OrderRefunded = v.InferOutput<typeof OrderRefundedDetailSchema>;
export type ReturnWindowClosed = v.InferOutput<typeof ReturnWindowClosedDetailSchema>;
export type CustomerDeleted = v.InferOutput<typeof CustomerDeletedDetailSchema>;
export type LoyaltyEvent = v.InferOutput<typeof LoyaltyEventSchema>;

/** The outcome of reading an SQS message body: a valid event, or why it is not one. */
export type ParsedEvent = { ok: true; event: LoyaltyEvent } | { ok: false; reason: string };

/** Parses an SQS message body holding an EventBridge event. Never throws. */
export function parseLoyaltyEvent(body: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const result = v.safeParse(LoyaltyEventSchema, json);
  return result.success ? { ok: true, event: result.output } : { ok: false, reason: describeIssues(result.issues) };
}
