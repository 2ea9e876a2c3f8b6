/**
 * The settle's part in the tiers: it visits a customer on the days their level can change with no
 * order event — a release midnight (the release index, visited for the release notices already)
 * and a period's end (the tier index, `TIERENDS#<day>#<shard>`, put by whatever write starts the
 * period) — rolls the tier state forward to the run's instant and, when that records a change or
 * starts a period, writes it with the notices of its changes (`Tier Changed`) and the tier index
 * item of the new period's end, in one transaction conditioned on the tier version read. A credit
 * or refund that recorded the change first leaves nothing to write: the change is told once.
 * `expiringSoonDays` before a period's end it warns (`Tier Expiring Soon`) when the points still
 * in the window then would not keep the level, once per period.
 *
 * Cost per customer visited: one consistent read of the balance item (none more on a release day:
 * the release notice's read is planned from); one transaction only when
 * something is recorded (the balance item, a notice per change, the next period's index item,
 * the tombstone check) or warned (the notice and the tombstone check); the index item's delete or
 * mark. Never a scan: the indexes are queried a shard at a time.
 */
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tierIndexPk } from "../domain/ledger-keys";
import { DAY_MS, dayOf, midnightOf } from "../domain/lifecycle";
import { tierExpiringSoonNotice } from "../domain/tier-notices";
import { tierInstant } from "../domain/tier-orders";
import type { Tiers } from "../domain/tier-settings";
import { advance, heldPeriod } from "../domain/tier-state";
import { AGAIN, RetriesExhaustedError, retrying } from "../runtime/retry";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { EVENT_RETRY } from "./busy-retry";
import { walkDayIndex } from "./day-index-walk";
import { tierBookOf, tierWrite } from "./tier-item";
import { tierWriteItems } from "./tier-write-items";
import { notErasedCheck } from "./tombstones";
import { balanceItemOf, markWarned, putNoticeOnce, WARNED } from "./settle-notices";
import { failed, transactWrite } from "./transactions";

/** What one day did to the tiers. */
export interface TierSettleReport {
  /** Level changes this run recorded (each told by one `Tier Changed`). */
  changes: number;
  /** Customers warned their level will not be kept (`Tier Expiring Soon`), and of which day's period ends. */
  expiringSoon: { untilDay: string | null; customers: number };
}

export class DynamoTierSettle {
  private readonly balances: BalanceUpdates;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly tiers: Tiers,
  ) {
    this.balances = balanceUpdates(tableName);
  }

  /**
   * Rolls customer `pk`'s tier state forward to `now` and writes it when that records a level
   * change or starts a period; returns the changes recorded (0 when another write recorded them
   * first) and when the period held then ends. `read`: the balance item as the caller just read it
   * (consistently), planned from on the first try instead of reading it again.
   */
  async rollForward(
    pk: string,
    now: Date,
    read?: { item: Record<string, unknown> | undefined },
  ): Promise<{ changes: number; until: number | null }> {
    const { tiers } = this;
    let given = read;
    return retrying<{ changes: number; until: number | null }>(
      EVENT_RETRY,
      async () => {
        const Item = given?.item ?? (await balanceItemOf(this.client, this.tableName, pk));
        given = undefined;
        if (Item === undefined) return { changes: 0, until: null };
        const before = tierBookOf(Item);
        const state = advance(tiers, before, tierInstant(before, now.getTime()));
        const recordedAt = now.toISOString();
        const write = tierWrite(tiers, pk, Item, { state, buckets: before.buckets }, recordedAt);
        const until = heldPeriod(state).until;
        if (write.notices.length === 0 && write.periodEnd === undefined) return { changes: 0, until };
        const result = await transactWrite(this.client, [
          { name: "balance", item: this.balances.moveTiers(pk, recordedAt, write).action },
          ...tierWriteItems(this.tableName, pk, write, recordedAt),
          { name: "notErased", item: notErasedCheck(this.tableName, pk) },
        ]);
        if (result.written) return { changes: write.notices.length, until };
        if (failed(result, "notErased")) return { changes: 0, until: null };
        // Another write moved the tiers since the read (it may have recorded the same change): read again.
        return AGAIN;
      },
      { exhausted: (tries) => new RetriesExhaustedError(`the tiers of ${pk} kept changing over ${tries} settle attempts`) },
    );
  }

  /**
   * Every customer the tier index lists for `day`: their period ends then, so the level is kept
   * (a new period, indexed on its own end's day) or lowered. An item whose period has not ended
   * yet at `now` (a period returned to by a refund ends at the refund's time of day) stays for
   * the next run, which covers the days before it too.
   */
  async periodEnds(day: string, now: Date): Promise<number> {
    let changes = 0;
    for await (const item of walkDayIndex(this.client, this.tableName, { shardPk: (shard) => tierIndexPk(day, shard) })) {
      const rolled = await this.rollForward(item.sk, now);
      changes += rolled.changes;
      if (rolled.until !== null && rolled.until > now.getTime() && dayOf(rolled.until) === day) continue;
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    return changes;
  }

  /**
   * Warns, on `day`, every customer whose period ends `daysBefore` days later and whose points
   * still in the window then would not keep the level; marks the index item so later runs skip
   * it. The notice is keyed by the period's end: told once per period.
   */
  async warnDay(day: string, daysBefore: number, now: Date): Promise<TierSettleReport["expiringSoon"]> {
    if (daysBefore === 0) return { untilDay: null, customers: 0 };
    const untilDay = dayOf(midnightOf(day) + daysBefore * DAY_MS);
    const report = { untilDay, customers: 0 };
    for await (const item of walkDayIndex(this.client, this.tableName, {
      shardPk: (shard) => tierIndexPk(untilDay, shard),
      unless: WARNED,
    })) {
      const Item = await balanceItemOf(this.client, this.tableName, item.sk);
      const book = tierBookOf(Item);
      const notice = Item && tierExpiringSoonNotice(this.tiers, item.sk, book, day, untilDay, tierInstant(book, now.getTime()));
      if (notice !== undefined && (await putNoticeOnce(this.client, this.tableName, notice))) report.customers++;
      await markWarned(this.client, this.tableName, item, now);
    }
    return report;
  }
}
