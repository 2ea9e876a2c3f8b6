/**
 * Random sequences of every input the ledger takes, weighted so that a sequence of 25 steps
 * usually credits something, moves the clock across a release and an expiry, and hits the same
 * ids more than once (duplicates, refunds in pieces, replays).
 */
import { fc } from "@fast-check/ava";
import type { ClockMove, Step } from "./steps";

const ids = fc.integer({ min: 0, max: 3 });

const clockMove: fc.Arbitrary<ClockMove> = fc.oneof(
  fc.record({ by: fc.constant("hours" as const), hours: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ by: fc.constant("days" as const), days: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({ by: "midnight" as const }),
  fc.constant({ by: "beforeMidnight" as const }),
);

export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      order: ids,
      cents: fc.integer({ min: 100, max: 20_000 }),
      ageHours: fc.constantFrom(0, 5, 30, 60, 100),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      order: ids,
      refund: fc.integer({ min: 0, max: 2 }),
      cents: fc.integer({ min: 50, max: 15_000 }),
      currency: fc.constant<"EUR" | "GBP">("EUR"),
    }),
  },
  // A refund in another currency has an id of its own: a redelivery never changes currency.
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      order: ids,
      refund: fc.constant(9),
      cents: fc.integer({ min: 50, max: 15_000 }),
      currency: fc.constant<"EUR" | "GBP">("GBP"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("close" as const), order: ids }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("redeem" as const), redemption: ids, points: fc.integer({ min: 1, max: 120 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), redemption: ids }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      adjustment: ids,
      points: fc.oneof(fc.integer({ min: -120, max: -1 }), fc.integer({ min: 1, max: 120 })),
      allowNegative: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constant({ kind: "settle" as const }),
      fc.record({
        kind: fc.constant("settle" as const),
        daysBack: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
      }),
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("erase" as const), via: fc.constantFrom<"api" | "event">("api", "event") }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("clock" as const), move: clockMove }) },
);

export const steps = fc.array(step, { minLength: 1, maxLength: 25 });
