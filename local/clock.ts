/**
 * The local runtime's clock: the one its handlers, its gateway (`requestTimeEpoch`), its bus (an
 * event's default `time`) and its settle (the default day, the schedule) read the time through.
 * Real time until `POST /_local/clock` sets it; from then on it runs on from the set instant at
 * the pace of real time, until `DELETE /_local/clock` returns it to real time.
 *
 * It runs on rather than standing still because everything around the handlers keeps real time
 * (the queue's redelivery, the stream's polling, the batching window): a clock that stood still
 * would stamp every write after a move with one instant, so entries and events written seconds
 * apart would tie, and history and the bus would order them by id instead of by when they
 * happened. Running on keeps them in the order they were written, as a machine whose clock was
 * set does.
 */
import type { Clock } from "../handlers/runtime/clock";

/** What `GET /_local/clock` answers: the instant now, and whether it was set (`false`: real time). */
export interface ClockState {
  now: string;
  pinned: boolean;
}

export interface LocalClock {
  /** The instant now, as every local part reads it. */
  now: Clock;
  /** Moves the clock to `instant`, from where it runs on. */
  set(instant: Date): ClockState;
  /** Returns the clock to real time. */
  reset(): ClockState;
  state(): ClockState;
  /** Tells `listener` of every move (a set or a reset), with the state after it. */
  onMove(listener: (state: ClockState) => void): void;
}

/** The runtime's log line for a move that left the clock in `state`. */
export const describeMove = ({ now, pinned }: ClockState): string =>
  pinned
    ? `local runtime: the clock is set to ${now} and runs on from there (DELETE /_local/clock returns it to real time)`
    : `local runtime: the clock is back to real time (${now})`;

/** A clock at real time; `real` is where real time comes from (a test passes its own). */
export function createLocalClock(real: () => number = Date.now): LocalClock {
  // How far the clock is from real time; undefined while it is real time.
  let offsetMs: number | undefined;
  const listeners: Array<(state: ClockState) => void> = [];
  const now: Clock = () => new Date(real() + (offsetMs ?? 0));
  const state = (): ClockState => ({ now: now().toISOString(), pinned: offsetMs !== undefined });
  const moved = (): ClockState => {
    const after = state();
    for (const listener of listeners) listener(after);
    return after;
  };
  return {
    now,
    state,
    set(instant) {
      if (!Number.isFinite(instant.getTime())) throw new RangeError("the clock can only be set to a valid date");
      offsetMs = instant.getTime() - real();
      return moved();
    },
    reset() {
      offsetMs = undefined;
      return moved();
    },
    onMove(listener) {
      listeners.push(listener);
    },
  };
}
