/**
 * What the points events' publisher (`LoyaltyEvents`) gets when an argument is not given.
 */
import { FUNCTION_DEFAULTS } from "./function-defaults";
import { noEntries } from "./no-entries";

export const EVENTS_DEFAULTS = {
  /** Pulumi `protect`s the queues holding messages (and the key that decrypts them): a destroy or a replacing change stops instead of losing them. */
  deletionProtection: true,
  /** Stream records per invocation: a busy shard is read in few invocations, a quiet one at once. */
  batchSize: 100,
  /**
   * Concurrent batches per shard. Lambda keeps each partition key (one customer) in one batch
   * at a time, so order per customer holds at any value.
   */
  parallelizationFactor: 2,
  /** Retries of a failing batch (halved each time) before its records are parked in the DLQ. */
  maximumRetryAttempts: 10,
  /** Seconds of iterator age (the oldest unpublished change) that alarm. */
  iteratorAgeAlarmSeconds: 300,
  /** Seconds one batch may take: 100 `PutEvents` calls in sequence, with room for retries. */
  timeoutSeconds: 60,
  memoryMb: FUNCTION_DEFAULTS.memoryMb,
  /** Publish the outbound contract (OpenAPI 3) in an EventBridge schema registry. */
  publishContract: true,
  logLevel: FUNCTION_DEFAULTS.logLevel,
  logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
  /** The alarms exist but notify nobody. */
  alarmActions: noEntries,
} as const;
