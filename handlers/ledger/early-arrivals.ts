/**
 * What arrives before its order — a refund, the close of its return window — is acknowledged
 * and recorded, never reported failed for being early, and never waits for a redelivery:
 * - A parked refund is an entry under the reversal's own key (so its duplicate changes nothing)
 *   worth no points yet; a close is noted on the balance item. Both are written on condition
 *   that the order is still absent, and both count one more early arrival of the order on the
 *   balance item (see `balance-item`).
 * - The order's credit updates the balance item anyway, so it carries the check that no early
 *   arrival is noted there: the common case stays one request of two items. When one is, the
 *   credit reads the balance item and the parked refunds and credits the net in one transaction
 *   that turns each parked refund into its reversal and removes the note, on condition that no
 *   arrival was added meanwhile.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { InvalidEventError } from "../domain/errors";
import { ParkedRefundEntrySchema, expiredOnCredit, lateExpiryEntry, lotFields, planReversal, refundOf, type EarnEntry, type ReversalEntry } from "../domain/ledger-entries";
import { orderSk, refundSk } from "../domain/ledger-keys";
import { earlyReleaseOf, lotDatesOf } from "../domain/lifecycle";
import { EXPIRED_TOTAL_ATTRIBUTE } from "../domain/lot-plans";
import { balanceKey, earlyArrivalsOf } from "./balance-item";
import { dayIndexPuts } from "./day-indexes";
import type { BalanceUpdates } from "./balance-updates";
import { matchedAttribute } from "./settled-lots";
import { failedAt, oldItemAt, putNewEntry, transactWrite, type TransactItem } from "./transactions";
import type { WriteResult } from "./write-result";
import { notErasedCheck } from "./tombstones";

/** Attempts at netting when arrivals keep landing during the credit. */
const ATTEMPTS = 5;

/**
 * The actions that note an early arrival on the balance item, on condition that the order is
 * still absent and the customer was never erased (the third action): a close keeps the earliest
 * `closedAt` (a later or equal one fails the first action).
 */
export function earlyArrivalAction(tableName: string, balances: BalanceUpdates, pk: string, orderId: string, closedAt?: string): TransactItem[] {
  return [
    balances.noteEarlyArrival(pk, orderId, closedAt),
    { ConditionCheck: { TableName: tableName, Key: { pk, sk: orderSk(orderId) }, ConditionExpression: "attribute_not_exists(pk)" } },
    notErasedCheck(tableName, pk),
  ];
}

export async function creditWithEarlyArrivals(client: DynamoDBDocumentClient, tableName: string, balances: BalanceUpdates, credited: EarnEntry): Promise<WriteResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const [{ Item: balanceItem }, { Items = [] }] = await Promise.all([
      client.send(new GetCommand({ TableName: tableName, Key: balanceKey(credited.pk), ConsistentRead: true })),
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": credited.pk, ":prefix": `${refundSk(credited.orderId, "")}` },
          ConsistentRead: true,
        }),
      ),
    ]);
    const early = earlyArrivalsOf(balanceItem, credited.orderId);
    const parked = Items.flatMap((item) => {
      const result = v.safeParse(ParkedRefundEntrySchema, item);
      return result.success ? [result.output] : [];
    });
    parked.sort((a, b) => a.entryAt.localeCompare(b.entryAt));

    // Apply the refunds in the order they happened, as if the order had been there for each.
    // An order credited after its lot expired expires whole in the same write, as when it lands
    // before its refunds: they find its points expired, and do not take them again.
    const late = expiredOnCredit(credited);
    let order = credited;
    const reversals: ReversalEntry[] = [];
    for (const refund of parked) {
      try {
        const plan = planReversal(order, refundOf(refund, credited.pk.slice(credited.pk.indexOf("#") + 1)), { eventId: refund.eventId, recordedAt: credited.recordedAt });
        order = { ...order, refundedAmount: plan.refundedAmount, reversedPoints: plan.reversedPoints };
        reversals.push({ ...plan.entry, fromLot: late ? 0 : plan.entry.points, fromSpendable: 0, toDebt: 0, notTaken: late ? plan.entry.points : 0 });
      } catch (error) {
        // A refund that contradicts its order (another currency) stays parked, worth nothing.
        if (!(error instanceof InvalidEventError)) throw error;
      }
    }
    const closedAt = early?.closedAt;
    const dates = lotDatesOf(order.lot ?? "");
    // A close moves no lot that has expired (as when it comes after its order).
    const moved = dates && closedAt !== undefined && !late ? earlyReleaseOf(dates, closedAt) : undefined;
    if (closedAt !== undefined) order = { ...order, returnWindowClosedAt: closedAt, ...(moved ? lotFields(moved) : {}) };

    const lotPoints = late ? order.points : order.points - order.reversedPoints;
    const expiry = late ? lateExpiryEntry(order, order.points) : undefined;
    const matched = expiry && order.reversedPoints > 0 ? { [matchedAttribute({ attribute: order.lot ?? "" })]: order.reversedPoints } : {};
    const credit = balances.creditOrder(order, late ? EXPIRED_TOTAL_ATTRIBUTE : (order.lot ?? "balance"), lotPoints, early?.arrivals);
    const result = await transactWrite(client, [
      putNewEntry(tableName, order),
      credit.action,
      ...reversals.map((entry): TransactItem => ({
        Put: { TableName: tableName, Item: entry, ConditionExpression: "kind = :parked", ExpressionAttributeValues: { ":parked": "parked-refund" } },
      })),
      notErasedCheck(tableName, order.pk),
      ...(late ? (expiry ? [putNewEntry(tableName, { ...expiry, ...matched })] : []) : dayIndexPuts(tableName, order, order.recordedAt)),
    ]);
    if (result.written) return { outcome: "credited", points: lotPoints };
    if (failedAt(result, 2 + reversals.length)) return { outcome: "erased", points: 0 };
    if (failedAt(result, 0)) return { outcome: "duplicate", points: 0 };
    // The balance guard failed with the arrivals read still there: the totals refused the credit.
    if (failedAt(result, 1) && earlyArrivalsOf(oldItemAt(result, 1), credited.orderId)?.arrivals === early?.arrivals) throw credit.refusal();
    // Something else arrived early meanwhile, or a parked refund changed: read again.
  }
  throw new Error(`order ${credited.orderId}: early arrivals kept landing over ${ATTEMPTS} attempts`);
}
