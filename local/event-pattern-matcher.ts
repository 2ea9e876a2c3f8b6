/**
 * EventBridge's matching, for the operators the stack's rule uses: a pattern is an object whose
 * leaves are arrays of allowed values (an event field matches when it equals one of them, or,
 * when the field is an array, when any of its items does) and whose objects match nested
 * fields. Fields the pattern does not name are ignored; a named field that is missing fails.
 */

type AllowedValues = ReadonlyArray<string | number | boolean | null>;

export type EventPattern = { [field: string]: EventPattern | AllowedValues };

const isAllowedValues = (rule: EventPattern | AllowedValues): rule is AllowedValues => Array.isArray(rule);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export function matchesPattern(event: unknown, pattern: EventPattern): boolean {
  if (!isPlainObject(event)) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    if (!(field in event)) return false;
    const value = event[field];
    if (isAllowedValues(rule)) {
      const candidates: unknown[] = Array.isArray(value) ? value : [value];
      return candidates.some((candidate) => rule.some((allowed) => allowed === candidate));
    }
    return matchesPattern(value, rule);
  });
}
