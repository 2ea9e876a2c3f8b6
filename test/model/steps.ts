/**
 * The inputs a model-based run sends, as plain data: the reference model and the driver read the
 * same steps, so a shrunk counterexample prints as a short list anyone can replay by hand.
 * Ids are small indexes (order 0 is `o-0`), so random steps keep hitting the same orders,
 * refunds and redemptions: duplicates, pieces, replays and conflicts come from that.
 */
export type Step =
  /** An order completed `ageHours` before now (old enough, its lot has already expired). */
  | { kind: "order"; order: number; cents: number; ageHours: number }
  /** A refund, now; GBP is another currency than every order's (EUR). */
  | { kind: "refund"; order: number; refund: number; cents: number; currency: "EUR" | "GBP" }
  /** The order's return window closed, now. */
  | { kind: "close"; order: number }
  | { kind: "redeem"; redemption: number; points: number }
  | { kind: "cancel"; redemption: number }
  | { kind: "adjust"; adjustment: number; points: number; allowNegative: boolean }
  /** The daily settle: its default days (`daysBack` absent), or the days that many days back. */
  | { kind: "settle"; daysBack?: number[] }
  /** Erasure by the admin API, or by the platform's `Customer Deleted` event. */
  | { kind: "erase"; via: "api" | "event" }
  | { kind: "clock"; move: ClockMove };

export type ClockMove =
  | { by: "hours"; hours: number }
  | { by: "days"; days: number }
  /** Exactly the next UTC midnight. */
  | { by: "midnight" }
  /** Ten seconds before the next UTC midnight: inside the 30-second spending margin. */
  | { by: "beforeMidnight" };

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Where every run's clock starts. */
export const START = "2026-03-01T10:00:00.000Z";

/** Short enough that pending, release and expiry all happen within a few clock steps. */
export const LIFECYCLE = { pendingDays: 1, expiryDays: 2 };

/** The settle warns one day ahead (the stack's default is 30, beyond every lot of the lifecycle above). */
export const EXPIRING_SOON_DAYS = 1;

/** The clock after `move` from `now` (always forward). */
export function moveClock(now: number, move: ClockMove): number {
  const nextMidnight = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  switch (move.by) {
    case "hours":
      return now + move.hours * HOUR_MS;
    case "days":
      return now + move.days * DAY_MS;
    case "midnight":
      return nextMidnight;
    case "beforeMidnight":
      return nextMidnight - 10_000 > now ? nextMidnight - 10_000 : nextMidnight + DAY_MS - 10_000;
  }
}

export const dayOf = (instant: number): string => new Date(instant).toISOString().slice(0, 10);
export const iso = (instant: number): string => new Date(instant).toISOString();
export const orderId = (order: number) => `o-${order}`;
export const refundId = (refund: number) => `f-${refund}`;
export const redemptionId = (redemption: number) => `r-${redemption}`;
export const adjustmentId = (adjustment: number) => `a-${adjustment}`;
