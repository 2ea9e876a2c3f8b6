/**
 * The checks EventBridge makes on a whole `PutEvents` request before it looks at any entry, with
 * the request-level errors it answers (HTTP 400, AWS JSON 1.1 `__type`): a body that does not
 * deserialize (`SerializationException`, which includes an entry `Time` that is not a
 * timestamp), and a list of entries outside its limits (`ValidationException`). Any of them
 * refuses every entry; a publisher that passes them here passes them in AWS. The limits are
 * the domain's (`put-events-limits`), which publishers stay within.
 */
import { isJsonObject as isObject } from "../handlers/domain/json-object";
import { entrySize, MAX_ENTRIES, MAX_REQUEST_ENTRY_BYTES } from "../handlers/domain/put-events-limits";

export interface RequestError {
  type: "SerializationException" | "ValidationException";
  message: string;
}

/** How AWS's JSON reader names a value it cannot turn into the timestamp it expects. */
function jsonKind(value: unknown): string {
  if (typeof value === "string") return "STRING_VALUE";
  if (typeof value === "boolean") return "BOOLEAN_VALUE";
  return Array.isArray(value) ? "START_ARRAY" : "START_OBJECT";
}

/**
 * `Time` is a timestamp, which the AWS JSON protocol carries as epoch seconds (the SDK sends
 * `date.getTime() / 1000`, fractions included). AWS refuses anything else, an ISO 8601 string
 * too, with `SerializationException: STRING_VALUE cannot be converted to Date`.
 */
export function timeError(time: unknown): RequestError | undefined {
  if (time === undefined || time === null) return undefined;
  if (typeof time === "number") {
    if (Number.isFinite(time) && !Number.isNaN(new Date(time * 1000).getTime())) return undefined;
    return { type: "SerializationException", message: `${time} cannot be converted to Date` };
  }
  return { type: "SerializationException", message: `${jsonKind(time)} cannot be converted to Date` };
}

/** The entries of a parsed request body, or the request-level error AWS gives for it. */
export function checkPutEventsRequest(request: unknown): { entries: unknown[] } | { error: RequestError } {
  const entries = isObject(request) ? request.Entries : undefined;
  if (entries !== undefined && !Array.isArray(entries)) {
    return { error: { type: "SerializationException", message: "Entries must be a list of entries." } };
  }
  for (const entry of entries ?? []) {
    const error = isObject(entry) ? timeError(entry.Time) : undefined;
    if (error) return { error };
  }
  if (!entries) {
    return {
      error: {
        type: "ValidationException",
        message: "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      },
    };
  }
  if (entries.length === 0) {
    return {
      error: {
        type: "ValidationException",
        message:
          "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
    };
  }
  if (entries.length > MAX_ENTRIES) {
    return {
      error: {
        type: "ValidationException",
        message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      },
    };
  }
  const total = entries.reduce<number>((sum, entry) => sum + entrySize(entry), 0);
  if (total > MAX_REQUEST_ENTRY_BYTES) {
    return { error: { type: "ValidationException", message: "Total size of the entries in the request is over the limit." } };
  }
  return { entries };
}
