/**
 * The note of what arrived before its order (`pk = USER#<id>`, `sk = EARLY#<orderId>`): an item
 * of its own per order, so that events of orders that never come cost their own small items and
 * never grow the balance item every change of the customer's points must read and write. It has
 * no `entryAt`, so it never shows in the history; erasure deletes it with the rest of the
 * customer's partition.
 *
 * A note that holds only closes expires through the table's TTL: a close moves its order's release
 * earlier, and an order's release is at most `pendingDays` (365 at most) after its completion,
 * which precedes its close, so a close's note is worth nothing `CLOSE_NOTE_DAYS` after the close.
 * A note that holds a refund never expires: its parked refund must be netted whenever the order
 * lands, however late.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { CorruptLedgerItemError } from "../domain/errors";
import { SafeCountSchema } from "../domain/ledger-entries";
import { earlySk } from "../domain/ledger-keys";
import { LEDGER_TABLE } from "./table";
import type { TransactItem } from "./transactions";

/** The longest pending period (365 days), its midnight rounding and a day of margin. */
const CLOSE_NOTE_DAYS = 367;

const DAY_SECONDS = 86_400;

/** The stored names of the note's attributes. */
const NOTE = {
  /** How many things of the order arrived before it: the credit that nets them finds exactly these. */
  arrivals: "arrivals",
  /** The earliest close of the order's return window. */
  closedAt: "closedAt",
  /** How many refunds of the order are parked; present, the note never expires. */
  refunds: "refunds",
  /** When the order's credit netted the note out; from then on it only waits for the TTL. */
  nettedAt: "nettedAt",
  ttl: LEDGER_TABLE.ttlAttribute,
} as const;

const EarlyNoteSchema = v.looseObject({
  [NOTE.arrivals]: SafeCountSchema,
  [NOTE.closedAt]: v.optional(v.string()),
  [NOTE.refunds]: v.optional(SafeCountSchema),
});

/** What arrived early of an order, as its note holds it. */
export type EarlyNote = v.InferOutput<typeof EarlyNoteSchema>;

export const earlyNoteKey = (pk: string, orderId: string) => ({ pk, sk: earlySk(orderId) });

/** When a note holding only a close of `closedAt` may go, in epoch seconds (the TTL's unit). */
const closeNoteExpiry = (closedAt: string): number => Math.floor(Date.parse(closedAt) / 1000) + CLOSE_NOTE_DAYS * DAY_SECONDS;

/** The note an item read (or returned by a failed condition) holds; `undefined` for no item. */
export function earlyNoteOf(item: Record<string, unknown> | undefined): EarlyNote | undefined {
  if (item === undefined) return undefined;
  const result = v.safeParse(EarlyNoteSchema, item);
  if (!result.success)
    throw new CorruptLedgerItemError(`ledger item ${String(item.pk)} ${String(item.sk)} cannot be read: ${describeIssues(result.issues)}`);
  return result.output;
}

export function earlyNoteWrites(tableName: string) {
  return {
    /** One more arrival, a refund: the note stops expiring. */
    noteRefund: (pk: string, orderId: string): TransactItem => ({
      Update: {
        TableName: tableName,
        Key: earlyNoteKey(pk, orderId),
        UpdateExpression: "ADD #arrivals :one, #refunds :one REMOVE #ttl",
        ExpressionAttributeNames: { "#arrivals": NOTE.arrivals, "#refunds": NOTE.refunds, "#ttl": NOTE.ttl },
        ExpressionAttributeValues: { ":one": 1 },
      },
    }),

    /**
     * One more arrival, a close that keeps the earliest `closedAt` (a later or equal one fails).
     * With `expires`, the note expires after the close is moot, on condition that no refund is
     * noted (the failed condition returns the note, so the caller can tell and note it without).
     */
    noteClose: (pk: string, orderId: string, closedAt: string, expires: boolean): TransactItem => ({
      Update: {
        TableName: tableName,
        Key: earlyNoteKey(pk, orderId),
        UpdateExpression: `ADD #arrivals :one SET #closed = :closed${expires ? ", #ttl = :ttl" : ""}`,
        ConditionExpression: `(attribute_not_exists(#closed) OR #closed > :closed)${expires ? " AND attribute_not_exists(#refunds)" : ""}`,
        ExpressionAttributeNames: {
          "#arrivals": NOTE.arrivals,
          "#closed": NOTE.closedAt,
          ...(expires ? { "#ttl": NOTE.ttl, "#refunds": NOTE.refunds } : {}),
        },
        ExpressionAttributeValues: { ":one": 1, ":closed": closedAt, ...(expires ? { ":ttl": closeNoteExpiry(closedAt) } : {}) },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    }),

    /** The check an order's credit carries: nothing of the order arrived before it. */
    noneNoted: (pk: string, orderId: string): TransactItem => ({
      ConditionCheck: { TableName: tableName, Key: earlyNoteKey(pk, orderId), ConditionExpression: "attribute_not_exists(pk)" },
    }),

    /**
     * What the credit that nets the note out does with it, on condition that it still holds the
     * arrivals read (`undefined`: that there is still none): the note is due to expire at once, as
     * the order it waited for is credited (the writer deletes no single item; the TTL does).
     */
    take: (pk: string, orderId: string, arrivals: number | undefined, at: string): TransactItem =>
      arrivals === undefined
        ? { ConditionCheck: { TableName: tableName, Key: earlyNoteKey(pk, orderId), ConditionExpression: "attribute_not_exists(pk)" } }
        : {
            Update: {
              TableName: tableName,
              Key: earlyNoteKey(pk, orderId),
              UpdateExpression: "SET #ttl = :now, #netted = :at",
              ConditionExpression: "#arrivals = :arrivals",
              ExpressionAttributeNames: { "#arrivals": NOTE.arrivals, "#ttl": NOTE.ttl, "#netted": NOTE.nettedAt },
              ExpressionAttributeValues: { ":arrivals": arrivals, ":now": Math.floor(Date.parse(at) / 1000), ":at": at },
            },
          },
  };
}

export type EarlyNoteWrites = ReturnType<typeof earlyNoteWrites>;
