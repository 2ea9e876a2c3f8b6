/**
 * The ledger on DynamoDB: order events in, balances and history out. Every event is one
 * `TransactWriteItems` that writes its entry (guarded by `attribute_not_exists`) together with
 * the balance change, so a redelivered or re-published event changes nothing.
 * - An order is one request, duplicates included: it `ADD`s to its lot with no read, checks in
 *   the same transaction that nothing of the order arrived before it (its early note is absent),
 *   and, when its lot expires at all, indexes the day it does for the settle. With tiers it reads
 *   the balance item first (two requests): what it earns depends on the level held.
 * - A refund or a return window's close reads the order and the balance (one request), then
 *   writes its plan conditioned on what it read. Either one arriving before its order is
 *   recorded and acknowledged; the order nets it out when it lands (see `early-arrivals`).
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import type { OrderRefunded, ReturnWindowClosed } from "../domain/contract";
import {
  EarnEntrySchema,
  LedgerEntrySchema,
  SafeCountSchema,
  expiredOnCredit,
  lateExpiryEntry,
  lotFields,
  parkedRefundEntry,
  planReversal,
  type EarnEntry,
  type EventOrigin,
  type LedgerEntry,
  type Provenance,
  type RejectedRefund,
} from "../domain/ledger-entries";
import { BALANCE_SK, orderSk, userPk } from "../domain/ledger-keys";
import { lateReleaseNotice } from "../domain/ledger-notices";
import { earlyReleaseOf, lotAttribute, lotDatesOf } from "../domain/lifecycle";
import { EXPIRED_TOTAL_ATTRIBUTE, planReversal as planLotReversal, type Delta } from "../domain/lot-plans";
import { isAvailable, isExpired, viewAt, type Lot, type PointsView } from "../domain/lots";
import { systemClock } from "../runtime/clock";
import { AGAIN, RetriesExhaustedError, retrying } from "../runtime/retry";
import { balanceKey, balanceState, legacyLot } from "./balance-item";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { creditIndexPuts, dayIndexPuts } from "./day-indexes";
import { creditWithEarlyArrivals, earlyArrivalAction, rejectedRefundOf } from "./early-arrivals";
import { earlyNoteOf, earlyNoteWrites, type EarlyNoteWrites } from "./early-notes";
import { DynamoErasure } from "./dynamo-erasure";
import { matchedAttribute, settledLotOf } from "./settled-lots";
import { notErasedCheck } from "./tombstones";
import { decodeCursor, encodeCursor } from "./history-cursor";
import { LEDGER_TABLE } from "./table";
import { failed, named, oldItemOf, putNewEntry, transactWrite } from "./transactions";
import { readUserItems, refusedAtVersion } from "./user-items";
import { EVENT_RETRY } from "./busy-retry";
import type { WriteResult } from "./write-result";
import { tierAnswer, type TierAnswer } from "../domain/tier-answer";
import { closeWithTiers, creditWithTiers, refundWithTiers } from "../domain/tier-orders";
import type { Tiers } from "../domain/tier-settings";
import type { TierBook } from "../domain/tier-state";
import { tierBookOf, tierWrite, type TierWrite } from "./tier-item";
import { tierWriteItems } from "./tier-write-items";

/** A balance as the reader answers it; `tier` only when the ledger has tiers. */
export type Balance = { userId: string; lifetimeEarned: number; updatedAt: string | null; tier?: TierAnswer } & PointsView;

export interface HistoryPage {
  entries: LedgerEntry[];
  /** Opaque; `null` on the last page. */
  nextCursor: string | null;
}

const DUPLICATE: WriteResult = { outcome: "duplicate", points: 0 };
const PARKED: WriteResult = { outcome: "parked", points: 0 };
/** An event of a customer erased before: acknowledged, and nothing written. */
export const DROPPED_ERASED: WriteResult = { outcome: "erased", points: 0 };

/** The lot an order's points are in, as the balance item holds it now. */
function lotOf(order: EarnEntry, lots: readonly Lot[]): { lot: Lot; held: boolean } {
  const attribute = order.lot ?? legacyLot(0).attribute;
  const held = lots.find((lot) => lot.attribute === attribute);
  const dates = lotDatesOf(attribute) ?? legacyLot(0);
  return held ? { lot: held, held: true } : { lot: { attribute, ...dates, points: 0 }, held: false };
}

export class DynamoLedger {
  private readonly balances: BalanceUpdates;
  private readonly notes: EarlyNoteWrites;
  /** Erases customers on the platform's `Customer Deleted`. */
  readonly erasure: DynamoErasure;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Told of each parked refund an order rejects when it lands, before the rejection is written. */
    private readonly onRejectedRefund: (refund: RejectedRefund) => Promise<void> = async () => {},
    /** The tiers (`TIERS`); without them, orders earn their base points and nothing reads the balance first. */
    private readonly tiers?: Tiers,
  ) {
    this.balances = balanceUpdates(tableName);
    this.notes = earlyNoteWrites(tableName);
    this.erasure = new DynamoErasure(client, tableName);
  }

  /**
   * Credits an order's earn entry and its points to its lot, once. One request. An order processed
   * after its lot expired is credited and expires in the same write, with no day index (no settle
   * has anything left to do for it).
   *
   * With tiers, the multiplier depends on the level held, so the credit reads the balance item
   * first (one consistent `GetItem`) and writes the entry at its level, its base points to their
   * bucket and the state in the same transaction, conditioned on the tier version read: a credit
   * of the same customer landing in between makes it read again, never lose a bucket. A level
   * change it records (a release it rolls through) is told by a notice in the same transaction.
   */
  creditOrder(entry: EarnEntry): Promise<WriteResult> {
    const { tiers } = this;
    if (tiers === undefined) return this.credit(entry).then((result) => (result === AGAIN ? this.unexpected(entry) : result));
    return retrying<WriteResult>(
      EVENT_RETRY,
      async () => {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: balanceKey(entry.pk), ConsistentRead: true }),
        );
        const before = tierBookOf(Item);
        const credited = creditWithTiers(tiers, before, entry, Date.parse(entry.recordedAt));
        const write = tierWrite(tiers, entry.pk, Item, credited.book, entry.recordedAt);
        return this.credit(credited.entry, { write, base: entry });
      },
      {
        exhausted: (tries) =>
          new RetriesExhaustedError(`order ${entry.orderId}: the customer's tiers kept changing over ${tries} attempts`),
      },
    );
  }

  private unexpected(entry: EarnEntry): never {
    throw new Error(`order ${entry.orderId}: transaction cancelled unexpectedly`);
  }

  /** The credit's one transaction; `AGAIN` when the tiers it was planned from moved on. */
  private async credit(entry: EarnEntry, tiered?: { write: TierWrite; base: EarnEntry }): Promise<WriteResult | typeof AGAIN> {
    const tier = tiered?.write;
    const late = expiredOnCredit(entry);
    const lot = late ? EXPIRED_TOTAL_ATTRIBUTE : (entry.lot ?? legacyLot(0).attribute);
    const expiry = lateExpiryEntry(entry, entry.points);
    const credit = this.balances.creditOrder(entry, lot, entry.points, tier);
    const forSettle = creditIndexPuts(this.tableName, entry, late, expiry);
    const result = await transactWrite(this.client, [
      { name: "entry", item: putNewEntry(this.tableName, entry) },
      { name: "balance", item: credit.action },
      { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
      { name: "noEarlyNote", item: this.notes.noneNoted(entry.pk, entry.orderId) },
      ...named("forSettle", forSettle),
      ...tierWriteItems(this.tableName, entry.pk, tier, entry.recordedAt, forSettle),
    ]);
    if (result.written) return { outcome: "credited", points: entry.points };
    if (failed(result, "notErased")) return DROPPED_ERASED;
    if (failed(result, "entry")) return DUPLICATE;
    // Something of this order arrived before it: net it out.
    if (failed(result, "noEarlyNote")) {
      // With tiers, the early arrivals' path plans the level from its own read, from the entry before it.
      return creditWithEarlyArrivals(
        this.client,
        this.tableName,
        this.balances,
        this.notes,
        tiered?.base ?? entry,
        this.onRejectedRefund,
        this.tiers,
      );
    }
    if (failed(result, "balance")) {
      if (tier !== undefined && !refusedAtVersion(result, "balance", undefined, tier.version)) return AGAIN;
      throw credit.refusal();
    }
    return this.unexpected(entry);
  }

  /**
   * Reverses a refund's points, once: reads the order and the balance (one consistent request),
   * then writes the reversal entry, the order's new running totals (conditioned on the totals
   * read, so concurrent refunds of one order cannot both apply) and the lots' plan.
   */
  reverseRefund(refund: OrderRefunded, provenance: Provenance, now: Date, origin?: EventOrigin): Promise<WriteResult> {
    return retrying<WriteResult>(
      EVENT_RETRY,
      async () => {
        const [orderItem, balanceItem] = await readUserItems(this.client, this.tableName, refund.userId, [
          orderSk(refund.orderId),
          BALANCE_SK,
        ]);
        if (!orderItem) {
          const parked = await transactWrite(this.client, [
            { name: "entry", item: putNewEntry(this.tableName, parkedRefundEntry(refund, provenance, origin)) },
            ...earlyArrivalAction(
              this.tableName,
              this.notes.noteRefund(userPk(refund.userId), refund.orderId),
              userPk(refund.userId),
              refund.orderId,
            ),
          ]);
          if (parked.written) return PARKED;
          if (failed(parked, "notErased")) return DROPPED_ERASED;
          if (failed(parked, "entry")) return DUPLICATE;
          return AGAIN; // the order landed meanwhile: reverse against it
        }
        const order = v.parse(EarnEntrySchema, orderItem);
        const plan = planReversal(order, refund, provenance);
        const read = balanceState(balanceItem);
        // An order processed after its lot expired never joined it: its own expiry entry holds its points.
        const late = expiredOnCredit(order);
        const found = lotOf(order, read.holding.lots);
        const { lot, held } = late ? { lot: { ...found.lot, points: 0 }, held: false } : found;
        const expired = isExpired(lot, now.getTime());
        // Only a refund whose order's lot expired and was settled away reads what the lot held then.
        const settled =
          !held && expired ? await settledLotOf(this.client, this.tableName, order.pk, lot, late ? order.orderId : undefined) : undefined;
        const matched = held && expired ? v.parse(v.optional(SafeCountSchema, 0), balanceItem?.[matchedAttribute(lot)]) : 0;
        const lots = planLotReversal(read.holding, lot, held, plan.entry.points, now.getTime(), settled?.left, matched);
        const entry = { ...plan.entry, ...lots.split };
        // What it treats as expired of a lot still held is matched there, so no later refund treats it so again.
        const matching: Delta[] = held && expired && lots.split.notTaken > 0 ? [[matchedAttribute(lot), lots.split.notTaken]] : [];
        // With tiers, the order's base points leave its bucket, and a level it reached may go with them.
        const tier = this.tierChange(order.pk, balanceItem, entry.recordedAt, (tiers, book) =>
          refundWithTiers(tiers, book, order, plan.basePointsReversed, now.getTime()),
        );
        const change = this.balances.applyPlan(
          order.pk,
          read,
          [...lots.deltas, ...matching],
          entry.recordedAt,
          `reversing ${entry.points} points`,
          [],
          tier,
        );
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry) },
          {
            name: "orderTotals",
            item: {
              Update: {
                TableName: this.tableName,
                Key: { pk: order.pk, sk: order.sk },
                UpdateExpression: "SET refundedAmount = :amount, reversedPoints = :reversed",
                ConditionExpression: "refundedAmount = :readAmount",
                ExpressionAttributeValues: {
                  ":amount": plan.refundedAmount,
                  ":reversed": plan.reversedPoints,
                  ":readAmount": order.refundedAmount,
                },
              },
            },
          },
          { name: "balance", item: change.action },
          ...named("settledLotMatches", settled?.match(lots.split.notTaken) ?? []),
          ...tierWriteItems(this.tableName, order.pk, tier, entry.recordedAt),
          // An erasure deletes the order after its tombstone: a refund that read the order before
          // then must not write behind it.
          { name: "notErased", item: notErasedCheck(this.tableName, order.pk) },
        ]);
        if (result.written) return { outcome: "reversed", points: entry.points };
        if (failed(result, "notErased")) return DROPPED_ERASED;
        if (failed(result, "entry")) return DUPLICATE;
        if (refusedAtVersion(result, "balance", read.version, tier?.version)) throw change.refusal();
        return AGAIN; // another change of this order or balance landed first; re-read
      },
      { exhausted: (tries) => new RetriesExhaustedError(`order ${refund.orderId} kept changing under ${tries} refund attempts`) },
    );
  }

  /**
   * Releases an order's remaining points at the midnight after its return window closed, when
   * that is earlier than its lot's release, once. Before its order, the close is recorded and
   * applied when the order lands.
   */
  releaseEarly(closed: ReturnWindowClosed, now: Date): Promise<WriteResult> {
    // Whether the close's note, if it is the order's first arrival, expires (no refund is parked).
    let expires = true;
    return retrying<WriteResult>(
      EVENT_RETRY,
      async () => {
        const [orderItem, balanceItem] = await readUserItems(this.client, this.tableName, closed.userId, [
          orderSk(closed.orderId),
          BALANCE_SK,
        ]);
        if (!orderItem) {
          const pk = userPk(closed.userId);
          const parked = await transactWrite(
            this.client,
            earlyArrivalAction(this.tableName, this.notes.noteClose(pk, closed.orderId, closed.closedAt, expires), pk, closed.orderId),
          );
          if (parked.written) return PARKED;
          if (failed(parked, "notErased")) return DROPPED_ERASED;
          const note = failed(parked, "note") ? earlyNoteOf(oldItemOf(parked, "note")) : undefined;
          // An earlier close is recorded already; or a refund is, and the note must not expire.
          if (note !== undefined && note.closedAt !== undefined && note.closedAt <= closed.closedAt) return DUPLICATE;
          if (note?.refunds !== undefined) expires = false;
          return AGAIN;
        }
        const order = v.parse(EarnEntrySchema, orderItem);
        if (order.returnWindowClosedAt !== undefined) return DUPLICATE;
        const read = balanceState(balanceItem);
        const { lot } = lotOf(order, read.holding.lots);
        // The lot the close gives is the one it gives when processed before its order: the release
        // moves even when processed after it (no balance changes, the dates agree); an expired lot stays.
        const pending = !isAvailable(lot, now.getTime());
        const moved = isExpired(lot, now.getTime()) ? undefined : earlyReleaseOf(lot, closed.closedAt);
        // With tiers, what the order still counts moves to the midnight after the close too.
        const closing = this.tiers && closeWithTiers(this.tiers, tierBookOf(balanceItem), order, closed.closedAt, now.getTime());
        const tier = this.tierChange(order.pk, balanceItem, now.toISOString(), () => closing?.book);
        const fields = {
          ...(moved === undefined ? {} : lotFields(moved)),
          ...(closing === undefined ? {} : { qualifiesFrom: closing.qualifiesFrom }),
        };
        // What the order still holds is in its lot, unless spent since its release (then what is left).
        const points = moved === undefined ? 0 : Math.min(order.points - order.reversedPoints, Math.max(lot.points, 0));
        // A lot the move empties leaves the item rather than lingering at zero until its expiry.
        const emptied = moved !== undefined && points === lot.points;
        const names: Record<string, string> = {};
        const values: Record<string, string | number> = { ":readAmount": order.refundedAmount };
        const sets = Object.entries({ returnWindowClosedAt: closed.closedAt, ...fields }).map(([name, value], i) => {
          names[`#f${i}`] = name;
          values[`:f${i}`] = value;
          return `#f${i} = :f${i}`;
        });
        const deltas: Delta[] =
          moved === undefined
            ? []
            : emptied
              ? [[lotAttribute(moved), points]]
              : [
                  [lot.attribute, -points],
                  [lotAttribute(moved), points],
                ];
        const change =
          (moved !== undefined || tier !== undefined) &&
          this.balances.applyPlan(
            order.pk,
            read,
            deltas,
            now.toISOString(),
            `releasing ${points} points`,
            emptied ? [lot.attribute] : [],
            tier,
          );
        // Pending when processed and released already (the close came late): told now, as no settle
        // will; a lot released before the close was told on its own day.
        const late =
          moved && pending && isAvailable(moved, now.getTime())
            ? lateReleaseNotice(order.pk, order.orderId, { attribute: lotAttribute(moved), ...moved, points }, now.getTime())
            : undefined;
        const forSettle = moved ? dayIndexPuts(this.tableName, { pk: order.pk, ...lotFields(moved) }, now.toISOString()) : [];
        const result = await transactWrite(this.client, [
          {
            name: "order",
            item: {
              Update: {
                TableName: this.tableName,
                Key: { pk: order.pk, sk: order.sk },
                UpdateExpression: `SET ${sets.join(", ")}`,
                ConditionExpression: "attribute_not_exists(returnWindowClosedAt) AND refundedAmount = :readAmount",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
          },
          ...named("balance", change ? [change.action] : []),
          ...named("forSettle", forSettle),
          ...tierWriteItems(this.tableName, order.pk, tier, now.toISOString(), forSettle),
          ...named("lateReleaseNotice", late ? [putNewEntry(this.tableName, late)] : []),
          // As a refund's: the order may be read before an erasure deletes it, its writes must not land after.
          { name: "notErased", item: notErasedCheck(this.tableName, order.pk) },
        ]);
        if (result.written) return { outcome: "released", points };
        if (failed(result, "notErased")) return DROPPED_ERASED;
        if (change && refusedAtVersion(result, "balance", read.version, tier?.version)) throw change.refusal();
        return AGAIN; // a refund of the order, a duplicate of this event or a plan on the balance won; re-read
      },
      { exhausted: (tries) => new RetriesExhaustedError(`order ${closed.orderId} kept changing under ${tries} release attempts`) },
    );
  }

  /**
   * The tier write of a change planned from `balanceItem`: `plan` turns the book read into the
   * book after; `undefined` without tiers, or when the plan leaves the tiers alone.
   */
  private tierChange(
    pk: string,
    balanceItem: Record<string, unknown> | undefined,
    recordedAt: string,
    plan: (tiers: Tiers, book: TierBook) => TierBook | undefined,
  ): TierWrite | undefined {
    const { tiers } = this;
    if (tiers === undefined) return undefined;
    const before = tierBookOf(balanceItem);
    const after = plan(tiers, before);
    return after && tierWrite(tiers, pk, balanceItem, after, recordedAt);
  }

  /**
   * Whether `refund` is one its order rejected when it landed (parked before it, in another
   * currency): a later delivery of it was answered already.
   */
  wasRejected(refund: OrderRefunded): Promise<boolean> {
    return rejectedRefundOf(this.client, this.tableName, refund.userId, refund.orderId, refund.refundId);
  }

  /**
   * A user's points at `now`, and with tiers the level held then, both from the balance item; a
   * user with no entries has zero, at the first level. One eventually consistent read.
   */
  async getBalance(userId: string, now: Date = systemClock()): Promise<Balance> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: balanceKey(userPk(userId)) }));
    const state = balanceState(Item);
    const at = now.getTime();
    const tier = this.tiers === undefined ? {} : { tier: tierAnswer(this.tiers, tierBookOf(Item), at) };
    return { userId, ...viewAt(state.holding, at), lifetimeEarned: state.lifetimeEarned, updatedAt: state.updatedAt, ...tier };
  }

  /**
   * One page of a user's entries, newest first. Reads one entry more than it returns, so the
   * last page carries no cursor and a client never fetches an empty page.
   */
  async getHistory(userId: string, limit: number, cursor?: string): Promise<HistoryPage> {
    const start = cursor === undefined ? undefined : decodeCursor(cursor);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.historyIndex.name,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": userPk(userId) },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: start && { pk: userPk(userId), sk: start.sk, entryAt: start.at },
      }),
    );
    const page = Items.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map((item) => v.parse(LedgerEntrySchema, item)),
      nextCursor: Items.length > limit && last ? encodeCursor(last) : null,
    };
  }
}
