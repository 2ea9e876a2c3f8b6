/**
 * A value a test or a tool knows is there (an array's element, a lookup it just made), checked
 * instead of asserted: if it is missing after all, the failure names what was looked for.
 */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
