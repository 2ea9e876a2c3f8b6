/**
 * The tiers' settings (the stack's `tiers`, the store's `tiers` argument, the `TIERS` variable):
 * one schema, so a level means the same and fails with the same sentence wherever it is given.
 * A multiplier has at most two decimals and is applied in integer hundredths, rounding down
 * (`floor(base × multiplier)`), as earn rates are: no float ever becomes points.
 */
import * as v from "valibot";
import { hasAtMostTwoDecimals, toHundredths } from "./hundredths";
import { strictObject } from "./strict-object";

/** A year: the trailing window most loyalty programmes qualify on. */
export const TIER_WINDOW_DAYS_DEFAULT = 365;

/** At most this many levels: the balance item keeps a level's period per level reached, so the count bounds it. */
export const MAX_TIER_LEVELS = 10;

/** The highest multiplier; a guard against a misplaced decimal point, as `MAX_RATE` is for earn rates. */
export const MAX_TIER_MULTIPLIER = 10;

/** The multiplier a level earns at when it names none. */
export const TIER_MULTIPLIER_DEFAULT = 1;

const MULTIPLIER_RULE = `must be from 1 to ${MAX_TIER_MULTIPLIER} with at most two decimals`;

const LevelSchema = strictObject(
  {
    name: v.pipe(
      v.string("must be a level's name"),
      v.regex(/^\S(.{0,38}\S)?$/u, "must be 1–40 characters, not starting or ending with a space"),
    ),
    threshold: v.pipe(
      v.number("must be a whole number of points"),
      v.integer("must be a whole number of points"),
      v.minValue(0, "must be at least 0"),
      v.maxValue(Number.MAX_SAFE_INTEGER, "must be a safe integer"),
    ),
    multiplier: v.optional(
      v.pipe(
        v.number(MULTIPLIER_RULE),
        v.minValue(1, MULTIPLIER_RULE),
        v.maxValue(MAX_TIER_MULTIPLIER, MULTIPLIER_RULE),
        v.check(hasAtMostTwoDecimals, MULTIPLIER_RULE),
      ),
      TIER_MULTIPLIER_DEFAULT,
    ),
  },
  "must be {name, threshold, multiplier?}",
);

const LevelsSchema = v.pipe(
  v.array(LevelSchema, "must be a list of levels {name, threshold, multiplier?}"),
  v.minLength(1, "must name at least one level"),
  v.maxLength(MAX_TIER_LEVELS, `must name at most ${MAX_TIER_LEVELS} levels`),
  // Every customer holds a level: the first is where everyone starts.
  v.check((levels) => levels[0]?.threshold === 0, "must start with a level at threshold 0"),
  v.check(
    (levels) => levels.every((level, index) => index === 0 || level.threshold > (levels[index - 1]?.threshold ?? 0)),
    "must be in ascending order of threshold, no two alike",
  ),
  v.check((levels) => new Set(levels.map((level) => level.name)).size === levels.length, "must not repeat a level's name"),
);

/** `{levels: [{name, threshold, multiplier?}], windowDays?}`: the levels by ascending threshold, the first at 0. */
export const TiersSchema = strictObject(
  {
    levels: LevelsSchema,
    /** Days of the trailing window that qualifying points are counted over, and the least a level is kept. */
    windowDays: v.optional(
      v.pipe(
        v.number("must be a whole number of days"),
        v.integer("must be a whole number of days"),
        v.minValue(1, "must be at least 1"),
        v.maxValue(3650, "must be at most 3650"),
      ),
      TIER_WINDOW_DAYS_DEFAULT,
    ),
  },
  "must be {levels: [{name, threshold, multiplier?}], windowDays?}",
);

export type Tiers = v.InferOutput<typeof TiersSchema>;
export type TierLevel = Tiers["levels"][number];

/** A level's multiplier in integer hundredths (×1.25 → 125). */
export const multiplierHundredths = (level: TierLevel): number => toHundredths(level.multiplier);

/** `floor(base × multiplier)`, exactly: the points an order earns at a level. */
export const multiplied = (basePoints: number, level: TierLevel): number => multipliedBy(basePoints, level.multiplier);

/** `floor(base × multiplier)` for a multiplier as an earn entry records it. */
export function multipliedBy(basePoints: number, multiplier: number): number {
  return Number((BigInt(basePoints) * BigInt(toHundredths(multiplier))) / 100n);
}
