/**
 * An object schema whose every key is known, shared by the stack config, the components'
 * arguments and the handlers' JSON settings, so a typo fails with the same sentence everywhere.
 */
import * as v from "valibot";

/**
 * An object whose every key is known: a typo (`timeoutSecond`) is an error naming the keys
 * there are, never a setting silently dropped. `message` is for a missing or mistyped object.
 */
export const strictObject = <const TEntries extends v.ObjectEntries>(entries: TEntries, message = "must be an object") =>
  v.strictObject(entries, (issue) =>
    issue.expected === "never" ? `unknown key (known keys: ${Object.keys(entries).join(", ")})` : message,
  );
