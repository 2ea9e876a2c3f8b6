/**
 * What `LoyaltyIngest` checks of its arguments, built from the stack config's own field
 * schemas (`config/ingest-settings.ts`) and defaults (`config/defaults/ingest-defaults.ts`): the
 * same rules, defaults and messages.
 */
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

export const IngestArgsSchema = v.pipe(
  v.object(
    {
      earnRules: EarnRulesConfigSchema,
      publisherAccounts: PublisherAccountsSchema,
      redriveOperators: v.optional(RedriveOperatorsSchema, INGEST_DEFAULTS.redriveOperators),
      eventBusName: v.optional(EventBusNameSchema, INGEST_DEFAULTS.eventBusName),
      eventSource: v.optional(EventSourceSchema, INGEST_DEFAULTS.eventSource),
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
