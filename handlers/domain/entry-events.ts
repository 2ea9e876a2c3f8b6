/**
 * Ledger change → points event: the one rule that decides what the loyalty program publishes,
 * used by the stack's stream publisher and the local runtime alike.
 *
 * The ledger is the source of truth, so events come from its changes, never from the handlers'
 * code paths: an event is published exactly when an entry appears. A redelivered input event
 * writes no entry (the ledger's `attribute_not_exists`), so it publishes nothing.
 * - A new entry (INSERT) publishes its event — except a parked refund, which moves no points
 *   until its order lands.
 * - A parked refund turned into its reversal (MODIFY, `parked-refund` → `reversal`) publishes
 *   `Points Reversed` then, once.
 * - A new notice of the daily settle (INSERT) publishes `Points Released` or `Points Expiring
 *   Soon`: notices are keyed by their day, so a settle that runs twice writes, and publishes, once.
 * - A new tier notice (INSERT) publishes `Tier Changed` or `Tier Expiring Soon`: written once, by
 *   whichever write recorded the change (see `tier-notices.ts`).
 * - A customer's erasure tombstone (INSERT) publishes `Points Erased`, with the digest it is keyed
 *   by, never the id.
 * - Every other change publishes nothing: the balance item, the day indexes, an earn entry whose
 *   running refund totals or release date change (the reversal or the change of date is its own
 *   fact), a removal.
 */
import * as v from "valibot";
import { CorruptLedgerItemError } from "./errors";
import { LedgerEntrySchema, type LedgerEntry } from "./ledger-entries";
import { TombstoneSchema } from "./erasure";
import { LedgerNoticeSchema, type LedgerNotice } from "./ledger-notices";
import { TierNoticeSchema, type TierNotice } from "./tier-notices";
import { ERASED_PK_PREFIX, TOMBSTONE_SK, USER_PK_PREFIX } from "./ledger-keys";
import { POINTS_DETAIL_TYPES, type PointsEvent, type PointsMovedEvent, type TierEvent } from "./points-events";

/** One item change as a table's stream reports it, with its images already read into plain values. */
export interface LedgerChange {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

const looksLikeEntry = (item: Record<string, unknown> | undefined): item is Record<string, unknown> =>
  item !== undefined && typeof item.kind === "string" && typeof item.entryAt === "string";

/** Notices have a `kind` and no `entryAt`: they stay out of the history. */
const looksLikeNotice = (item: Record<string, unknown> | undefined): item is Record<string, unknown> =>
  item !== undefined && typeof item.kind === "string" && item.entryAt === undefined;

/**
 * An item that claims to be an entry or a notice (it has a `kind`) but does not read as one is an
 * error, not silence: publishing nothing would lose a change, so its batch is retried and then
 * parked.
 */
function readItem<T>(schema: v.GenericSchema<unknown, T>, item: Record<string, unknown>, what: string): T {
  const parsed = v.safeParse(schema, item);
  if (parsed.success) return parsed.output;
  const where = `${String(item.pk)} ${String(item.sk)}`;
  throw new CorruptLedgerItemError(`ledger item ${where} has a kind but is no ${what}: ${parsed.issues[0].message}`);
}

const readEntry = (item: Record<string, unknown>): LedgerEntry => readItem(LedgerEntrySchema, item, "entry");

/** The entry's stable id: its key, which no other entry ever has and every redelivery repeats. */
export const entryIdOf = (entry: { pk: string; sk: string }): string => `${entry.pk}/${entry.sk}`;

const userIdOf = (pk: string): string => (pk.startsWith(USER_PK_PREFIX) ? pk.slice(USER_PK_PREFIX.length) : pk);

/** The event of an entry that moved points; undefined for a parked refund, which moved none. */
export function eventOfEntry(entry: LedgerEntry): PointsMovedEvent | undefined {
  const common = { entryId: entryIdOf(entry), userId: userIdOf(entry.pk), points: entry.points, occurredAt: entry.occurredAt };
  const time = entry.recordedAt;
  switch (entry.kind) {
    case "earn":
      return {
        detailType: POINTS_DETAIL_TYPES.earned,
        time,
        detail: {
          ...common,
          orderId: entry.orderId,
          amount: { amount: entry.amount, currency: entry.currency },
          availableAt: entry.availableAt ?? null,
          expiresAt: entry.expiresAt ?? null,
        },
      };
    case "reversal":
      return {
        detailType: POINTS_DETAIL_TYPES.reversed,
        time,
        // The points taken back: those that had already expired were not taken again.
        detail: {
          ...common,
          points: entry.points - (entry.notTaken ?? 0),
          orderId: entry.orderId,
          refundId: entry.refundId,
          amount: { amount: entry.amount, currency: entry.currency },
        },
      };
    case "parked-refund":
      return undefined;
    case "redemption":
      return {
        detailType: POINTS_DETAIL_TYPES.redeemed,
        time,
        detail: { ...common, redemptionId: entry.redemptionId, rewardId: entry.rewardId },
      };
    case "redemption-cancel":
      return {
        detailType: POINTS_DETAIL_TYPES.redemptionCancelled,
        time,
        // The points given back to live lots; those whose lots expired meanwhile stay expired, told apart.
        detail: {
          ...common,
          points: entry.points - (entry.expiredPoints ?? 0),
          redemptionId: entry.redemptionId,
          rewardId: entry.rewardId ?? null,
          code: entry.code ?? null,
          expiredPoints: entry.expiredPoints ?? 0,
        },
      };
    case "expiry":
      return { detailType: POINTS_DETAIL_TYPES.expired, time, detail: { ...common, day: entry.day } };
    case "adjustment":
      return {
        detailType: POINTS_DETAIL_TYPES.adjusted,
        time,
        detail: {
          ...common,
          adjustmentId: entry.adjustmentId,
          direction: entry.direction,
          reason: entry.reason,
          expiresAt: entry.expiresAt ?? null,
        },
      };
    default:
      // A kind added to the ledger without its event fails the type check here, not in production.
      return unpublished(entry);
  }
}

function unpublished(entry: never): never {
  throw new CorruptLedgerItemError(`ledger entry ${JSON.stringify(entry)} has a kind no event is defined for`);
}

/** The event of a settle's notice. */
export function eventOfNotice(notice: LedgerNotice): PointsMovedEvent {
  const common = { entryId: entryIdOf(notice), userId: userIdOf(notice.pk), points: notice.points, occurredAt: notice.occurredAt };
  const time = notice.recordedAt;
  switch (notice.kind) {
    case "release":
      return { detailType: POINTS_DETAIL_TYPES.released, time, detail: { ...common, expiresAt: notice.expiresAt ?? null } };
    case "expiring-soon":
      return { detailType: POINTS_DETAIL_TYPES.expiringSoon, time, detail: { ...common, expiresAt: notice.expiresAt } };
  }
}

/** Every notice: the settle's points notices and the tiers'. */
const NoticeSchema = v.variant("kind", [...LedgerNoticeSchema.options, ...TierNoticeSchema.options]);

/** The event of a tier notice: a level moves no points, so it carries none. */
export function eventOfTierNotice(notice: TierNotice): TierEvent {
  const common = { entryId: entryIdOf(notice), userId: userIdOf(notice.pk) };
  const time = notice.recordedAt;
  switch (notice.kind) {
    case "tier-changed":
      return {
        detailType: POINTS_DETAIL_TYPES.tierChanged,
        time,
        detail: { ...common, from: notice.from, to: notice.to, direction: notice.direction, effectiveAt: notice.effectiveAt },
      };
    case "tier-expiring-soon":
      return {
        detailType: POINTS_DETAIL_TYPES.tierExpiringSoon,
        time,
        detail: { ...common, tier: notice.tier, until: notice.until, pointsToKeep: notice.pointsToKeep },
      };
  }
}

/** The event of any notice. */
function eventOfAnyNotice(notice: LedgerNotice | TierNotice): PointsEvent {
  return notice.kind === "tier-changed" || notice.kind === "tier-expiring-soon" ? eventOfTierNotice(notice) : eventOfNotice(notice);
}

/** The event of a new tombstone: the points that left the books with the erased customer. */
function erasureEvent(item: Record<string, unknown>): PointsEvent {
  const tombstone = v.parse(TombstoneSchema, item);
  return {
    detailType: POINTS_DETAIL_TYPES.erased,
    time: tombstone.erasedAt,
    detail: {
      entryId: entryIdOf(tombstone),
      customerDigest: tombstone.pk.slice(ERASED_PK_PREFIX.length),
      points: tombstone.pointsRemoved,
      occurredAt: tombstone.erasedAt,
    },
  };
}

const isTombstone = (item: Record<string, unknown> | undefined): item is Record<string, unknown> =>
  typeof item?.pk === "string" && item.pk.startsWith(ERASED_PK_PREFIX) && item.sk === TOMBSTONE_SK;

/** What one ledger change publishes: one event, or none. */
export function eventOfChange(change: LedgerChange): PointsEvent | undefined {
  const { eventName, newImage, oldImage } = change;
  if (eventName === "INSERT" && isTombstone(newImage)) return erasureEvent(newImage);
  if (eventName === "INSERT" && looksLikeNotice(newImage)) return eventOfAnyNotice(readItem(NoticeSchema, newImage, "notice"));
  if (!looksLikeEntry(newImage)) return undefined;
  if (eventName === "INSERT") return eventOfEntry(readEntry(newImage));
  if (eventName === "MODIFY" && oldImage?.kind === "parked-refund" && newImage.kind === "reversal")
    return eventOfEntry(readEntry(newImage));
  return undefined;
}
