/**
 * The lifecycle's plain arithmetic: lot dates and their midnight rounding, what lots hold at an
 * instant, and the spending plan's order.
 */
import test from "ava";
import { earlyReleaseOf, lotAttribute, lotDatesFor, lotDatesOf } from "../handlers/domain/lifecycle";
import { grantedLotFields } from "../handlers/domain/adjustment";
import { paidUp, planDebit, planSpending } from "../handlers/domain/lot-plans";
import { spendable, viewAt, type Lot } from "../handlers/domain/lots";

const PROD = { pendingDays: 30, expiryDays: 365 };

test("lot dates: the next UTC midnight unless exactly midnight; none when 0", (t) => {
  t.deepEqual(lotDatesFor("2025-12-17T10:00:00.000Z", PROD), { availableDay: "2026-01-17", expiresDay: "2027-01-17" });
  t.deepEqual(lotDatesFor("2025-12-17T00:00:00.000Z", PROD), { availableDay: "2026-01-16", expiresDay: "2027-01-16" });
  t.deepEqual(lotDatesFor("2025-12-17T10:00:00.000Z", { pendingDays: 30, expiryDays: 0 }), {
    availableDay: "2026-01-17",
    expiresDay: null,
  });
  t.deepEqual(lotDatesFor("2025-12-17T10:00:00.000Z", { pendingDays: 0, expiryDays: 0 }), { availableDay: null, expiresDay: null });
  t.is(lotAttribute({ availableDay: "2026-01-16", expiresDay: null }), "lot_2026-01-16_-");
  t.deepEqual(lotDatesOf("lot_2026-01-16_2027-01-16"), { availableDay: "2026-01-16", expiresDay: "2027-01-16" });
  t.is(lotDatesOf("lifetimeEarned"), undefined);
  t.deepEqual(
    earlyReleaseOf({ availableDay: "2026-01-17", expiresDay: "2027-01-17" }, "2025-12-31T23:59:59.999Z"),
    { availableDay: "2026-01-01", expiresDay: "2027-01-17" },
    "the release moves, the expiry stays",
  );
  t.is(earlyReleaseOf({ availableDay: "2026-01-17", expiresDay: null }, "2026-01-16T00:00:00.000Z"), undefined);
});

const lot = (availableDay: string | null, expiresDay: string | null, points: number): Lot => ({
  attribute: lotAttribute({ availableDay, expiresDay }),
  availableDay,
  expiresDay,
  points,
});
const at = (iso: string) => Date.parse(iso);

// Rule change (README "What a customer owes"): owed points are paid by the points that would
// otherwise expire, not at the next spend, so the 3 owed here come out of the first lot to expire.
test("what lots hold is exact at any instant", (t) => {
  const holding = { lots: [lot("2026-01-10", "2026-02-10", 10), lot("2026-01-20", "2026-02-20", 20), lot(null, null, 5)], debt: 3 };
  t.like(viewAt(holding, at("2026-01-09T23:59:59.999Z")), {
    balance: 2,
    pending: 30,
    nextRelease: { points: 10, at: "2026-01-10T00:00:00.000Z" },
  });
  t.like(viewAt(holding, at("2026-01-20T00:00:00.000Z")), {
    balance: 32,
    pending: 0,
    nextExpiry: { points: 7, at: "2026-02-10T00:00:00.000Z" },
  });
  t.like(viewAt(holding, at("2026-02-10T00:00:00.000Z")), { balance: 25, nextExpiry: { points: 20, at: "2026-02-20T00:00:00.000Z" } });
});

test("spending draws only its own points, earliest expiry first, never-expiring last: what is owed stays owed", (t) => {
  const holding = { lots: [lot(null, null, 50), lot("2026-01-01", "2026-03-01", 10), lot("2026-01-01", "2026-02-01", 10)], debt: 5 };
  const plan = planSpending(holding, 20, at("2026-01-15T00:00:00.000Z"), at("2026-01-15T00:00:30.000Z"));
  t.deepEqual(plan?.draws, { "lot_2026-01-01_2026-02-01": 10, "lot_2026-01-01_2026-03-01": 10 });
  t.deepEqual(
    plan?.deltas,
    [
      ["lot_2026-01-01_2026-02-01", -10],
      ["lot_2026-01-01_2026-03-01", -10],
    ],
    "the debt is not touched",
  );
  t.is(planSpending(holding, 66, at("2026-01-15T00:00:00.000Z"), at("2026-01-15T00:00:30.000Z")), undefined);
});

test("an admin's take into debt: spent earliest expiry first, the shortfall owed from now on", (t) => {
  const now = Date.parse("2026-03-01T12:00:00.000Z");
  const soon: Lot = { attribute: "lot_2026-02-01_2026-04-01", availableDay: "2026-02-01", expiresDay: "2026-04-01", points: 10 };
  const never: Lot = { attribute: "lot_-_-", availableDay: null, expiresDay: null, points: 5 };
  const holding = { lots: [never, soon], debt: 3 };
  const plan = planDebit(holding, 20, now, now);
  t.deepEqual(plan.draws, { [soon.attribute]: 10, [never.attribute]: 5 });
  t.is(plan.toDebt, 5);
  t.deepEqual(
    new Map(plan.deltas),
    new Map([
      [soon.attribute, -10],
      [never.attribute, -5],
      ["debt", 5],
      ["debtFrom", now],
    ]),
  );
  const after = {
    lots: [
      { ...soon, points: 0 },
      { ...never, points: 0 },
    ],
    debt: 8,
  };
  t.is(spendable(after, now), spendable(holding, now) - 20, "the balance goes down by exactly the take");
  t.is(planSpending(holding, 20, now, now), undefined, "without allowNegative the same take is refused");
});

test("an expired lot still on the item pays what is owed in every read, unless the debt arose after it expired", (t) => {
  const expired = lot("2026-01-10", "2026-02-10", 10);
  const live = lot("2026-01-20", "2026-02-20", 20);
  const owing = { lots: [expired, live], debt: 15 };
  t.like(viewAt(owing, at("2026-02-15T00:00:00.000Z")), { balance: 15, nextExpiry: { points: 15, at: "2026-02-20T00:00:00.000Z" } });
  t.deepEqual(paidUp(owing, at("2026-02-15T00:00:00.000Z")).deltas, [
    [expired.attribute, -10],
    ["debt", -10],
  ]);
  const owedSince = { ...owing, debtFrom: at("2026-02-12T00:00:00.000Z") };
  t.like(viewAt(owedSince, at("2026-02-15T00:00:00.000Z")), { balance: 5, nextExpiry: { points: 5, at: "2026-02-20T00:00:00.000Z" } });
  t.deepEqual(paidUp(owedSince, at("2026-02-15T00:00:00.000Z")).deltas, []);
  // A pre-lot balance left below zero is owed the same way.
  const legacy = {
    lots: [{ attribute: "balance", availableDay: null, expiresDay: null, points: -30 }, lot("2026-01-10", "2026-02-10", 50)],
    debt: 0,
  };
  t.like(viewAt(legacy, at("2026-02-01T00:00:00.000Z")), { balance: 20, nextExpiry: { points: 20, at: "2026-02-10T00:00:00.000Z" } });
  t.like(viewAt(legacy, at("2026-02-10T00:00:00.000Z")), { balance: 0 });
  t.deepEqual(paidUp(legacy, at("2026-02-10T00:00:00.000Z")).deltas, [
    ["lot_2026-01-10_2026-02-10", -30],
    ["balance", 30],
  ]);
});

test("a granted lot is available from the start of its day and expires expiryDays later, whatever the pending days", (t) => {
  t.deepEqual(grantedLotFields("2026-03-01T12:00:00.000Z", PROD), {
    lot: "lot_2026-03-01_2027-03-01",
    availableAt: "2026-03-01T00:00:00.000Z",
    expiresAt: "2027-03-01T00:00:00.000Z",
  });
  t.deepEqual(grantedLotFields("2026-03-01T12:00:00.000Z", { pendingDays: 30, expiryDays: 0 }), { lot: "lot_-_-" });
});
