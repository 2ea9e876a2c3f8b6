import * as v from "valibot";

/**
 * One line naming each invalid field and what it must be (`detail.total.amount: must not be
 * negative`), for logs and 400 answers alike. `root` names a value that is not an object.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root = "(root)"): string {
  return issues.map((issue) => `${v.getDotPath(issue) ?? root}: ${issue.message}`).join("; ");
}
