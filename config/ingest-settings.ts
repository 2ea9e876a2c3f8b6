/**
 * The settings of the ingest path (rule, queue, writer), each defined once: the stack config
 * (`Pulumi.<stack>.yaml`) and `LoyaltyIngest`'s constructor validate with these same schemas
 * and messages, and the same defaults (`defaults/ingest-defaults.ts`).
 */
import * as v from "valibot";
import { LifecycleSchema } from "../handlers/domain/lifecycle";
import {
  distinctList,
  FunctionMemorySchema,
  FunctionTimeoutSchema,
  IamPrincipalArnSchema,
  nonEmpty,
  strictObject,
  wholeNumber,
} from "./schema-parts";

export const EventBusNameSchema = v.pipe(
  nonEmpty("must be an event bus name"),
  v.regex(/^[\w.\-/]{1,256}$/, "must be an event bus name (letters, digits, . _ - /)"),
);
export const EventSourceSchema = nonEmpty("must be an EventBridge source");
/** Receives of a message before it moves to the DLQ. */
export const MaxReceiveCountSchema = wholeNumber(1, 1000);

/** `{pendingDays, expiryDays}` of new lots: the handlers' own schema, strict as every config level. */
export const LifecycleSettingSchema = strictObject(LifecycleSchema.entries, "must be {pendingDays, expiryDays}, both given in whole days");
/** Lambda timeout; the queue's visibility timeout is derived from it (6×). */
export const WriterTimeoutSchema = FunctionTimeoutSchema;
export const WriterMemorySchema = FunctionMemorySchema;
/** Records per invocation. */
export const BatchSizeSchema = wholeNumber(1, 10_000);
/** How long the event source mapping gathers records before invoking. */
export const BatchingWindowSchema = wholeNumber(0, 300);
/** Upper bound on concurrent writer invocations: Lambda's SQS maximum concurrency accepts 2–1000. */
export const MaxConcurrencySchema = wholeNumber(2, 1000);

/** SQS event source mappings refuse a batch over 10 records without a batching window. */
export const BATCHING_WINDOW_RULE = {
  holds: (batchSize: number, batchingWindowSeconds: number) => batchSize <= 10 || batchingWindowSeconds >= 1,
  message: "must be at least 1 when batchSize is over 10",
} as const;

/**
 * The AWS accounts whose events may earn points: the rule's pattern admits only these
 * (`account`), and the writer checks again. Otrium's platform accounts, nobody else.
 */
export const PublisherAccountsSchema = v.pipe(
  distinctList(
    v.pipe(v.string("must be a 12-digit AWS account id"), v.regex(/^\d{12}$/, "must be a 12-digit AWS account id")),
    "12-digit AWS account ids",
  ),
  v.minLength(1, "must name at least one publisher account"),
);

/** IAM principals that may send to the queue besides the rule: the operators who redrive the DLQ. */
export const RedriveOperatorsSchema = distinctList(IamPrincipalArnSchema, "IAM role or user ARNs");
