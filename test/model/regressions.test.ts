/**
 * Counterexamples the model-based test found, shrunk, each kept as a named sequence: the rule it
 * checks is the README's, the expected answers are the reference model's (the numbers are spelt
 * out beside each sequence). Times: every run starts at 2026-03-01T10:00Z, with points pending
 * 1 day (released at the next midnight after) and expiring 2 days after their release.
 */
import test from "ava";
import { useDynamoLocal } from "../support/dynamo-local-per-file";
import { ADMIN_BACKEND } from "../support/iam-caller";
import { createModelTable, describeDisagreement, run } from "./driver";
import type { Step } from "./steps";

process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

/**
 * A table for each test: ava runs them concurrently, and the settle visits every customer of its
 * table, so on a shared one a test's settle would write, and publish, into another's partition at
 * its own clock.
 */
const agrees = test.macro(async (t, steps: Step[]) => {
  const found = await run(await createModelTable(dynamo), steps);
  t.is(found && describeDisagreement(steps, found), undefined);
});

test(
  "a late order into a lot that has already expired is credited and expires in the same write: its history shows the earn and the expiry",
  agrees,
  [
    // Completed 100 h ago: released 2026-02-26, expired 2026-02-28. Earn +1, expiry −1, lifetimeEarned 1.
    { kind: "order", order: 0, cents: 100, ageHours: 100 },
  ],
);

test("an adjustment for an erased customer is refused as customer_erased, a take as much as a grant", agrees, [
  { kind: "erase", via: "api" },
  { kind: "adjust", adjustment: 0, points: -1, allowNegative: false },
]);

test("the history pages through an adjustment: the cursor of a page that ends on one is accepted", agrees, [
  // Four entries at three a page: the first page's cursor points past the adjustment.
  { kind: "order", order: 0, cents: 100, ageHours: 0 },
  { kind: "adjust", adjustment: 0, points: 1, allowNegative: false },
  { kind: "redeem", redemption: 0, points: 1 },
  { kind: "order", order: 1, cents: 100, ageHours: 60 },
]);

test("points expiring within 30 seconds are not spent, and the refusal's balance is what the request could have spent", agrees, [
  // A grant of 1 expires 2026-03-03T00:00; at 23:59:50 the day before it is inside the margin:
  // the read still shows balance 1, the redemption is refused with balance 0.
  { kind: "adjust", adjustment: 0, points: 1, allowNegative: false },
  { kind: "clock", move: { by: "midnight" } },
  { kind: "clock", move: { by: "beforeMidnight" } },
  { kind: "redeem", redemption: 0, points: 1 },
]);

test("what a customer owes is paid by the points that expire: an expiring lot pays the debt before anything expires", agrees, [
  // Owes 1 after the take; the order's lot (1 point, spendable, expiring 2026-03-02) pays it when
  // it expires: balance 0, not −1, and nothing expires.
  { kind: "adjust", adjustment: 0, points: -1, allowNegative: true },
  { kind: "order", order: 0, cents: 100, ageHours: 60 },
  { kind: "clock", move: { by: "days", days: 1 } },
  { kind: "settle" },
]);

test(
  "a return window's close that arrives before its order moves the release only: the points keep the expiry their order earned",
  agrees,
  [
    // The order alone: released 2026-03-03, expiring 2026-03-05. Closed 2026-03-01: released
    // 2026-03-02, still expiring 2026-03-05, so on 2026-03-04 the point is spendable.
    { kind: "close", order: 1 },
    { kind: "order", order: 1, cents: 100, ageHours: 0 },
    { kind: "clock", move: { by: "days", days: 2 } },
    { kind: "clock", move: { by: "midnight" } },
  ],
);

test("a refund after its order's lot expired takes nothing, whether or not the settle has run: the expiry shows what expired", agrees, [
  // The lot (1 point) expired at 2026-03-02T00:00; the refund comes an hour later, before any
  // settle: it shows 0, and the settle's expiry shows −1.
  { kind: "order", order: 0, cents: 100, ageHours: 60 },
  { kind: "clock", move: { by: "hours", hours: 15 } },
  { kind: "refund", order: 0, refund: 0, cents: 100, currency: "EUR" },
  { kind: "settle" },
]);

test(
  "points credited already within the warning's days of their expiry (a backfill) are not warned of: the settle run after the credit publishes no Points Expiring Soon",
  agrees,
  [
    // Completed 2026-02-26T22:00: released 2026-02-28, expiring 2026-03-02T00:00. Credited
    // 2026-03-01T10:00, within the one warning day of that expiry: its Points Earned (1 point) says
    // when it expires, and the settle of 2026-03-01, run after the credit, tells nothing more.
    // The ledger warns (Points Expiring Soon, 1 point): the order's write lists it in the expiry
    // index, and the settle warns whoever that index lists, however late their lots were credited.
    { kind: "order", order: 0, cents: 100, ageHours: 60 },
    { kind: "settle", daysBack: [0] },
  ],
);

test(
  "points expiring within 30 seconds are not spent, yet they still pay what is owed: a refusal's balance does not count that debt against the other lots",
  agrees,
  [
    // At 2026-03-01T23:59:50 a take of 1 leaves 1 owed, and a grant of 1 expires 2026-03-03T00:00.
    // At 2026-03-02T23:59:50 the grant is inside the margin: it cannot be spent, but when it expires
    // it pays the 1 owed. The redemption is refused with balance 0 (not −1), as the read shows.
    { kind: "clock", move: { by: "beforeMidnight" } },
    { kind: "adjust", adjustment: 0, points: -1, allowNegative: true },
    { kind: "adjust", adjustment: 1, points: 1, allowNegative: false },
    { kind: "clock", move: { by: "beforeMidnight" } },
    { kind: "redeem", redemption: 0, points: 1 },
  ],
);

test(
  "a settle that visits a customer takes every expired lot off their balance, each expiry day with its own entry, not only the day it visits",
  agrees,
  [
    // A grant of 1 (expiring 2026-03-03) and an order of 1 (released 2026-03-03, expiring 2026-03-05).
    // On 2026-03-05 the settle of that day alone visits the customer: both lots have expired, and it
    // writes Points Expired of 1 for 2026-03-03 and of 1 for 2026-03-05.
    { kind: "adjust", adjustment: 0, points: 1, allowNegative: false },
    { kind: "order", order: 0, cents: 100, ageHours: 0 },
    { kind: "clock", move: { by: "days", days: 3 } },
    { kind: "clock", move: { by: "midnight" } },
    { kind: "settle", daysBack: [0] },
  ],
);
