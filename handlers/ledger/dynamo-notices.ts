/**
 * The settle's notices on DynamoDB: per customer one consistent read of the balance item, one
 * conditional put of the notice (keyed by its day, so a second visit writes nothing; in one
 * transaction with the check that the customer was not erased) and one write to the index item
 * that listed the customer. Notices move no points, so they never touch
 * the balance item and never race a redemption.
 */
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expiryIndexPk, releaseIndexPk } from "../domain/ledger-keys";
import { expiringSoonNotice, releaseNotice, type LedgerNotice } from "../domain/ledger-notices";
import { DAY_MS, dayOf, midnightOf } from "../domain/lifecycle";
import type { Lot } from "../domain/lots";
import { balanceState } from "./balance-item";
import { walkDayIndex } from "./day-index-walk";
import { LISTED_AT } from "./day-indexes";
import { balanceItemOf, markWarned, putNoticeOnce, WARNED } from "./settle-notices";

/** What one day's notices of one kind told. */
export interface NoticeReport {
  /** Customers told (a notice written now, not on an earlier visit). */
  customers: number;
  /** The points those notices were about. */
  points: number;
}

/** What one day's warnings told, and of which expiry day (`null` when the settle warns nobody). */
export interface WarningReport extends NoticeReport {
  expiresDay: string | null;
}

export class DynamoNotices {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Tells every customer the release index lists for `day` that those points are spendable, and
   * hands each, with the balance item it read, to `visit` (the tiers' roll-forward: qualifying
   * points count from their release); the index item is then deleted.
   */
  async releaseDay(
    day: string,
    now: Date,
    visit: (pk: string, balanceItem: Record<string, unknown> | undefined) => Promise<unknown> = async () => {},
  ): Promise<NoticeReport> {
    const report: NoticeReport = { customers: 0, points: 0 };
    for await (const item of walkDayIndex(this.client, this.tableName, { shardPk: (shard) => releaseIndexPk(day, shard) })) {
      const balanceItem = await balanceItemOf(this.client, this.tableName, item.sk);
      await this.tell(report, releaseNotice(item.sk, day, balanceState(balanceItem).holding.lots, now.getTime()));
      await visit(item.sk, balanceItem);
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    return report;
  }

  /**
   * Warns every customer with lots expiring `daysBefore` days after `day` — the customers the
   * expiry index lists for that day, so a warning needs no index of its own. A customer first
   * listed for the expiry day within `daysBefore` days of it (a backfill) is not warned: their
   * `Points Earned` says when the points expire. Index items from before `listedAt` are warned.
   */
  async warnDay(day: string, daysBefore: number, now: Date): Promise<WarningReport> {
    if (daysBefore === 0) return { expiresDay: null, customers: 0, points: 0 };
    const expiresDay = dayOf(midnightOf(day) + daysBefore * DAY_MS);
    const report: WarningReport = { expiresDay, customers: 0, points: 0 };
    const warningBegan = new Date(midnightOf(day)).toISOString();
    for await (const item of walkDayIndex(this.client, this.tableName, {
      shardPk: (shard) => expiryIndexPk(expiresDay, shard),
      unless: WARNED,
    })) {
      const listedAt = item[LISTED_AT];
      const heldBefore = typeof listedAt !== "string" || listedAt < warningBegan;
      if (heldBefore) await this.tell(report, expiringSoonNotice(item.sk, day, daysBefore, await this.lotsOf(item.sk), now.getTime()));
      await markWarned(this.client, this.tableName, item, now);
    }
    return report;
  }

  private async lotsOf(pk: string): Promise<readonly Lot[]> {
    return balanceState(await balanceItemOf(this.client, this.tableName, pk)).holding.lots;
  }

  /**
   * Writes the notice unless an earlier visit did, or the customer was erased since the index was
   * read (the notice would land in a partition the erasure already listed), and counts it when
   * this one did.
   */
  private async tell(report: NoticeReport, notice: LedgerNotice | undefined): Promise<void> {
    if (notice === undefined) return;
    if (!(await putNoticeOnce(this.client, this.tableName, notice))) return;
    report.customers++;
    report.points += notice.points;
  }
}
