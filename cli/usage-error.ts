/**
 * A mistake in how a command run from a checkout was started (`npm start`, the operator tools):
 * printed with the command's usage line, exit code 2 — never a stack trace for a user's mistake.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
