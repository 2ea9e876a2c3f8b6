/**
 * What a tier write puts beside the balance item, in the same transaction:
 * - the notice of each level change it records (`Tier Changed`), put once by condition;
 * - the tier index item of the day a period it starts ends (`TIERENDS#<day>#<shard>`), so the
 *   settle of that day recomputes the level (kept or lowered) and warns of it before: only when
 *   the held period's end changed, so an order of a customer whose period is unchanged adds
 *   nothing (the day is also kept on the balance item, `tierEnds`, for an erasure to find);
 * - the release index item of the midnight a new bucket starts counting at, when no lot is
 *   released that day (points spendable at once, a backfill, a close processed late): the settle
 *   visits the customer then and records a rise at its instant. A lot pending until the same
 *   midnight puts that item already; it is not put twice.
 */
import { dayOf } from "../domain/lifecycle";
import { indexShardOf, tierIndexPk, userIdOf } from "../domain/ledger-keys";
import { listingUpdate, releaseIndexPut } from "./day-indexes";
import type { TierWrite } from "./tier-item";
import { named, putNewEntry, type NamedItem, type TransactItem } from "./transactions";
import { isoAt } from "../domain/timestamp";

/** The key an action writes, to tell two actions on one item apart (a transaction may not hold both). */
function keyOf(item: TransactItem): string | undefined {
  const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key;
  return key && `${String(key.pk)} ${String(key.sk)}`;
}

/** The tier index item listing customer `pk` on the day their period ends at `until`. */
export const tierIndexUpdate = (tableName: string, pk: string, until: number, writtenAt: string): TransactItem =>
  listingUpdate(tableName, tierIndexPk(dayOf(until), indexShardOf(userIdOf(pk))), pk, writtenAt);

/**
 * The items of `tier` written by the customer `pk` at `writtenAt`, none of them an item of
 * `alongside` (the other index items of the same transaction).
 */
export function tierWriteItems(
  tableName: string,
  pk: string,
  tier: TierWrite | undefined,
  writtenAt: string,
  alongside: readonly TransactItem[] = [],
): NamedItem<"tierNotices" | "tierIndexes">[] {
  if (tier === undefined) return [];
  const taken = new Set(alongside.map(keyOf));
  const indexes = [
    ...(tier.periodEnd === undefined ? [] : [tierIndexUpdate(tableName, pk, tier.periodEnd, writtenAt)]),
    ...tier.releases.flatMap((release) => releaseIndexPut(tableName, { pk, availableAt: isoAt(release) }, writtenAt)),
  ].filter((item) => !taken.has(keyOf(item)));
  return [
    ...named(
      "tierNotices",
      tier.notices.map((notice) => putNewEntry(tableName, notice)),
    ),
    ...named("tierIndexes", indexes),
  ];
}
