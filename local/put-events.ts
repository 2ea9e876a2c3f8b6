/**
 * EventBridge's `PutEvents` (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`), enough for the
 * real `@aws-sdk/client-eventbridge` client and `aws events put-events --endpoint-url`: each
 * entry is validated on its own (a bad one gets EventBridge's per-entry error, the others are
 * still accepted), wrapped in the event envelope EventBridge delivers, and handed on when it
 * matches the rule's pattern — dropped, as EventBridge does, when it does not.
 */
import { randomUUID } from "node:crypto";
import { matchesPattern, type EventPattern } from "./event-pattern-matcher";

/** EventBridge's limits: 10 entries per request, 256 KB per entry. */
export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;

export interface PutEventsTarget {
  region: string;
  account: string;
  /** The buses this endpoint stands for (`default` and the stack's). */
  eventBusNames: readonly string[];
  pattern: EventPattern;
  /** Delivers a matching event to the rule's target (the queue). */
  deliver(event: Record<string, unknown>): Promise<void>;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): JsonResponse => ({
  status,
  headers: { "Content-Type": "application/x-amz-json-1.1", ...headers },
  body: JSON.stringify(body),
});

/** A request-level error, in the shape the SDK's AWS JSON deserializer reads. */
const requestError = (type: string, message: string): JsonResponse =>
  json(400, { __type: type, message }, { "x-amzn-ErrorType": type });

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const invalid = (parameter: string, reason: string): EntryResult => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
});

/** EventBridge writes `time` to the second; the SDK sends `Time` as epoch seconds. */
function eventTime(time: unknown): string {
  const date = typeof time === "number" ? new Date(time * 1000) : typeof time === "string" ? new Date(time) : new Date();
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function putEntry(entry: unknown, target: PutEventsTarget): Promise<EntryResult> {
  if (!isObject(entry)) return invalid("Entries", "each entry must be an object.");
  const { Source, DetailType, Detail, EventBusName, Resources, Time } = entry;
  if (typeof Source !== "string" || Source === "") return invalid("Source", "Source is a required argument.");
  if (typeof DetailType !== "string" || DetailType === "") return invalid("DetailType", "DetailType is a required argument.");
  if (typeof Detail !== "string" || Detail === "") return invalid("Detail", "Detail is a required argument.");
  if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) {
    return invalid("Entries", `the entry is larger than ${MAX_ENTRY_BYTES} bytes.`);
  }
  let detail: unknown;
  try {
    detail = JSON.parse(Detail);
  } catch {
    detail = undefined;
  }
  if (!isObject(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  const bus = EventBusName ?? "default";
  if (typeof bus !== "string" || !target.eventBusNames.includes(bus)) {
    return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${String(bus)} does not exist.` };
  }
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": DetailType,
    source: Source,
    account: target.account,
    time: eventTime(Time),
    region: target.region,
    resources: Array.isArray(Resources) ? Resources.filter((r) => typeof r === "string") : [],
    detail,
  };
  if (matchesPattern(event, target.pattern)) await target.deliver(event);
  return { EventId: event.id };
}

export async function putEvents(body: string, target: PutEventsTarget): Promise<JsonResponse> {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return requestError("SerializationException", "The request body is not valid JSON.");
  }
  const entries = isObject(request) ? request.Entries : undefined;
  if (!Array.isArray(entries) || entries.length === 0) {
    return requestError("ValidationException", "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (entries.length > MAX_ENTRIES) {
    return requestError(
      "ValidationException",
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  const results: EntryResult[] = [];
  for (const entry of entries) results.push(await putEntry(entry, target));
  return json(200, {
    FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
    Entries: results,
  });
}
