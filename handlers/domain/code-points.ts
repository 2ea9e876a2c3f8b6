/**
 * Text limits counted in code points, as JSON Schema's `maxLength` counts them (RFC 8259
 * characters), not in UTF-16 units as `string.length` and valibot's `maxLength` do: an emoji is
 * one character to a client validating against the API's document and to API Gateway's model,
 * so it is one here too.
 */
import * as v from "valibot";

/** The limit of each check `maxCodePoints` made, for the conversion to JSON Schema (`maxLength`). */
const LIMITS = new WeakMap<object, number>();

/** How many code points `text` holds. */
export const codePointCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** At most `max` code points. */
export function maxCodePoints(max: number, message: string) {
  const action = v.check((text: string) => codePointCount(text) <= max, message);
  LIMITS.set(action, max);
  return action;
}

/** The code-point limit `action` checks, when `maxCodePoints` made it. */
export const codePointLimitOf = (action: object): number | undefined => LIMITS.get(action);
