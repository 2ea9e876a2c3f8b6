/**
 * EventBridge's limits on one `PutEvents` request, and how it measures an entry against them:
 * what a publisher of this project (the backfill) must stay within, and what the local runtime's
 * PutEvents refuses as AWS does.
 */
import { isJsonObject } from "./json-object";

/** At most 10 entries per request. */
export const MAX_ENTRIES = 10;

/**
 * The total entry size of one request, in bytes. It was 256 KB until EventBridge raised event
 * payloads to 1 MB (January 2026); AWS accepts a request of exactly 1,048,576 bytes and refuses
 * one byte more.
 */
export const MAX_REQUEST_ENTRY_BYTES = 1024 * 1024;

const utf8Bytes = (value: unknown): number => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);

/**
 * An entry's size as EventBridge computes it ("Calculating PutEvents event entry size"): 14
 * bytes for `Time` when given, the UTF-8 bytes of `Source`, `DetailType`, `Detail` and of each
 * `Resources` item. `EventBusName` and `TraceHeader` do not count, nor does JSON escaping.
 */
export function entrySize(entry: unknown): number {
  if (!isJsonObject(entry)) return 0;
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    resources.reduce<number>((sum, resource) => sum + utf8Bytes(resource), 0)
  );
}
