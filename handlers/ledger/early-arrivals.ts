/**
 * What arrives before its order — a refund, the close of its return window — is acknowledged
 * and recorded, never reported failed for being early, and never waits for a redelivery:
 * - A parked refund is an entry under the reversal's own key (so its duplicate changes nothing)
 *   worth no points yet; a close is noted on the order's early-arrival marker. Both are written
 *   on condition that the order is still absent, and both bump the marker's `arrivals`.
 * - The order's credit checks that no marker exists: the common case stays one request. When
 *   one does, the credit reads the marker and the parked refunds and credits the net in one
 *   transaction that turns each parked refund into its reversal and deletes the marker, on
 *   condition that no arrival was added meanwhile.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { InvalidEventError } from "../domain/errors";
import { ParkedRefundEntrySchema, lotFields, planReversal, refundOf, type EarnEntry, type ReversalEntry } from "../domain/ledger-entries";
import { earlyArrivalSk, expiryIndexPk, expiryShardOf, orderSk, refundSk } from "../domain/ledger-keys";
import { dayOf, earlyReleaseOf, lotDatesOf } from "../domain/lifecycle";
import type { BalanceUpdates } from "./balance-updates";
import { failedAt, putNewEntry, transactWrite, type TransactItem } from "./transactions";
import type { WriteResult } from "./dynamo-ledger";

const MarkerSchema = v.object({
  arrivals: v.optional(v.number(), 0),
  closedAt: v.optional(v.string()),
});

/** Attempts at netting when arrivals keep landing during the credit. */
const ATTEMPTS = 5;

/**
 * The actions that note an early arrival on the order's marker, on condition that the order is
 * still absent: a close keeps the earliest `closedAt` (a later or equal one fails the first action).
 */
export function earlyArrivalAction(tableName: string, pk: string, orderId: string, closedAt?: string): TransactItem[] {
  const close = closedAt === undefined
    ? {}
    : { ConditionExpression: "attribute_not_exists(closedAt) OR closedAt > :closed", ExpressionAttributeValues: { ":one": 1, ":closed": closedAt } };
  return [
    {
      Update: {
        TableName: tableName,
        Key: { pk, sk: earlyArrivalSk(orderId) },
        UpdateExpression: closedAt === undefined ? "ADD arrivals :one" : "ADD arrivals :one SET closedAt = :closed",
        ExpressionAttributeValues: { ":one": 1 },
        ...close,
      },
    },
    { ConditionCheck: { TableName: tableName, Key: { pk, sk: orderSk(orderId) }, ConditionExpression: "attribute_not_exists(pk)" } },
  ];
}

/**
 * The expiry index item of an entry's lot: who has something expiring that day. A plain put,
 * the same item every time, so a duplicate or a second order of the day changes nothing.
 */
export function expiryIndexPut(tableName: string, entry: { pk: string; expiresAt?: string }): TransactItem[] {
  if (entry.expiresAt === undefined) return [];
  const day = dayOf(Date.parse(entry.expiresAt));
  const userId = entry.pk.slice(entry.pk.indexOf("#") + 1);
  return [{ Put: { TableName: tableName, Item: { pk: expiryIndexPk(day, expiryShardOf(userId)), sk: entry.pk } } }];
}

export async function creditWithEarlyArrivals(client: DynamoDBDocumentClient, tableName: string, balances: BalanceUpdates, credited: EarnEntry): Promise<WriteResult> {
  const markerKey = { pk: credited.pk, sk: earlyArrivalSk(credited.orderId) };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const [{ Item: markerItem }, { Items = [] }] = await Promise.all([
      client.send(new GetCommand({ TableName: tableName, Key: markerKey, ConsistentRead: true })),
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": credited.pk, ":prefix": `${refundSk(credited.orderId, "")}` },
          ConsistentRead: true,
        }),
      ),
    ]);
    const marker = markerItem === undefined ? undefined : v.parse(MarkerSchema, markerItem);
    const parked = Items.flatMap((item) => {
      const result = v.safeParse(ParkedRefundEntrySchema, item);
      return result.success ? [result.output] : [];
    });
    parked.sort((a, b) => a.entryAt.localeCompare(b.entryAt));

    // Apply the refunds in the order they happened, as if the order had been there for each.
    let order = credited;
    const reversals: ReversalEntry[] = [];
    for (const refund of parked) {
      try {
        const plan = planReversal(order, refundOf(refund, credited.pk.slice(credited.pk.indexOf("#") + 1)), { eventId: refund.eventId, recordedAt: credited.recordedAt });
        order = { ...order, refundedAmount: plan.refundedAmount, reversedPoints: plan.reversedPoints };
        reversals.push({ ...plan.entry, fromLot: plan.entry.points, fromSpendable: 0, toDebt: 0, notTaken: 0 });
      } catch (error) {
        // A refund that contradicts its order (another currency) stays parked, worth nothing.
        if (!(error instanceof InvalidEventError)) throw error;
      }
    }
    const dates = lotDatesOf(order.lot ?? "");
    const moved = dates && marker?.closedAt !== undefined ? earlyReleaseOf(dates, marker.closedAt) : undefined;
    if (marker?.closedAt !== undefined) order = { ...order, returnWindowClosedAt: marker.closedAt, ...(moved ? lotFields(moved) : {}) };

    const lotPoints = order.points - order.reversedPoints;
    const credit = balances.creditOrder(order, order.lot ?? "balance", lotPoints);
    const markerGuard: TransactItem = marker === undefined
      ? { ConditionCheck: { TableName: tableName, Key: markerKey, ConditionExpression: "attribute_not_exists(pk)" } }
      : { Delete: { TableName: tableName, Key: markerKey, ConditionExpression: "arrivals = :arrivals", ExpressionAttributeValues: { ":arrivals": marker.arrivals } } };
    const result = await transactWrite(client, [
      putNewEntry(tableName, order),
      credit.action,
      markerGuard,
      ...reversals.map((entry): TransactItem => ({
        Put: { TableName: tableName, Item: entry, ConditionExpression: "kind = :parked", ExpressionAttributeValues: { ":parked": "parked-refund" } },
      })),
      ...expiryIndexPut(tableName, order),
    ]);
    if (result.written) return { outcome: "credited", points: lotPoints };
    if (failedAt(result, 0)) return { outcome: "duplicate", points: 0 };
    if (failedAt(result, 1)) throw credit.refusal();
    // Something else arrived early meanwhile: read again.
  }
  throw new Error(`order ${credited.orderId}: early arrivals kept landing over ${ATTEMPTS} attempts`);
}
