/**
 * What the ingest path (`LoyaltyIngest`; the stack config's ingest keys) gets when a setting is
 * not given. The stack config schema, the component's argument schema and its fallbacks read
 * these; the README's stack config table is held to them by a test.
 */
import { DEFAULT_EVENT_SOURCE } from "../../handlers/domain/contract";
import { FUNCTION_DEFAULTS } from "./function-defaults";
import { noEntries } from "./no-entries";

export const INGEST_DEFAULTS = {
  /** Pulumi `protect`s the queues holding messages (and the key that decrypts them): a destroy or a replacing change stops instead of losing them. */
  deletionProtection: true,
  /** Nobody besides the rule may send to the queue. */
  redriveOperators: noEntries,
  eventBusName: "default",
  eventSource: DEFAULT_EVENT_SOURCE,
  /** The event contract is published in an EventBridge schema registry. */
  publishContract: true,
  maxReceiveCount: 5,
  writerTimeoutSeconds: 30,
  writerMemoryMb: 256,
  batchSize: 10,
  batchingWindowSeconds: 0,
  maxConcurrency: 5,
  logLevel: FUNCTION_DEFAULTS.logLevel,
  logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
  /** The alarms exist but notify nobody. */
  alarmActions: noEntries,
} as const;
