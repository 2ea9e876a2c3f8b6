/**
 * What arrives before its order — a refund, the close of its return window — is acknowledged
 * and recorded, never reported failed for being early, and never waits for a redelivery:
 * - A parked refund is an entry under the reversal's own key (so its duplicate changes nothing)
 *   worth no points yet; a close is noted in the order's early note (`early-notes`). Both are
 *   written on condition that the order is still absent, and both count one more early arrival
 *   of the order in that note.
 * - The order's credit carries the check that its order has no note: one more item of the same
 *   request. When it has one, the credit reads the note and the parked refunds and credits the
 *   net in one transaction that turns each parked refund into its reversal and retires the note,
 *   on condition that no arrival was added meanwhile.
 * - With tiers, the credit also reads the balance item (in the same round of requests) and
 *   applies the parked refunds and the close to the tiers as it does to the points: the order's
 *   base points join their bucket net of the refunds, at the release the close gives.
 * - A parked refund the order contradicts (another currency) is invalid: the same transaction
 *   keeps it, out of the history, as a rejected refund with the reason, so it no longer awaits
 *   its order and a redelivery of it is known as seen (`rejectedRefundOf`).
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { InvalidEventError } from "../domain/errors";
import {
  ParkedRefundEntrySchema,
  expiredOnCredit,
  lateExpiryEntry,
  lotFields,
  planReversal,
  refundOf,
  rejectedRefund,
  type EarnEntry,
  type RejectedRefund,
  type ReversalEntry,
} from "../domain/ledger-entries";
import { orderSk, refundSk, userPk } from "../domain/ledger-keys";
import { earlyReleaseOf, lotDatesOf } from "../domain/lifecycle";
import { EXPIRED_TOTAL_ATTRIBUTE } from "../domain/lot-plans";
import { AGAIN, RetriesExhaustedError, retrying } from "../runtime/retry";
import { creditIndexPuts } from "./day-indexes";
import type { BalanceUpdates } from "./balance-updates";
import { earlyNoteKey, earlyNoteOf, type EarlyNoteWrites } from "./early-notes";
import { matchedAttribute } from "./settled-lots";
import { failed, failedOnly, named, putNewEntry, transactWrite, type NamedItem, type TransactItem } from "./transactions";
import type { WriteResult } from "./write-result";
import { closeWithTiers, creditWithTiers, refundWithTiers } from "../domain/tier-orders";
import type { Tiers } from "../domain/tier-settings";
import { balanceKey } from "./balance-item";
import { tierBookOf, tierWrite } from "./tier-item";
import { tierWriteItems } from "./tier-write-items";
import { refusedAtVersion } from "./user-items";
import { EVENT_RETRY } from "./busy-retry";
import { notErasedCheck } from "./tombstones";

/** The note of an early arrival (`note`), on condition that the order is still absent and the customer was never erased. */
export function earlyArrivalAction(
  tableName: string,
  note: TransactItem,
  pk: string,
  orderId: string,
): NamedItem<"note" | "orderAbsent" | "notErased">[] {
  return [
    { name: "note", item: note },
    {
      name: "orderAbsent",
      item: {
        ConditionCheck: { TableName: tableName, Key: { pk, sk: orderSk(orderId) }, ConditionExpression: "attribute_not_exists(pk)" },
      },
    },
    { name: "notErased", item: notErasedCheck(tableName, pk) },
  ];
}

/**
 * Credits `credited` net of what arrived before it. `onRejected` hears of each parked refund the
 * order rejects before the rejection is written (so it hears at least once, maybe again if the
 * write must be retried).
 */
export function creditWithEarlyArrivals(
  client: DynamoDBDocumentClient,
  tableName: string,
  balances: BalanceUpdates,
  notes: EarlyNoteWrites,
  credited: EarnEntry,
  onRejected: (refund: RejectedRefund) => Promise<void>,
  tiers?: Tiers,
): Promise<WriteResult> {
  const told = new Set<string>();
  return retrying<WriteResult>(
    EVENT_RETRY,
    async () => {
      const [{ Item: noteItem }, { Items = [] }, balanceRead] = await Promise.all([
        client.send(new GetCommand({ TableName: tableName, Key: earlyNoteKey(credited.pk, credited.orderId), ConsistentRead: true })),
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": credited.pk, ":prefix": `${refundSk(credited.orderId, "")}` },
            ConsistentRead: true,
          }),
        ),
        tiers === undefined
          ? undefined
          : client.send(new GetCommand({ TableName: tableName, Key: balanceKey(credited.pk), ConsistentRead: true })),
      ]);
      const balanceItem = balanceRead?.Item;
      const tierRead = tiers === undefined ? undefined : tierBookOf(balanceItem);
      const tiered =
        tiers !== undefined && tierRead !== undefined
          ? creditWithTiers(tiers, tierRead, credited, Date.parse(credited.recordedAt))
          : undefined;
      const early = earlyNoteOf(noteItem);
      const parked = Items.flatMap((item) => {
        const result = v.safeParse(ParkedRefundEntrySchema, item);
        return result.success ? [result.output] : [];
      });
      parked.sort((a, b) => a.entryAt.localeCompare(b.entryAt));

      // Apply the refunds in the order they happened, as if the order had been there for each.
      // An order credited after its lot expired expires whole in the same write, as when it lands
      // before its refunds: they find its points expired, and do not take them again.
      const late = expiredOnCredit(credited);
      let order = tiered?.entry ?? credited;
      let book = tiered?.book;
      let basePointsReversed = 0;
      const reversals: ReversalEntry[] = [];
      const rejected: RejectedRefund[] = [];
      for (const refund of parked) {
        try {
          const plan = planReversal(order, refundOf(refund, credited.pk.slice(credited.pk.indexOf("#") + 1)), {
            eventId: refund.eventId,
            recordedAt: credited.recordedAt,
          });
          order = { ...order, refundedAmount: plan.refundedAmount, reversedPoints: plan.reversedPoints };
          basePointsReversed += plan.basePointsReversed;
          reversals.push({
            ...plan.entry,
            fromLot: late ? 0 : plan.entry.points,
            fromSpendable: 0,
            toDebt: 0,
            notTaken: late ? plan.entry.points : 0,
          });
        } catch (error) {
          if (!(error instanceof InvalidEventError)) throw error;
          rejected.push(rejectedRefund(refund, error.message));
        }
      }
      const closedAt = early?.closedAt;
      const dates = lotDatesOf(order.lot ?? "");
      // A close moves no lot that has expired (as when it comes after its order).
      const moved = dates && closedAt !== undefined && !late ? earlyReleaseOf(dates, closedAt) : undefined;
      if (closedAt !== undefined) order = { ...order, returnWindowClosedAt: closedAt, ...(moved ? lotFields(moved) : {}) };
      if (tiers !== undefined && book !== undefined) {
        const at = Date.parse(order.recordedAt);
        if (basePointsReversed > 0) book = refundWithTiers(tiers, book, order, basePointsReversed, at) ?? book;
        const closing = closedAt === undefined ? undefined : closeWithTiers(tiers, book, order, closedAt, at);
        if (closing !== undefined) {
          book = closing.book;
          order = { ...order, qualifiesFrom: closing.qualifiesFrom };
        }
      }
      const tier =
        tiers !== undefined && tierRead !== undefined && book !== undefined
          ? tierWrite(tiers, order.pk, balanceItem, book, order.recordedAt)
          : undefined;

      const lotPoints = late ? order.points : order.points - order.reversedPoints;
      const expiry = late ? lateExpiryEntry(order, order.points) : undefined;
      const matched =
        expiry && order.reversedPoints > 0 ? { [matchedAttribute({ attribute: order.lot ?? "" })]: order.reversedPoints } : {};
      for (const refund of rejected.filter(({ sk }) => !told.has(sk))) {
        await onRejected(refund);
        told.add(refund.sk);
      }
      const credit = balances.creditOrder(order, late ? EXPIRED_TOTAL_ATTRIBUTE : (order.lot ?? "balance"), lotPoints, tier);
      const settled = [...reversals, ...rejected];
      const forSettle = creditIndexPuts(tableName, order, late, expiry && { ...expiry, ...matched });
      const result = await transactWrite(client, [
        { name: "entry", item: putNewEntry(tableName, order) },
        { name: "balance", item: credit.action },
        { name: "earlyNote", item: notes.take(order.pk, order.orderId, early?.arrivals, order.recordedAt) },
        { name: "notErased", item: notErasedCheck(tableName, order.pk) },
        ...named(
          "parkedRefunds",
          settled.map(
            (entry): TransactItem => ({
              Put: {
                TableName: tableName,
                Item: entry,
                ConditionExpression: "kind = :parked",
                ExpressionAttributeValues: { ":parked": "parked-refund" },
              },
            }),
          ),
        ),
        ...named("forSettle", forSettle),
        ...tierWriteItems(tableName, order.pk, tier, order.recordedAt, forSettle),
      ]);
      if (result.written) return { outcome: "credited", points: lotPoints };
      if (failed(result, "notErased")) return { outcome: "erased", points: 0 };
      if (failed(result, "entry")) return { outcome: "duplicate", points: 0 };
      // Only the balance guard failed: the totals refused the credit (unless the tiers moved on).
      if (failedOnly(result, "balance") && (tier === undefined || refusedAtVersion(result, "balance", undefined, tier.version))) {
        throw credit.refusal();
      }
      return AGAIN; // something else arrived early meanwhile, or a parked refund changed: read again
    },
    { exhausted: (tries) => new RetriesExhaustedError(`order ${credited.orderId}: early arrivals kept landing over ${tries} attempts`) },
  );
}

/**
 * The refund of `orderId` and `refundId` its order rejected when it landed, if it did: a later
 * delivery of that refund is one the ledger has seen and answered.
 */
export async function rejectedRefundOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  orderId: string,
  refundId: string,
): Promise<boolean> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: { pk: userPk(userId), sk: refundSk(orderId, refundId) }, ConsistentRead: true }),
  );
  return Item?.kind === "rejected-refund";
}
