/**
 * Settings written as decimals (earn rates, tier multipliers) are held as integer hundredths, so
 * no float ever touches points: 1.25 is 125, read from its decimal text.
 */

/** Whether a non-negative number is written with at most two decimals (1.25, not 1.125). */
export const hasAtMostTwoDecimals = (value: number): boolean => /^\d+(\.\d{1,2})?$/.test(String(value));

/** A number of at most two decimals as its integer hundredths, read from its decimal text so no float rounding creeps in. */
export function toHundredths(value: number): number {
  const [whole = "0", fraction = ""] = String(value).split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}
