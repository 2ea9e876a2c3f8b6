/**
 * How a change planned from a read of the balance (a redemption, a cancel, an adjustment) tries
 * again when a concurrent change moved the balance first, and when it gives up.
 */

/** Thrown when a balance keeps changing under a request for all its attempts. */
export class LedgerBusyError extends Error {
  override name = "LedgerBusyError";
}

/** Attempts before giving up on a busy balance. */
export const BUSY_ATTEMPTS = 30;

/** The jittered pause before attempt `attempt + 1`. */
export const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt, 5)));
