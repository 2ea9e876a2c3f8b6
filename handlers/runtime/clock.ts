/**
 * The one way a handler reads the time. Each handler is given its clock when it is built, never
 * a global it looks up per call: in Lambda that is `systemClock`; the local runtime builds its
 * handlers with the clock `POST /_local/clock` moves, and tests with a pinned one, so that every
 * function of a run sees the same instant.
 */

/** The current instant, as the handler given it should see it. */
export type Clock = () => Date;

/** Real time: what every handler reads in Lambda. */
export const systemClock: Clock = () => new Date();
