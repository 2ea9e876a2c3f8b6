/**
 * Points rules: how many points a customer earns per whole currency unit spent.
 * All math is integer (BigInt where a product could pass 2^53): a rate of 1.25 is held
 * as 125 hundredths, an amount in minor units, so no float ever touches money or points.
 */
import * as v from "valibot";
import { CurrencySchema } from "./contract";
import { describeIssues } from "./describe-issues";
import { minorUnitExponent } from "./currencies";
import { InvalidEventError } from "./errors";
import { hasAtMostTwoDecimals, toHundredths } from "./hundredths";

/** The highest rate a currency may have; a guard against a misplaced decimal point in config. */
export const MAX_RATE = 100;

const RateSchema = v.pipe(
  v.number("must be a number"),
  v.minValue(0, "must not be negative"),
  v.maxValue(MAX_RATE, `must be at most ${MAX_RATE}`),
  v.check(hasAtMostTwoDecimals, "must have at most two decimals"),
);

/**
 * `{"EUR": 1, "GBP": 1.25}`, as the stack config and `EARN_RULES` write them: points per whole
 * unit of each currency that earns points.
 */
export const EarnRulesConfigSchema = v.pipe(
  v.record(
    v.pipe(
      CurrencySchema,
      v.check((code) => minorUnitExponent(code) !== undefined, "is not an active ISO 4217 currency"),
    ),
    RateSchema,
  ),
  v.check((rules) => Object.keys(rules).length > 0, "must name at least one currency"),
);

/** The same rules parsed for integer math: rates in hundredths (`{EUR: 100, GBP: 125}`). */
export const EarnRulesSchema = v.pipe(
  EarnRulesConfigSchema,
  v.transform((rules) => Object.fromEntries(Object.entries(rules).map(([code, rate]) => [code, toHundredths(rate)]))),
);

export type EarnRules = v.InferOutput<typeof EarnRulesSchema>;

/** A rate as the ledger stores it with each order, so a refund uses the rate the order earned at. */
export interface EarnRate {
  currency: string;
  /** Points per whole currency unit, times 100 (1.25 points per EUR → 125). */
  rateHundredths: number;
}

/** Thrown when `EARN_RULES` (or the stack's `earnRules`) is not a valid rules object. */
export class InvalidEarnRulesError extends Error {
  override name = "InvalidEarnRulesError";
}

/** Parses the `EARN_RULES` JSON text; throws `InvalidEarnRulesError` naming what is wrong. */
export function parseEarnRules(json: string): EarnRules {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidEarnRulesError(`EARN_RULES is not JSON: ${JSON.stringify(json.slice(0, 80))}`);
  }
  const result = v.safeParse(EarnRulesSchema, value);
  if (!result.success) {
    throw new InvalidEarnRulesError(`EARN_RULES must be an object like {"EUR": 1, "GBP": 1.25}: ${describeIssues(result.issues)}`);
  }
  return result.output;
}

/** The rate for a currency; a currency with no rule is an invalid event, never zero points. */
export function earnRateFor(rules: EarnRules, currency: string): EarnRate {
  const rate = rules[currency];
  if (rate === undefined) {
    throw new InvalidEventError(`no earn rule for currency ${currency}: add it to the stack's earnRules, then redrive the DLQ`);
  }
  return { currency, rateHundredths: rate };
}

/** floor(amount in whole units × rate), for an amount in minor units, exactly. */
export function pointsFor(amountMinorUnits: number, rate: EarnRate): number {
  const exponent = minorUnitExponent(rate.currency);
  if (exponent === undefined) {
    throw new InvalidEventError(`currency ${rate.currency} is not an active ISO 4217 currency`);
  }
  const scale = 10n ** BigInt(exponent + 2);
  const points = (BigInt(amountMinorUnits) * BigInt(rate.rateHundredths)) / scale;
  if (points > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidEventError("points for this amount exceed the largest safe integer");
  }
  return Number(points);
}
