/**
 * What `LoyaltyEvents` checks of its arguments, with the schema parts and defaults every
 * component shares.
 */
import * as v from "valibot";
import { EVENTS_DEFAULTS } from "../config/defaults/events-defaults";
import { EventBusNameSchema } from "../config/ingest-settings";
import { FunctionMemorySchema, FunctionTimeoutSchema, TrueOrFalseSchema, wholeNumber } from "../config/schema-parts";

export const EventsArgsSchema = v.object(
  {
    // Absent: the component creates a bus of its own.
    eventBusName: v.optional(EventBusNameSchema),
    batchSize: v.optional(wholeNumber(1, 10_000), EVENTS_DEFAULTS.batchSize),
    parallelizationFactor: v.optional(wholeNumber(1, 10), EVENTS_DEFAULTS.parallelizationFactor),
    maximumRetryAttempts: v.optional(wholeNumber(0, 10_000), EVENTS_DEFAULTS.maximumRetryAttempts),
    iteratorAgeAlarmSeconds: v.optional(wholeNumber(1, 86_400), EVENTS_DEFAULTS.iteratorAgeAlarmSeconds),
    timeoutSeconds: v.optional(FunctionTimeoutSchema, EVENTS_DEFAULTS.timeoutSeconds),
    memoryMb: v.optional(FunctionMemorySchema, EVENTS_DEFAULTS.memoryMb),
    publishContract: v.optional(TrueOrFalseSchema, EVENTS_DEFAULTS.publishContract),
    deletionProtection: v.optional(TrueOrFalseSchema, EVENTS_DEFAULTS.deletionProtection),
  },
  "must be an object",
);

export type EventsSettings = v.InferOutput<typeof EventsArgsSchema>;
