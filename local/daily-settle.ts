/**
 * The local stand-in for the settle's schedule: runs the real settle handler at the time of day
 * the stack's schedule does (UTC) by the runtime's clock, and on demand (`POST /_local/settle`).
 * Runs never overlap: a run asked for while one is under way starts when it ends.
 */
import { DAY_MS } from "../handlers/domain/lifecycle";

/** Minutes after UTC midnight the stack's schedule runs the settle (its `cron(15 0 * * ? *)`). */
export const LOCAL_SETTLE_MINUTE_OF_DAY = 15;

export interface DailySettle {
  /** Runs the settle now (after any run under way) and returns what the handler returned. */
  runNow(input?: unknown): Promise<unknown>;
  /** Times the next run again, after the clock has moved. */
  reschedule(): void;
  /** Stops the timer and waits for a run under way. */
  stop(): Promise<void>;
}

/** Milliseconds from `now` to the next `minuteOfDay` (UTC), never 0. */
export function untilNextRun(now: number, minuteOfDay = LOCAL_SETTLE_MINUTE_OF_DAY): number {
  const today = now - (now % DAY_MS) + minuteOfDay * 60_000;
  return (today > now ? today : today + DAY_MS) - now;
}

export function startDailySettle(
  handler: (input: unknown) => Promise<unknown>,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): DailySettle {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runNow = (input: unknown = {}) => {
    const run = chain.then(() => handler(input));
    chain = run.catch(() => undefined);
    return run;
  };
  const schedule = () => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => {
      runNow().catch(onError).finally(schedule);
    }, untilNextRun(now()));
  };
  schedule();

  return {
    runNow,
    reschedule: schedule,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}
