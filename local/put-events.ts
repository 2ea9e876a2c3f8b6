/**
 * EventBridge's `PutEvents` (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`), enough for the
 * real `@aws-sdk/client-eventbridge` client and `aws events put-events --endpoint-url`: each
 * entry is validated on its own (a bad one gets EventBridge's per-entry error, the others are
 * still accepted), wrapped in the event envelope EventBridge delivers, and handed on when it
 * matches the rule's pattern — dropped, as EventBridge does, when it does not. Whole-request
 * checks (size, entry count, `Time`) come first, as in AWS.
 */
import { randomUUID } from "node:crypto";
import { isJsonObject as isObject } from "../handlers/domain/json-object";
import { systemClock, type Clock } from "../handlers/runtime/clock";
import type { EventEnvelope } from "./event-log";
import { matchesPattern, type EventPattern } from "./event-pattern-matcher";
import { checkPutEventsRequest } from "./put-events-request";

export interface PutEventsTarget {
  region: string;
  account: string;
  /** The buses this endpoint stands for (`default` and the stack's). */
  eventBusNames: readonly string[];
  pattern: EventPattern;
  /** Delivers a matching event to the rule's target (the queue). */
  deliver(event: EventEnvelope): Promise<void>;
  /** Told of every event the bus accepts, matching or not (the local bus's event log). */
  seen?(event: EventEnvelope): void;
  /** The time of an entry sent without `Time` (the runtime's clock); real time when absent. */
  now?: Clock;
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

/** A request-level error (HTTP 400), in the shape the SDK's AWS JSON deserializer reads. */
export const requestError = (type: string, message: string): JsonResponse =>
  json(400, { __type: type, message }, { "x-amzn-ErrorType": type });

const invalid = (parameter: string, reason: string): EntryResult => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
});

/** EventBridge writes `time` to the second; `Time` (checked before) is epoch seconds. */
function eventTime(time: unknown, now: Clock): string {
  const date = typeof time === "number" ? new Date(time * 1000) : now();
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function putEntry(entry: unknown, target: PutEventsTarget): Promise<EntryResult> {
  if (!isObject(entry)) return invalid("Entries", "each entry must be an object.");
  const { Source, DetailType, Detail, EventBusName, Resources, Time } = entry;
  if (typeof Source !== "string" || Source === "") return invalid("Source", "Source is a required argument.");
  if (typeof DetailType !== "string" || DetailType === "") return invalid("DetailType", "DetailType is a required argument.");
  if (typeof Detail !== "string" || Detail === "") return invalid("Detail", "Detail is a required argument.");
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
  const event: EventEnvelope = {
    version: "0",
    id: randomUUID(),
    "detail-type": DetailType,
    source: Source,
    account: target.account,
    time: eventTime(Time, target.now ?? systemClock),
    region: target.region,
    resources: Array.isArray(Resources) ? Resources.filter((r) => typeof r === "string") : [],
    detail,
  };
  target.seen?.(event);
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
  const checked = checkPutEventsRequest(request);
  if ("error" in checked) return requestError(checked.error.type, checked.error.message);
  const results: EntryResult[] = [];
  for (const entry of checked.entries) results.push(await putEntry(entry, target));
  return json(200, {
    FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
    Entries: results,
  });
}
