/**
 * The domain alone, no DynamoDB: the event contract, currencies, earn rules and the ledger
 * arithmetic, edge cases included.
 */
import test from "ava";
import { IMMEDIATE } from "../handlers/domain/lifecycle";
import { DETAIL_TYPES, MAX_AMOUNT_MINOR_UNITS, parseLoyaltyEvent } from "../handlers/domain/contract";
import { minorUnitExponent } from "../handlers/domain/currencies";
import { earnRateFor, InvalidEarnRulesError, parseEarnRules, pointsFor, type EarnRate } from "../handlers/domain/earn-rules";
import { InvalidEventError, LedgerLimitError } from "../handlers/domain/errors";
import { earnEntry, planReversal, type EarnEntry } from "../handlers/domain/ledger-entries";
import { readIsoTimestamp } from "../handlers/domain/timestamp";
import { decodeCursor, encodeCursor, InvalidCursorError } from "../handlers/ledger/history-cursor";
import { orderCompleted, orderRefunded } from "./support/events";
import { required } from "../harness/required";

const parse = (event: unknown) => parseLoyaltyEvent(JSON.stringify(event));
const completed = (detail: Record<string, unknown>) => ({
  ...orderCompleted({ orderId: "o-1", userId: "u-1", amount: 1_000 }),
  detail: { orderId: "o-1", userId: "u-1", total: { amount: 1_000, currency: "EUR" }, completedAt: "2026-11-01T10:00:00Z", ...detail },
});

// --- contract ---------------------------------------------------------------------------

test("valid Order Completed and Order Refunded events parse; extra fields are dropped", (t) => {
  const order = parse({ ...completed({ coupon: "X" }), extra: 1 });
  t.true(order.ok);
  if (order.ok) {
    t.is(order.event["detail-type"], DETAIL_TYPES.orderCompleted);
    t.false("coupon" in order.event.detail);
    t.false("extra" in order.event);
  }
  const refund = parse(orderRefunded({ orderId: "o-1", userId: "u-1", refundId: "r-1", amount: 10 }));
  t.true(refund.ok);
});

test("times are normalised to UTC with milliseconds, so they sort as text", (t) => {
  const result = parse(completed({ completedAt: "2026-11-01T11:00:00+01:00" }));
  t.true(
    result.ok &&
      result.event["detail-type"] === DETAIL_TYPES.orderCompleted &&
      result.event.detail.completedAt === "2026-11-01T10:00:00.000Z",
  );
});

const INVALID: Array<[string, Record<string, unknown>, RegExp]> = [
  ["a float amount", { total: { amount: 12.5, currency: "EUR" } }, /detail\.total\.amount: must be a whole number/],
  ["a negative amount", { total: { amount: -1, currency: "EUR" } }, /detail\.total\.amount: must not be negative/],
  ["an unsafe integer", { total: { amount: 2 ** 53, currency: "EUR" } }, /detail\.total\.amount/],
  ["an amount as text", { total: { amount: "10", currency: "EUR" } }, /detail\.total\.amount/],
  ["a lowercase currency", { total: { amount: 1, currency: "eur" } }, /detail\.total\.currency: must be an ISO 4217 code/],
  ["a four-letter currency", { total: { amount: 1, currency: "EURO" } }, /detail\.total\.currency/],
  ["an empty order id", { orderId: "" }, /detail\.orderId: must not be empty/],
  ["a 129-character user id", { userId: "u".repeat(129) }, /detail\.userId: must be at most 128 characters/],
  ["a user id with a slash", { userId: "a/b" }, /detail\.userId: may only contain/],
  ["a user id with a space", { userId: "a b" }, /detail\.userId: may only contain/],
  ["a user id with a non-ASCII letter", { userId: "ü" }, /detail\.userId: may only contain/],
  ["a user id with #", { userId: "USER#x" }, /detail\.userId: may only contain/],
  ["a time in words", { completedAt: "yesterday" }, /detail\.completedAt: must be an ISO 8601 timestamp/],
  ["a time without a zone", { completedAt: "2026-11-01T10:00:00" }, /detail\.completedAt/],
  ["an impossible date", { completedAt: "2026-13-40T00:00:00Z" }, /detail\.completedAt/],
  ["a missing total", { total: undefined }, /detail\.total/],
];
for (const [what, detail, reason] of INVALID) {
  test(`rejected: ${what}`, (t) => {
    const result = parse(completed(detail));
    t.false(result.ok);
    if (!result.ok) t.regex(result.reason, reason);
  });
}

// --- amount bound -------------------------------------------------------------------------

const refunded = (detail: Record<string, unknown>) => ({
  ...orderRefunded({ orderId: "o-1", userId: "u-1", refundId: "r-1", amount: 10 }),
  detail: {
    orderId: "o-1",
    userId: "u-1",
    refundId: "r-1",
    refund: { amount: 10, currency: "EUR" },
    refundedAt: "2026-11-02T10:00:00Z",
    ...detail,
  },
});

test("the amount bound is 10^12 minor units, far within the safe integers", (t) => {
  t.is(MAX_AMOUNT_MINOR_UNITS, 10 ** 12);
  // The most one event can earn: a currency without minor units at the highest rate.
  t.true(pointsFor(MAX_AMOUNT_MINOR_UNITS, rate("JPY", 10_000)) * 90 <= Number.MAX_SAFE_INTEGER);
});

test("order and refund amounts up to the bound are accepted", (t) => {
  t.true(parse(completed({ total: { amount: MAX_AMOUNT_MINOR_UNITS, currency: "GBP" } })).ok);
  t.true(parse(refunded({ refund: { amount: MAX_AMOUNT_MINOR_UNITS, currency: "GBP" } })).ok);
});

test("order and refund amounts above the bound are refused, naming the field", (t) => {
  for (const amount of [MAX_AMOUNT_MINOR_UNITS + 1, 9_007_199_254_740_991]) {
    const order = parse(completed({ total: { amount, currency: "GBP" } }));
    t.false(order.ok);
    if (!order.ok) t.is(order.reason, "detail.total.amount: must be at most 1000000000000 minor units");
    const refund = parse(refunded({ refund: { amount, currency: "GBP" } }));
    t.false(refund.ok);
    if (!refund.ok) t.is(refund.reason, "detail.refund.amount: must be at most 1000000000000 minor units");
  }
});

// --- timestamps ----------------------------------------------------------------------------

const IMPOSSIBLE_TIMES: Array<[string, RegExp]> = [
  ["2026-02-30T10:00:00Z", /has no day 30: 2026-02 has 28 days/],
  ["2026-02-29T10:00:00Z", /has no day 29: 2026-02 has 28 days/],
  ["2100-02-29T10:00:00Z", /has no day 29: 2100-02 has 28 days/],
  ["2026-04-31T10:00:00Z", /has no day 31: 2026-04 has 30 days/],
  ["2026-06-31T10:00:00+02:00", /has no day 31/],
  ["2026-13-01T10:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-00-10T10:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-01-00T10:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-01-32T10:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-11-01T25:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-11-01T24:00:00Z", /must be an ISO 8601 timestamp/],
  ["2026-11-01T23:60:00Z", /must be an ISO 8601 timestamp/],
  ["2026-11-01T23:59:60Z", /must be an ISO 8601 timestamp/],
  ["2026-11-01T10:00:00+24:00", /must be an ISO 8601 timestamp/],
  ["0000-01-01T00:30:00+01:00", /between the years 0000 and 9999/],
  ["9999-12-31T23:30:00-01:00", /between the years 0000 and 9999/],
];
for (const [time, problem] of IMPOSSIBLE_TIMES) {
  test(`rejected time: ${time}, as completedAt and as refundedAt`, (t) => {
    const order = parse(completed({ completedAt: time }));
    t.false(order.ok);
    if (!order.ok) {
      t.regex(order.reason, /^detail\.completedAt: /);
      t.regex(order.reason, problem);
    }
    const refund = parse(refunded({ refundedAt: time }));
    t.false(refund.ok);
    if (!refund.ok) {
      t.regex(refund.reason, /^detail\.refundedAt: /);
      t.regex(refund.reason, problem);
    }
  });
}

test("an impossible date names only its own field, once", (t) => {
  const result = parse(completed({ completedAt: "2026-02-30T10:00:00Z" }));
  t.deepEqual(result, { ok: false, reason: "detail.completedAt: must be a real date and time: has no day 30: 2026-02 has 28 days" });
});

const VALID_TIMES: Array<[string, string]> = [
  ["2024-02-29T10:00:00Z", "2024-02-29T10:00:00.000Z"],
  ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
  ["2026-01-31T23:59:59.999Z", "2026-01-31T23:59:59.999Z"],
  ["2026-12-31T23:59:59.999Z", "2026-12-31T23:59:59.999Z"],
  ["2026-04-30T00:00:00.000Z", "2026-04-30T00:00:00.000Z"],
  ["2026-03-01T00:30:00+01:00", "2026-02-28T23:30:00.000Z"],
  ["2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000Z"],
  ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
  ["2026-11-01T10:00:00+0530", "2026-11-01T04:30:00.000Z"],
  ["2026-11-01T10:00:00+01", "2026-11-01T09:00:00.000Z"],
  ["2026-11-01 10:00:00Z", "2026-11-01T10:00:00.000Z"],
  ["2026-11-01T10:00:00.123456789Z", "2026-11-01T10:00:00.123Z"],
  ["2026-11-01T10:00:00.5Z", "2026-11-01T10:00:00.500Z"],
  ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
  ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
];
for (const [time, utc] of VALID_TIMES) {
  test(`accepted time: ${time} → ${utc}`, (t) => {
    const order = parse(completed({ completedAt: time }));
    t.true(order.ok && order.event["detail-type"] === DETAIL_TYPES.orderCompleted && order.event.detail.completedAt === utc);
    const refund = parse(refunded({ refundedAt: time }));
    t.true(refund.ok && refund.event["detail-type"] === DETAIL_TYPES.orderRefunded && refund.event.detail.refundedAt === utc);
  });
}

test("the timestamp reader checks every field on its own, not only through the schema", (t) => {
  t.deepEqual(readIsoTimestamp("2026-13-01T10:00:00Z"), { ok: false, problem: "has no month 13" });
  t.deepEqual(readIsoTimestamp("2026-11-01T25:00:00Z"), { ok: false, problem: "has no hour 25" });
  t.deepEqual(readIsoTimestamp("2026-11-01T23:60:00Z"), { ok: false, problem: "has no minute 60" });
  t.deepEqual(readIsoTimestamp("2026-11-01T23:59:60Z"), { ok: false, problem: "has no second 60" });
  t.deepEqual(readIsoTimestamp("2026-11-01T10:00:00+10:60"), { ok: false, problem: "has no time zone offset +10:60" });
  t.deepEqual(readIsoTimestamp("2026-11-01"), { ok: false, problem: "must be an ISO 8601 timestamp with a time zone" });
  t.deepEqual(readIsoTimestamp("2024-02-29T12:00:00Z"), { ok: true, utc: "2024-02-29T12:00:00.000Z" });
});

test("ids of 128 allowed characters are accepted", (t) => {
  t.true(parse(completed({ userId: "aZ0_.:-".repeat(18).slice(0, 128) })).ok);
});

test("refunds of zero, unknown detail-types, missing details and non-JSON are rejected", (t) => {
  const zero = parse(orderRefunded({ orderId: "o", userId: "u", refundId: "r", amount: 0 }));
  t.false(zero.ok);
  if (!zero.ok) t.regex(zero.reason, /detail\.refund\.amount: must be at least 1/);
  const shipped = parse({ ...completed({}), "detail-type": "Order Shipped" });
  if (!shipped.ok)
    t.regex(
      shipped.reason,
      /^detail-type: must be "Order Completed", "Order Refunded", "Order Return Window Closed" or "Customer Deleted"$/,
    );
  t.false(shipped.ok);
  t.false(parse({ ...completed({}), detail: undefined }).ok);
  t.deepEqual(parseLoyaltyEvent("{not json"), { ok: false, reason: "body is not JSON" });
});

// --- currencies and earn rules ----------------------------------------------------------------

test("ISO 4217 minor units", (t) => {
  t.is(minorUnitExponent("EUR"), 2);
  t.is(minorUnitExponent("JPY"), 0);
  t.is(minorUnitExponent("KWD"), 3);
  t.is(minorUnitExponent("CLF"), 4);
  t.is(minorUnitExponent("ABC"), undefined);
});

test("earn rules parse to integer hundredths", (t) => {
  t.deepEqual(parseEarnRules('{"EUR": 1, "GBP": 1.25, "SEK": 0.1, "JPY": 0.01}'), { EUR: 100, GBP: 125, SEK: 10, JPY: 1 });
});

const BAD_RULES: Array<[string, RegExp]> = [
  ["not json", /EARN_RULES is not JSON/],
  ["[1]", /EARN_RULES must be an object/],
  ["{}", /must name at least one currency/],
  ['{"eur": 1}', /eur: must be an ISO 4217 code/],
  ['{"XXY": 1}', /XXY: is not an active ISO 4217 currency/],
  ['{"EUR": -1}', /EUR: must not be negative/],
  ['{"EUR": 1.255}', /EUR: must have at most two decimals/],
  ['{"EUR": 101}', /EUR: must be at most 100/],
  ['{"EUR": "1"}', /EUR: must be a number/],
];
for (const [rules, message] of BAD_RULES) {
  test(`earn rules rejected: ${rules}`, (t) => {
    t.throws(() => parseEarnRules(rules), { instanceOf: InvalidEarnRulesError, message });
  });
}

test("a currency with no rule is an invalid event, never zero points", (t) => {
  t.throws(() => earnRateFor(parseEarnRules('{"EUR": 1}'), "CHF"), {
    instanceOf: InvalidEventError,
    message: /no earn rule for currency CHF/,
  });
});

const rate = (currency: string, rateHundredths: number): EarnRate => ({ currency, rateHundredths });

test("points are floor(whole units × rate) for every minor unit", (t) => {
  t.is(pointsFor(12_345, rate("EUR", 100)), 123);
  t.is(pointsFor(1_000, rate("GBP", 125)), 12); // 12.5 → 12
  t.is(pointsFor(1_000, rate("JPY", 1)), 10); // ¥1000 at 0.01
  t.is(pointsFor(1_500, rate("KWD", 200)), 3); // 1.500 KWD at 2
  t.is(pointsFor(99, rate("EUR", 100)), 0);
  t.is(pointsFor(10_000, rate("EUR", 0)), 0);
});

test("points are exact up to the largest safe amount, and overflow is refused", (t) => {
  // 90,071,992,547,409.91 EUR at 1 and at 1.25 (112,589,990,684,262.3875), worked by hand.
  t.is(pointsFor(Number.MAX_SAFE_INTEGER, rate("EUR", 100)), 90_071_992_547_409);
  t.is(pointsFor(Number.MAX_SAFE_INTEGER, rate("EUR", 125)), 112_589_990_684_262);
  t.throws(() => pointsFor(Number.MAX_SAFE_INTEGER, rate("JPY", 10_000)), { instanceOf: InvalidEventError });
});

// The references below share nothing with the code under test but the rule itself: each
// currency's minor units per whole unit are written out here, and rates are taken as the
// config text ("1.25"), as a fraction or as decimal digits, never as the code's hundredths.
// Each run goes from config text to points through `parseEarnRules`, as the writer does.

/** Minor units per whole unit, from ISO 4217: none, cents, fils, and a four-decimal unit. */
const MINOR_UNITS_PER_UNIT: Array<[currency: string, perUnit: number]> = [
  ["JPY", 1],
  ["EUR", 100],
  ["KWD", 1_000],
  ["CLF", 10_000],
];

const configured = (currency: string, rateText: string) => earnRateFor(parseEarnRules(`{"${currency}": ${rateText}}`), currency);

const HAND_COMPUTED: Array<[amount: number, currency: string, rateText: string, points: number]> = [
  [12_345, "EUR", "1", 123], // 123.45 EUR
  [1_000, "GBP", "1.25", 12], // 10.00 × 1.25 = 12.5
  [999, "GBP", "1.25", 12], // 9.99 × 1.25 = 12.4875
  [80, "GBP", "1.25", 1], // 0.80 × 1.25 = 1 exactly
  [79, "GBP", "1.25", 0], // 0.9875
  [10_000, "EUR", "0.29", 29], // 100 × 0.29 = 29; in floats 28.999999999999996
  [10_000, "EUR", "0.57", 57], // in floats 56.99999999999999
  [10_000, "EUR", "1.13", 113], // in floats 112.99999999999999
  [1_005, "EUR", "0.1", 1], // 1.005
  [999, "EUR", "0.1", 0], // 0.999
  [10_000, "EUR", "0.01", 1],
  [9_999, "EUR", "0.01", 0], // 0.9999
  [3, "GBP", "33.33", 0], // 0.9999
  [4, "GBP", "33.33", 1], // 1.3332
  [10_000, "EUR", "0", 0],
  [1_000, "JPY", "0.01", 10], // ¥1000 at 0.01
  [100, "JPY", "0.01", 1],
  [99, "JPY", "0.01", 0],
  [7, "JPY", "1.25", 8], // 8.75
  [1_000_000_000_000, "JPY", "100", 100_000_000_000_000],
  [1_000_000_000_000, "EUR", "0.01", 100_000_000], // 10^10 EUR at 0.01
  [1_500, "KWD", "2", 3], // 1.500 KWD
  [1_499, "KWD", "2", 2], // 2.998
  [10_000, "KWD", "0.1", 1], // 10.000 × 0.1
  [9_999, "KWD", "0.1", 0], // 0.9999
  [10, "KWD", "100", 1], // 0.010 × 100
  [1, "KWD", "100", 0], // 0.1
  [12_345, "CLF", "1.25", 1], // 1.2345 × 1.25 = 1.543125
];

test("points for hand-computed amounts and rates, from config text to points", (t) => {
  for (const [amount, currency, rateText, points] of HAND_COMPUTED) {
    t.is(pointsFor(amount, configured(currency, rateText)), points, `${amount} ${currency} minor units at ${rateText}`);
  }
});

test("points match a reference that counts them one minor unit at a time (small amounts)", (t) => {
  // Each rate as a fraction of points per whole unit: 1.25 = 5/4.
  const RATES: Array<[text: string, numerator: number, denominator: number]> = [
    ["0", 0, 1],
    ["0.01", 1, 100],
    ["0.1", 1, 10],
    ["0.29", 29, 100],
    ["1", 1, 1],
    ["1.25", 5, 4],
    ["33.33", 3_333, 100],
    ["100", 100, 1],
  ];
  for (const [currency, perUnit] of MINOR_UNITS_PER_UNIT) {
    for (const [text, numerator, denominator] of RATES) {
      const rate = configured(currency, text);
      // Every minor unit earns numerator / (denominator × perUnit) points: keep the remainder
      // and take out a whole point whenever it covers one.
      const pointCost = denominator * perUnit;
      let credit = 0;
      let expected = 0;
      for (let amount = 0; amount <= 2_000; amount++) {
        if (amount > 0) credit += numerator;
        while (credit >= pointCost) {
          credit -= pointCost;
          expected++;
        }
        const actual = pointsFor(amount, rate);
        if (actual !== expected) return t.fail(`${amount} ${currency} minor units at ${text}: expected ${expected}, got ${actual}`);
      }
    }
  }
  t.pass();
});

/** The digits of a × b, for two strings of decimal digits, by long multiplication. */
function multiplyDigits(a: string, b: string): string {
  const product = new Array<number>(a.length + b.length).fill(0);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const sum = (product[i + j + 1] ?? 0) + Number(a[i]) * Number(b[j]);
      product[i + j + 1] = sum % 10;
      product[i + j] = (product[i + j] ?? 0) + Math.floor(sum / 10);
    }
  }
  return product.join("");
}

/** floor(amount × rate) as decimal text, with `decimals` digits of the amount after the point. */
function decimalPoints(amount: number, decimals: number, rateText: string): string {
  const [whole = "", fraction = ""] = rateText.split(".");
  const digits = multiplyDigits(String(amount), whole + fraction);
  const integerDigits = digits.slice(0, digits.length - decimals - fraction.length);
  return integerDigits.replace(/^0+/, "") || "0";
}

test("points match decimal long multiplication over large amounts and every rate (no float drift)", (t) => {
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  for (let hundredths = 0; hundredths <= 10_000; hundredths++) {
    const rateText = `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
    const amount = next() * 4_096 + (next() % 4_096);
    const [currency, perUnit] = required(MINOR_UNITS_PER_UNIT[hundredths % MINOR_UNITS_PER_UNIT.length], "a currency");
    const expected = decimalPoints(amount, String(perUnit).length - 1, rateText);
    const actual = String(pointsFor(amount, configured(currency, rateText)));
    if (actual !== expected) return t.fail(`${amount} ${currency} minor units at ${rateText}: expected ${expected}, got ${actual}`);
  }
  t.pass();
});

// --- ledger entries ---------------------------------------------------------------------

const provenance = { eventId: "e-1", recordedAt: "2026-11-24T12:00:00.000Z" };

function order(amount: number, rateHundredths = 100, currency = "EUR"): EarnEntry {
  return earnEntry(
    { orderId: "o-1", userId: "u-1", total: { amount, currency }, completedAt: "2026-11-01T10:00:00.000Z" },
    rate(currency, rateHundredths),
    provenance,
    IMMEDIATE,
  );
}

const refund = (amount: number, refundId = "r-1", currency = "EUR") => ({
  orderId: "o-1",
  userId: "u-1",
  refundId,
  refund: { amount, currency },
  refundedAt: "2026-11-02T10:00:00.000Z",
});

test("an earn entry carries its keys, history position, points and zero refunds", (t) => {
  t.like(order(10_050), {
    pk: "USER#u-1",
    sk: "ORDER#o-1",
    entryAt: "2026-11-01T10:00:00.000Z#ORDER#o-1",
    kind: "earn",
    points: 100,
    rateHundredths: 100,
    refundedAmount: 0,
    reversedPoints: 0,
    eventId: "e-1",
  });
});

test("reversals: partial, full, and capped at what the order earned", (t) => {
  t.like(planReversal(order(10_000), refund(2_550), provenance), {
    refundedAmount: 2_550,
    reversedPoints: 25,
    entry: { points: 25, sk: "REFUND#o-1#r-1" },
  });
  t.like(planReversal(order(10_000), refund(10_000), provenance), { reversedPoints: 100, entry: { points: 100 } });
  t.like(planReversal(order(10_000), refund(50_000), provenance), { reversedPoints: 100, entry: { points: 100 } });
});

test("refunds in pieces reverse exactly what one full refund would", (t) => {
  let entry = order(10_050);
  const reversed: number[] = [];
  for (const refundId of ["a", "b", "c"]) {
    const plan = planReversal(entry, refund(3_350, refundId), provenance);
    reversed.push(plan.entry.points);
    entry = { ...entry, refundedAmount: plan.refundedAmount, reversedPoints: plan.reversedPoints };
  }
  t.deepEqual(reversed, [33, 34, 33]);
  t.is(entry.reversedPoints, planReversal(order(10_050), refund(10_050), provenance).reversedPoints);
});

test("a refund that would take its order's refunded total beyond the safe integers is refused", (t) => {
  const nearLimit = { ...order(10_000), refundedAmount: Number.MAX_SAFE_INTEGER - 5 };
  t.throws(() => planReversal(nearLimit, refund(10), provenance), {
    instanceOf: LedgerLimitError,
    message: /refunded total would exceed 9007199254740991 \(Number\.MAX_SAFE_INTEGER\)/,
  });
  t.true(Object.prototype.isPrototypeOf.call(InvalidEventError.prototype, LedgerLimitError.prototype));
});

test("a refund uses the rate its order earned at", (t) => {
  t.is(planReversal(order(10_000, 125, "GBP"), refund(4_000, "r", "GBP"), provenance).entry.points, 50);
});

test("a refund in another currency than its order is invalid", (t) => {
  t.throws(() => planReversal(order(10_000), refund(100, "r", "GBP"), provenance), {
    instanceOf: InvalidEventError,
    message: "refund is in GBP but its order was paid in EUR",
  });
});

// --- history cursor -----------------------------------------------------------------------

test("a cursor round-trips the position it was made from", (t) => {
  const entry = { pk: "USER#u", sk: "ORDER#o", entryAt: "2026-11-01T10:00:00.000Z#ORDER#o" };
  t.deepEqual(decodeCursor(encodeCursor(entry)), { sk: "ORDER#o", at: entry.entryAt });
  t.false(encodeCursor(entry).includes("USER"));
});

test("cursors the API did not hand out are refused", (t) => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  for (const cursor of [
    "garbage",
    Buffer.from("not json").toString("base64url"),
    encode({ sk: 1, at: "x" }),
    encode({ sk: "ORDER#o", at: "2026-11-01T10:00:00.000Z#ORDER#other" }),
    encode({ sk: "BALANCE", at: "2026#BALANCE" }),
  ]) {
    t.throws(() => decodeCursor(cursor), { instanceOf: InvalidCursorError }, cursor);
  }
});
