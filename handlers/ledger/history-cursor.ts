/**
 * The opaque cursor of a history page: the position of the last entry returned. It holds no
 * user id (the path gives that), so a cursor can never open another user's partition.
 */
import * as v from "valibot";
import { HISTORY_SK_PREFIXES } from "../domain/ledger-keys";
import { LEDGER_TABLE } from "./table";

/** A position names an entry of a kind the history shows, as the ledger keys it. */
const isHistorySk = (sk: string) => Object.values(HISTORY_SK_PREFIXES).some((prefix) => sk.startsWith(prefix));

const PositionSchema = v.pipe(
  v.object({ sk: v.string(), at: v.string() }),
  v.check(({ sk, at }) => isHistorySk(sk) && at.endsWith(`#${sk}`), "not a position"),
);

export type HistoryPosition = v.InferOutput<typeof PositionSchema>;

/** Thrown when a client sends a cursor this API did not hand out. */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

export function encodeCursor(entry: Record<string, unknown>): string {
  const position = {
    sk: entry[LEDGER_TABLE.sortKey],
    at: entry[LEDGER_TABLE.historyIndex.sortKey],
  };
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor(cursor: string): HistoryPosition {
  try {
    const json: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const result = v.safeParse(PositionSchema, json);
    if (result.success) return result.output;
  } catch {
    // Every undecodable cursor is the same client error, below.
  }
  throw new InvalidCursorError("cursor is not one this API returned");
}
