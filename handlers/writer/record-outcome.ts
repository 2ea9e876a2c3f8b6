/**
 * What happened to one SQS record, as logged and as reported to SQS. Only the first three
 * outcomes acknowledge the record; the others leave it to be delivered again (and, after
 * the queue's `maxReceiveCount`, to wait in the DLQ).
 */
import { InvalidEventError, OrderNotYetCreditedError } from "../domain/errors";
import type { LogLevel } from "../runtime/log";

export type RecordOutcome =
  /** The order's points were added to the balance. */
  | { outcome: "credited"; points: number }
  /** The refund's points were taken back from the balance. */
  | { outcome: "reversed"; points: number }
  /** The event was written before (redelivery, re-publication): nothing changed. */
  | { outcome: "duplicate"; points: 0 }
  /** The event can never be written as it is; `reason` names the field or rule. */
  | { outcome: "invalid"; points: 0; reason: string }
  /** A refund whose order is not credited yet; retried until it is. */
  | { outcome: "not-yet-creditable"; points: 0; reason: string }
  /** DynamoDB throttled, a transaction conflicted, the network failed...; retried. */
  | { outcome: "error"; points: 0; reason: string };

const ACKNOWLEDGED = new Set<RecordOutcome["outcome"]>(["credited", "reversed", "duplicate"]);

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
  if (error instanceof OrderNotYetCreditedError) {
    return { outcome: "not-yet-creditable", points: 0, reason: error.message };
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { outcome: "error", points: 0, reason };
}
