/**
 * The one way this codebase tries something again: a stated number of tries, a random pause
 * before each retry whose ceiling doubles from try to try up to a cap ("full jitter", what AWS
 * asks of clients, so that callers that lost the same race do not meet again), and an error the
 * caller names once the tries are spent. Never an unbounded loop, never a fixed pause.
 */
import { setTimeout as delay } from "node:timers/promises";

export interface RetryPolicy {
  /** Tries in all, the first one included (at least 1). */
  tries: number;
  /** The ceiling of the pause before the first retry, in ms; each further retry doubles it. */
  firstPauseMs: number;
  /** The ceiling no pause goes beyond, in ms. */
  maxPauseMs: number;
}

/** Giving up, when the caller has no error of its own for it: every try was spent. */
export class RetriesExhaustedError extends Error {
  override name = "RetriesExhaustedError";
}

/** What a try returns to ask for another one. */
export const AGAIN: unique symbol = Symbol("again");

/** The try under way: its number (from 1), and whether no other will follow. */
export interface Try {
  number: number;
  last: boolean;
}

export interface RetryOptions {
  /** The error thrown when every try asked for another (told how many there were). */
  exhausted: (tries: number) => Error;
  /** Waits between tries; a test or a stoppable run passes its own. */
  sleep?: (ms: number) => Promise<void>;
  /** The jitter's randomness, in [0, 1). */
  random?: () => number;
}

/** The pause before retry `retry` (1 for the second try): random, up to a ceiling that doubles each retry. */
export function pauseMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(policy.maxPauseMs, policy.firstPauseMs * 2 ** (retry - 1)));
}

/**
 * Runs `attempt` until it returns something other than `AGAIN`, at most `policy.tries` times,
 * pausing before each retry; throws `options.exhausted(tries)` when the last try asked for another.
 * Errors thrown by `attempt` are not retried: they end the run.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  attempt: (current: Try) => Promise<T | typeof AGAIN>,
  options: RetryOptions,
): Promise<T> {
  const { sleep = (ms: number) => delay(ms), random = Math.random } = options;
  for (let number = 1; number <= policy.tries; number++) {
    if (number > 1) await sleep(pauseMs(policy, number - 1, random));
    const outcome = await attempt({ number, last: number === policy.tries });
    if (outcome !== AGAIN) return outcome;
  }
  throw options.exhausted(policy.tries);
}
