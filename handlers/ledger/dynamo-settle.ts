/**
 * The daily settle: writes the expiry entries of a day and takes the expired lots off the
 * balance items, then the day's notices (released, expiring soon). It finds whom to visit in the
 * day indexes, so its cost is a query per shard plus, per customer with something expiring that
 * day, one consistent read, one transaction and one delete of the index item — never a scan.
 * Balances never depend on it having run: readers already leave out expired lots and count what
 * they pay of the debt; the settle only makes that payment, records the expiry and keeps the
 * balance item small. Each expiry entry is keyed by its day, so running twice, or late, writes it
 * once.
 */
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { entryAt, expiryIndexPk, expirySk } from "../domain/ledger-keys";
import { SafeCountSchema, type ExpiryEntry } from "../domain/ledger-entries";
import { EXPIRING_SOON_DAYS_DEFAULT, midnightOf } from "../domain/lifecycle";
import { debtPaid, EXPIRED_TOTAL_ATTRIBUTE, type Delta } from "../domain/lot-plans";
import { debtPayments, isExpired, type Lot } from "../domain/lots";
import { AGAIN, RetriesExhaustedError, retrying } from "../runtime/retry";
import { balanceKey, balanceState } from "./balance-item";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { walkDayIndex } from "./day-index-walk";
import { DynamoNotices, type NoticeReport, type WarningReport } from "./dynamo-notices";
import { failed, failedAmong, named, putNewEntry, transactWrite } from "./transactions";
import { matchedAttribute } from "./settled-lots";
import { notErasedCheck } from "./tombstones";
import { refusedAtVersion } from "./user-items";
import { EVENT_RETRY } from "./busy-retry";
import { DynamoTierSettle, type TierSettleReport } from "./dynamo-tier-settle";
import type { Tiers } from "../domain/tier-settings";

/** The refunds' matches of `lots` the balance item holds, as the lots' expiry entry carries them. */
function matchedOf(item: Record<string, unknown> | undefined, lots: readonly Lot[]): Record<string, number> {
  return Object.fromEntries(
    lots.flatMap((lot) => {
      const matched = v.parse(v.optional(SafeCountSchema, 0), item?.[matchedAttribute(lot)]);
      return matched > 0 ? [[matchedAttribute(lot), matched]] : [];
    }),
  );
}

export interface SettleReport {
  day: string;
  /** Customers whose expired lots were taken off, the expiry entries written and their points. */
  customers: number;
  entries: number;
  points: number;
  /** Customers told their points of the day were released. */
  released: NoticeReport;
  /** Customers told their points expire soon: the day's warnings, of the expiry `expiringSoonDays` later. */
  expiringSoon: WarningReport;
  /** With tiers: the level changes recorded (releases, period ends) and the periods warned of. */
  tiers: TierSettleReport;
}

/**
 * Expiry days one transaction settles: TransactWriteItems takes at most 100 actions, two of them
 * the balance update and the tombstone check. A settle late by more days takes the earliest
 * first and goes on.
 */
const DAYS_PER_WRITE = 98;

export class DynamoSettle {
  private readonly balances: BalanceUpdates;
  private readonly notices: DynamoNotices;
  private readonly tiers?: DynamoTierSettle;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Days before an expiry (and a tier period's end) that customers are warned of it; 0: never. */
    private readonly expiringSoonDays = EXPIRING_SOON_DAYS_DEFAULT,
    /** The tiers (`TIERS`); without them, the settle leaves levels alone. */
    tiers?: Tiers,
  ) {
    this.balances = balanceUpdates(tableName);
    this.notices = new DynamoNotices(client, tableName);
    if (tiers !== undefined) this.tiers = new DynamoTierSettle(client, tableName, tiers);
  }

  /** Settles every customer the indexes list for `day` (`YYYY-MM-DD`), as of `now`. */
  async settleDay(day: string, now: Date): Promise<SettleReport> {
    const expired = { customers: 0, entries: 0, points: 0 };
    for await (const item of walkDayIndex(this.client, this.tableName, { shardPk: (shard) => expiryIndexPk(day, shard) })) {
      const settled = await this.settleCustomer(item.sk, now);
      expired.customers++;
      expired.entries += settled.entries;
      expired.points += settled.points;
      // Visited: the index item has done its work; a second run finds nothing to do.
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    const { tiers } = this;
    const tierReport: TierSettleReport = { changes: 0, expiringSoon: { untilDay: null, customers: 0 } };
    // A release midnight can lift a level: the customers told of a release are rolled forward too.
    const released = await this.notices.releaseDay(day, now, async (pk, item) => {
      if (tiers) tierReport.changes += (await tiers.rollForward(pk, now, { item })).changes;
    });
    const expiringSoon = await this.notices.warnDay(day, this.expiringSoonDays, now);
    if (tiers) {
      tierReport.changes += await tiers.periodEnds(day, now);
      tierReport.expiringSoon = await tiers.warnDay(day, this.expiringSoonDays, now);
    }
    return { day, ...expired, released, expiringSoon, tiers: tierReport };
  }

  /** Takes every lot expired at `now` off one balance item, with one expiry entry per expiry day. */
  private async settleCustomer(pk: string, now: Date): Promise<{ entries: number; points: number }> {
    const settled = { entries: 0, points: 0 };
    // Days whose entry exists while lots of that day are still held: a late order's lot.
    const alreadyEntered = new Set<string>();
    // One transaction after another, each with tries of its own, while expired lots are left.
    let more = true;
    while (more) {
      more = await retrying<boolean>(
        EVENT_RETRY,
        async () => {
          const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: balanceKey(pk), ConsistentRead: true }));
          const read = balanceState(Item);
          const byDay = new Map<string, Lot[]>();
          for (const lot of read.holding.lots.filter((lot) => isExpired(lot, now.getTime()))) {
            const day = lot.expiresDay ?? "";
            byDay.set(day, [...(byDay.get(day) ?? []), lot]);
          }
          if (byDay.size === 0) return false;
          const days = [...byDay].sort(([a], [b]) => a.localeCompare(b)).slice(0, DAYS_PER_WRITE);
          const expired = days.flatMap(([, lots]) => lots);
          const recordedAt = now.toISOString();
          // What the lots hold pays what is owed first (the earliest expiry first); only the rest expires.
          const taken = new Set(expired.map((lot) => lot.attribute));
          const { paid } = debtPayments(
            { ...read.holding, lots: read.holding.lots.filter((lot) => taken.has(lot.attribute) || !isExpired(lot, now.getTime())) },
            now.getTime(),
          );
          const left = (lot: Lot) => lot.points - (paid.get(lot.attribute) ?? 0);
          // A lot spent, refunded or paid to nothing leaves the item with no entry: nothing expired of it.
          const entries = days
            .map(([day, lots]): ExpiryEntry => {
              const sk = alreadyEntered.has(day) ? expirySk(day, recordedAt) : expirySk(day);
              const at = new Date(midnightOf(day)).toISOString();
              return {
                pk,
                sk,
                entryAt: entryAt(at, sk),
                kind: "expiry",
                day,
                points: lots.reduce((sum, lot) => sum + left(lot), 0),
                lots: Object.fromEntries(lots.map((lot) => [lot.attribute, left(lot)])),
                occurredAt: at,
                recordedAt,
                // What refunds already treated as expired of a lot goes with it, for the refunds to come.
                ...matchedOf(Item, lots),
              };
            })
            .filter((entry) => entry.points > 0);
          const points = entries.reduce((sum, entry) => sum + entry.points, 0);
          const deltas: Delta[] = [
            [EXPIRED_TOTAL_ATTRIBUTE, points],
            ...debtPaid(
              read.holding,
              [...paid.values()].reduce((sum, each) => sum + each, 0),
            ),
          ];
          const removed = expired.flatMap((lot) => [
            lot.attribute,
            ...(Item?.[matchedAttribute(lot)] === undefined ? [] : [matchedAttribute(lot)]),
          ]);
          const change = this.balances.applyPlan(pk, read, deltas, recordedAt, `expiring ${points} points`, removed);
          const result = await transactWrite(this.client, [
            { name: "balance", item: change.action },
            ...named(
              "expiryEntries",
              entries.map((entry) => putNewEntry(this.tableName, entry)),
            ),
            // A customer erased since the index was read keeps nothing of this.
            { name: "notErased", item: notErasedCheck(this.tableName, pk) },
          ]);
          if (failed(result, "notErased")) return false;
          if (result.written) {
            settled.entries += entries.length;
            settled.points += points;
            // More days than one transaction takes: settle the rest, with tries afresh.
            return byDay.size > days.length;
          }
          if (refusedAtVersion(result, "balance", read.version)) throw change.refusal();
          // The balance changed since the read (another settle, a redemption): re-read and see.
          if (failed(result, "balance")) return AGAIN;
          // The item is as read, yet a day's entry exists: that day was settled before its late lot landed.
          const entered = failedAmong(result, "expiryEntries");
          entries.forEach((entry, i) => {
            if (entered.includes(i)) alreadyEntered.add(entry.day);
          });
          return AGAIN;
        },
        { exhausted: (tries) => new RetriesExhaustedError(`the balance of ${pk} kept changing over ${tries} settle attempts`) },
      );
    }
    return settled;
  }
}
