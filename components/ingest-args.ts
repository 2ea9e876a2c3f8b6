/**
 * What `LoyaltyIngest` checks of its arguments, built from the stack config's own field
 * schemas (`config/ingest-settings.ts`) and defaults (`config/defaults/ingest-defaults.ts`): the
 * same rules, defaults and messages.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { EarnRulesConfigSchema } from "../handlers/domain/earn-rules";
import {
  BATCHING_WINDOW_RULE,
  BatchingWindowSchema,
  BatchSizeSchema,
  EventBusNameSchema,
  EventSourceSchema,
  MaxConcurrencySchema,
  MaxReceiveCountSchema,
  PublisherAccountsSchema,
  RedriveOperatorsSchema,
  WriterMemorySchema,
  WriterTimeoutSchema,
} from "../config/ingest-settings";
import { INGEST_DEFAULTS } from "../config/defaults/ingest-defaults";
import { TrueOrFalseSchema } from "../config/schema-parts";
import { LedgerRefSchema, MovedLifecycleSchema } from "./store-args";
import { isOutput } from "./validate-args";

const EVENT_PATTERN_EXPECTED = "must be an EventBridge pattern: the text of a JSON object";

/**
 * A rule's pattern as AWS takes it, JSON text (every Pulumi language can pass a string; an object
 * of unknown shape has no schema type), parsed to the object whose `account` the rule replaces.
 */
export const EventPatternSchema = v.pipe(
  v.string(EVENT_PATTERN_EXPECTED),
  v.parseJson(undefined, EVENT_PATTERN_EXPECTED),
  // Before the record: it would copy an array's items into an object.
  v.check((parsed) => !Array.isArray(parsed), EVENT_PATTERN_EXPECTED),
  v.record(v.string(), v.unknown(), EVENT_PATTERN_EXPECTED),
);

export const IngestArgsSchema = v.pipe(
  v.object(
    {
      earnRules: EarnRulesConfigSchema,
      publisherAccounts: PublisherAccountsSchema,
      redriveOperators: v.optional(RedriveOperatorsSchema, INGEST_DEFAULTS.redriveOperators),
      eventBusName: v.optional(EventBusNameSchema, INGEST_DEFAULTS.eventBusName),
      eventSource: v.optional(EventSourceSchema, INGEST_DEFAULTS.eventSource),
      // Another resource's output is parsed (and refused by the same schema) when it resolves.
      eventPattern: v.optional(v.union([EventPatternSchema, v.custom<pulumi.Output<string>>(isOutput)], EVENT_PATTERN_EXPECTED)),
      maxReceiveCount: v.optional(MaxReceiveCountSchema, INGEST_DEFAULTS.maxReceiveCount),
      store: LedgerRefSchema,
      lifecycle: MovedLifecycleSchema,
      writerTimeoutSeconds: v.optional(WriterTimeoutSchema, INGEST_DEFAULTS.writerTimeoutSeconds),
      writerMemoryMb: v.optional(WriterMemorySchema, INGEST_DEFAULTS.writerMemoryMb),
      batchSize: v.optional(BatchSizeSchema, INGEST_DEFAULTS.batchSize),
      batchingWindowSeconds: v.optional(BatchingWindowSchema, INGEST_DEFAULTS.batchingWindowSeconds),
      maxConcurrency: v.optional(MaxConcurrencySchema, INGEST_DEFAULTS.maxConcurrency),
      publishContract: v.optional(TrueOrFalseSchema, INGEST_DEFAULTS.publishContract),
      deletionProtection: v.optional(TrueOrFalseSchema, INGEST_DEFAULTS.deletionProtection),
    },
    "must be an object",
  ),
  v.forward(
    v.check((args) => BATCHING_WINDOW_RULE.holds(args.batchSize, args.batchingWindowSeconds), BATCHING_WINDOW_RULE.message),
    ["batchingWindowSeconds"],
  ),
);

export type IngestSettings = v.InferOutput<typeof IngestArgsSchema>;
