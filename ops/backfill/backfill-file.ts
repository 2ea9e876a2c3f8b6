/**
 * A backfill file: one past event per line, `{"detail-type": "Order Completed", "detail": {…}}`,
 * checked against the event contract before anything is sent, so a bad line is found while
 * nothing has been published yet. The entry sent carries the line's detail exactly as written
 * (extra fields and the original timestamps included): the writer reads the order's own
 * `completedAt`, which is what puts a historic order in its historic lot.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import * as v from "valibot";
import { DETAIL_TYPES, OrderCompletedDetailSchema, OrderRefundedDetailSchema } from "../../handlers/domain/contract";
import { describeIssues } from "../../handlers/domain/describe-issues";
import { isJsonObject as isObject } from "../../handlers/domain/json-object";
import { entrySize, MAX_REQUEST_ENTRY_BYTES } from "../../handlers/domain/put-events-limits";

/** What the entries are published as: the stack's own source and bus, and its earn rules. */
export interface EntrySettings {
  source: string;
  eventBusName: string;
  /** Points per whole currency unit (the stack's `earnRules`): a currency without one is refused. */
  earnRules: Readonly<Record<string, number>>;
}

/** A line that becomes a `PutEvents` entry. */
export interface BackfillEntry {
  /** 1-based line number in the file. */
  line: number;
  entry: PutEventsRequestEntry;
}

/** A line that cannot be sent, and why. */
export interface LineProblem {
  line: number;
  reason: string;
}

export type CheckedLine = BackfillEntry | LineProblem;

export const isProblem = (checked: CheckedLine): checked is LineProblem => "reason" in checked;

const LINE_KEYS = '"detail-type" and "detail"';

/** The two keys of a line and nothing else: a `source`, `time` or `id` would be silently replaced. */
const lineObject = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.strictObject(entries, (issue) =>
    issue.expected === "never"
      ? `unknown key: a line holds only ${LINE_KEYS} (the source is the stack's)`
      : issue.received === "undefined"
        ? "is required"
        : "must be an object",
  );

/** Backfill replays orders and their refunds; the contract's schemas judge each detail. */
const LineSchema = v.variant(
  "detail-type",
  [
    lineObject({ "detail-type": v.literal(DETAIL_TYPES.orderCompleted), detail: OrderCompletedDetailSchema }),
    lineObject({ "detail-type": v.literal(DETAIL_TYPES.orderRefunded), detail: OrderRefundedDetailSchema }),
  ],
  `must be "${DETAIL_TYPES.orderCompleted}" or "${DETAIL_TYPES.orderRefunded}"`,
);

/**
 * One line of the file as an entry, or why it cannot be one; `undefined` for a blank line.
 * Refused here as well: a currency the stack has no earn rule for (the writer would send the
 * event to the DLQ) and an entry over EventBridge's size limit (PutEvents would refuse it).
 */
export function checkLine(text: string, lineNumber: number, settings: EntrySettings): CheckedLine | undefined {
  if (text.trim() === "") return undefined;
  const problem = (reason: string): LineProblem => ({ line: lineNumber, reason });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return problem(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(json)) return problem(`must be a JSON object with ${LINE_KEYS}`);
  const parsed = v.safeParse(LineSchema, json);
  if (!parsed.success) return problem(describeIssues(parsed.issues));

  const [field, money] =
    parsed.output["detail-type"] === DETAIL_TYPES.orderCompleted
      ? ["total", parsed.output.detail.total]
      : ["refund", parsed.output.detail.refund];
  if (settings.earnRules[money.currency] === undefined) {
    return problem(
      `detail.${field}.currency: no earn rule for ${money.currency} in the stack's earnRules (the writer would refuse the event)`,
    );
  }

  const entry: PutEventsRequestEntry = {
    Source: settings.source,
    DetailType: parsed.output["detail-type"],
    // The detail as written, not the parsed output (which drops extra fields and normalises times).
    Detail: JSON.stringify(json.detail),
    EventBusName: settings.eventBusName,
  };
  const size = entrySize(entry);
  if (size > MAX_REQUEST_ENTRY_BYTES) {
    return problem(`the entry is ${size} bytes, over EventBridge's limit of ${MAX_REQUEST_ENTRY_BYTES} bytes`);
  }
  return { line: lineNumber, entry };
}

/** The file's lines with their 1-based numbers, read as a stream: a backfill file may be large. */
export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    // An editor's byte order mark is not part of the first line's JSON.
    yield { line: number, text: number === 1 ? text.replace(/^\uFEFF/, "") : text };
  }
}

/** Every non-blank line from `fromLine` on, checked. */
export async function* checkLines(
  lines: AsyncIterable<{ line: number; text: string }>,
  settings: EntrySettings,
  fromLine = 1,
): AsyncGenerator<CheckedLine> {
  for await (const { line: number, text } of lines) {
    if (number < fromLine) continue;
    const checked = checkLine(text, number, settings);
    if (checked) yield checked;
  }
}
