/**
 * What happened to one SQS record, as logged and as reported to SQS. Only the first six
 * outcomes acknowledge the record; the others leave it to be delivered again (and, after
 * the queue's `maxReceiveCount`, to wait in the DLQ).
 */
import { InvalidEventError } from "../domain/errors";
import type { LogLevel } from "../runtime/log";

export type RecordOutcome =
  /** The order's points were added to the balance. */
  | { outcome: "credited"; points: number }
  /** The refund's points were taken back from the balance. */
  | { outcome: "reversed"; points: number }
  /** The return window closed: the order's pending points release earlier (0 when nothing changed). */
  | { outcome: "released"; points: number }
  /** A refund or a window's close that arrived before its order: recorded, applied when the order lands. */
  | { outcome: "parked"; points: 0 }
  /**
   * A `Customer Deleted` erased the customer (`points`: the outstanding points removed), or the
   * event belongs to a customer erased before and is dropped (0).
   */
  | { outcome: "erased"; points: number }
  /** The event was written before (redelivery, re-publication): nothing changed. */
  | { outcome: "duplicate"; points: 0 }
  /** The event can never be written as it is; `reason` names the field or rule. */
  | { outcome: "invalid"; points: 0; reason: string }
  /** DynamoDB throttled, a transaction conflicted, the network failed...; retried. */
  | { outcome: "error"; points: 0; reason: string };

const ACKNOWLEDGED = new Set<RecordOutcome["outcome"]>(["credited", "reversed", "released", "parked", "erased", "duplicate"]);

/** Whether SQS may delete the record: its write happened now or earlier. */
export function isAcknowledged(outcome: RecordOutcome): boolean {
  return ACKNOWLEDGED.has(outcome.outcome);
}

/** The log level of an outcome: failures that need a person are louder than expected ones. */
export function logLevelOf(outcome: RecordOutcome): LogLevel {
  if (isAcknowledged(outcome)) return "info";
  return outcome.outcome === "error" ? "error" : "warn";
}

/** Turns what a write threw into its outcome. */
export function classifyFailure(error: unknown): RecordOutcome {
  if (error instanceof InvalidEventError) {
    return { outcome: "invalid", points: 0, reason: error.message };
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { outcome: "error", points: 0, reason };
}
