/**
 * The failures the writer tells apart. Each maps to one logged outcome; all of them leave
 * the SQS message un-acknowledged, so nothing is lost: it is retried, then waits in the DLQ.
 */

/**
 * Thrown when an event can never be processed as it is: it breaks the contract, names a
 * currency with no earn rule, or contradicts its order. Retrying will not help; a redrive
 * from the DLQ after the config or the publisher is fixed will.
 */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/**
 * Thrown when writing an event would leave a ledger total (a balance, `lifetimeEarned`, an
 * order's refunded total) beyond Number.MAX_SAFE_INTEGER, the largest whole number JavaScript,
 * and so every reader of the ledger, holds exactly. Such an event is invalid: it writes
 * nothing, and waits in the DLQ for a person to look at it.
 */
export class LedgerLimitError extends InvalidEventError {
  override name = "LedgerLimitError";
}

/** The limit as every refusal names it, so logs can be searched for one text. */
export const SAFE_INTEGER_LIMIT = `${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER)`;

/**
 * Thrown when an item read from the table is not what the ledger writes, e.g. a balance beyond
 * Number.MAX_SAFE_INTEGER left by a write from before such writes were refused. Retrying cannot
 * help and no answer computed from it would be exact: the item needs repairing from its entries.
 */
export class CorruptLedgerItemError extends Error {
  override name = "CorruptLedgerItemError";
}
