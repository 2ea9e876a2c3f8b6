/**
 * The day-index items a lot's write puts, in the same transaction, so that the daily settle
 * visits the customer on the days the lot changes state. Writing one again (a duplicate, a second
 * order of the same lot) changes nothing the settle reads.
 */
import type { ExpiryEntry } from "../domain/ledger-entries";
import { dayOf } from "../domain/lifecycle";
import { expiryIndexPk, indexShardOf, releaseIndexPk, userIdOf } from "../domain/ledger-keys";
import { putNewEntry, type TransactItem } from "./transactions";

/** A lot as its entry names it: the customer's partition and the lot's dates, if any. */
export interface IndexedLot {
  pk: string;
  availableAt?: string;
  expiresAt?: string;
}

const indexPut = (tableName: string, pk: string, sk: string): TransactItem => ({ Put: { TableName: tableName, Item: { pk, sk } } });

/**
 * When the customer was first listed for the day (ISO): the warning of an expiry is for points
 * held before its warning period began, never for a backfill credited within it (its `Points
 * Earned` already says when they expire). An update, so a later write of the day keeps the first
 * instant and the settle's mark that it warned.
 */
export const LISTED_AT = "listedAt";

/** An index item listing customer `sk` on the day of `pk`, keeping when it was first listed and any mark of a visit. */
export const listingUpdate = (tableName: string, pk: string, sk: string, writtenAt: string): TransactItem => ({
  Update: {
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: "SET #listed = if_not_exists(#listed, :at)",
    ExpressionAttributeNames: { "#listed": LISTED_AT },
    ExpressionAttributeValues: { ":at": writtenAt },
  },
});

/**
 * The expiry index item of a lot: who has something expiring that day. A lot that has already
 * expired when it is written is listed under the day it is written, so that day's settle takes it
 * off the balance item (an order older than its expiry, a backfill, is not written to its lot: it
 * expires in its own write).
 */
export function expiryIndexPut(tableName: string, lot: IndexedLot, writtenAt: string): TransactItem[] {
  if (lot.expiresAt === undefined) return [];
  const day = dayOf(Math.max(Date.parse(lot.expiresAt), Date.parse(writtenAt)));
  return [listingUpdate(tableName, expiryIndexPk(day, indexShardOf(userIdOf(lot.pk))), lot.pk, writtenAt)];
}

/**
 * The release index item of a lot still pending when written: that day's settle tells the
 * customer the points became spendable. A lot spendable when written (no pending period, a
 * backfilled order) is not released later: its `Points Earned` already says `availableAt`.
 */
export function releaseIndexPut(tableName: string, lot: IndexedLot, writtenAt: string): TransactItem[] {
  if (lot.availableAt === undefined || Date.parse(lot.availableAt) <= Date.parse(writtenAt)) return [];
  return [indexPut(tableName, releaseIndexPk(dayOf(Date.parse(lot.availableAt)), indexShardOf(userIdOf(lot.pk))), lot.pk)];
}

/** Both: every index item a lot written at `writtenAt` needs. */
export const dayIndexPuts = (tableName: string, lot: IndexedLot, writtenAt: string): TransactItem[] => [
  ...releaseIndexPut(tableName, lot, writtenAt),
  ...expiryIndexPut(tableName, lot, writtenAt),
];

/**
 * What an order's credit writes beside its entry for the settle: its lot's index items; or, for an
 * order credited after its lot expired (`late`), no index item (no settle has anything left to do
 * for it) but its own expiry entry (`lateExpiry`), when it expires any points.
 */
export function creditIndexPuts(
  tableName: string,
  order: IndexedLot & { recordedAt: string },
  late: boolean,
  lateExpiry: ExpiryEntry | undefined,
): TransactItem[] {
  if (!late) return dayIndexPuts(tableName, order, order.recordedAt);
  return lateExpiry ? [putNewEntry(tableName, lateExpiry)] : [];
}
