/**
 * Reading resource properties the way a policy must during `pulumi preview`: a property
 * computed from another resource (a key ARN on first create) is unknown, and reading it
 * throws. These helpers tell "absent", "set but unknown" and "known" apart without throwing,
 * so a policy can still decide — "set, even to a value not known yet" is enough for most.
 */
import { UnknownValueError } from "@pulumi/policy";

export type Field = { state: "absent" } | { state: "unknown" } | { state: "known"; value: unknown };

/** The property `key` of `holder` (props, or a nested object of them). */
export function field(holder: unknown, key: string): Field {
  if (holder === null || typeof holder !== "object" || !Object.hasOwn(holder, key)) {
    return { state: "absent" };
  }
  try {
    const value: unknown = Reflect.get(holder, key);
    return value === undefined || value === null ? { state: "absent" } : { state: "known", value };
  } catch (error) {
    if (error instanceof UnknownValueError) return { state: "unknown" };
    throw error;
  }
}

/** Set to something, known or not. */
export const isSet = (holder: unknown, key: string): boolean => field(holder, key).state !== "absent";

/** The value when known, else `undefined` (absent or not known yet). */
export function known(holder: unknown, key: string): unknown {
  const found = field(holder, key);
  return found.state === "known" ? found.value : undefined;
}

/** A known number, or the default AWS applies when the property is absent; `undefined` if unknown. */
export function numberOr(holder: unknown, key: string, awsDefault: number): number | undefined {
  const found = field(holder, key);
  if (found.state === "absent") return awsDefault;
  return found.state === "known" && typeof found.value === "number" ? found.value : undefined;
}

/**
 * The statements of the policy document at `holder[key]` (JSON text or an object). A document
 * not known yet cannot be judged: reading it throws `UnknownValueError`, which the CLI (and our
 * runner) reports as "can't run during preview" instead of a pass.
 */
export function statementsOf(holder: object, key: string): unknown[] {
  const policy: unknown = Reflect.get(holder, key);
  if (policy === undefined || policy === null) return [];
  const document: unknown = typeof policy === "string" ? JSON.parse(policy) : policy;
  if (document === null || typeof document !== "object") return [];
  const statements: unknown = Reflect.get(document, "Statement");
  if (statements === undefined || statements === null) return [];
  return Array.isArray(statements) ? [...statements] : [statements];
}

/** A string or list of strings as a list (IAM's `Action`, `Resource`). */
export function stringsOf(value: Field): string[] {
  if (value.state !== "known") return [];
  const items: unknown[] = Array.isArray(value.value) ? [...value.value] : [value.value];
  return items.filter((item): item is string => typeof item === "string");
}
