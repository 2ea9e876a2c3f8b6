/**
 * `--rate N`: at most N events per second. PutEvents quotas are per account and region, shared
 * with the platform's live events; a backfill that takes them all would throttle real orders.
 */

import { setTimeout as delay } from "node:timers/promises";

/** Time as the pacing sees it; tests pass one whose `sleep` only moves `now`. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Waits `ms`, or less when `signal` aborts (an interrupted run stops at once). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

/** Waits, before each request of `events` entries, until sending them keeps to the rate. */
export type Pace = (events: number, signal?: AbortSignal) => Promise<void>;

/**
 * Spaces requests so that each one starts only once the events before it have had their share
 * of time. An idle spell earns no credit: the next request never bursts above the rate.
 */
export function rateLimiter(eventsPerSecond: number | undefined, clock: Clock): Pace {
  if (eventsPerSecond === undefined) return async () => {};
  let next = Number.NEGATIVE_INFINITY;
  return async (events, signal) => {
    const now = clock.now();
    const start = Math.max(next, now);
    if (start > now) await clock.sleep(start - now, signal);
    next = start + (events * 1000) / eventsPerSecond;
  };
}

/**
 * Entries per request under a rate: at most 10 (PutEvents' limit), and no more than one
 * second's worth, so a slow rate sends small requests evenly instead of a burst then a wait.
 */
export function batchSizeFor(eventsPerSecond: number | undefined, maxEntries: number): number {
  if (eventsPerSecond === undefined) return maxEntries;
  return Math.max(1, Math.min(maxEntries, Math.floor(eventsPerSecond)));
}
