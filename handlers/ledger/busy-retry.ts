/**
 * How the ledger tries again (with the one retry helper, `runtime/retry`) when a concurrent change
 * wins the race for the items a write was planned from, and when DynamoDB leaves part of a batch
 * undone; how many tries each gets, and what giving up raises.
 */
import type { RetryOptions, RetryPolicy } from "../runtime/retry";

/** Thrown when a balance keeps changing under a request for all its tries. */
export class LedgerBusyError extends Error {
  override name = "LedgerBusyError";
}

/** Giving up on the balance of `whose` (a user id, or a digest where the id must not be logged). */
export const busyBalance = (whose: string): RetryOptions => ({
  exhausted: (tries) => new LedgerBusyError(`the balance of ${whose} kept changing over ${tries} attempts`),
});

/**
 * A request planned from a read of the balance (a redemption, a cancel, an adjustment, an
 * erasure's tombstone): a caller waits for it, so it tries many times with short pauses, then
 * answers `503 busy`.
 */
export const BUSY_RETRY: RetryPolicy = { tries: 30, firstPauseMs: 10, maxPauseMs: 50 };

/**
 * An event's write planned from a read (a refund, a return window's close, a credit netting what
 * arrived early, a settle's expiry): a few tries, then the event fails and is delivered again later.
 */
export const EVENT_RETRY: RetryPolicy = { tries: 5, firstPauseMs: 10, maxPauseMs: 50 };

/**
 * Requests of a `BatchWriteItem` DynamoDB left unprocessed (throttling): sent again with the
 * backoff AWS asks for, then the erasure fails — and resumes where it stopped when run again.
 */
export const UNPROCESSED_RETRY: RetryPolicy = { tries: 10, firstPauseMs: 50, maxPauseMs: 2_000 };

/**
 * A chunk of an upload's codes that met a redemption writing the same shard (`TransactionConflict`,
 * which a hot reward's shards meet in AWS): nothing of it was written, so it is sent again as it
 * was, with pauses long enough for the redemptions to pass, then the upload fails (an upload sent
 * again adds only the codes still missing).
 */
export const CONFLICT_RETRY: RetryPolicy = { tries: 8, firstPauseMs: 20, maxPauseMs: 500 };
