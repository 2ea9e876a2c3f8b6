/**
 * Turns valibot issues into the lines a person reads: `<where><path>: <what it must be>
 * (found <value>)`, one per problem. The stack config and the components both report this way.
 */
import * as v from "valibot";

/** The value at a dotted path of `raw`, for showing what was found. */
function valueAt(raw: unknown, path: string): unknown {
  if (path === "") return raw;
  return path
    .split(".")
    .reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined), raw);
}

/** One line per issue; `prefix` is put before each path (e.g. `otrium-loyalty:`). */
export function describeSettingsIssues(issues: readonly v.BaseIssue<unknown>[], raw: unknown, prefix = ""): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue) ?? "";
    const found = JSON.stringify(valueAt(raw, path)) ?? "nothing";
    return `${prefix}${path}: ${issue.message} (found ${found})`;
  });
}
