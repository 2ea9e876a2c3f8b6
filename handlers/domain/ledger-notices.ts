/**
 * The ledger's notices: what the daily settle tells a customer without moving any points — the
 * points of a release day became spendable, or the points of an expiry day expire soon. A
 * notice is keyed by its day (`RELEASE#<day>`, `EXPIRING#<expiresDay>`), so it is written once
 * however often the settle visits, and it is published like any entry. It has no entry time, so
 * it stays out of the customer's history: the history shows what changed the balance, and a
 * release or a warning changes none (the balance answer already shows `pending`, `nextRelease`
 * and `nextExpiry` exactly).
 */
import * as v from "valibot";
import { SafeCountSchema } from "./ledger-entries";
import { expiringSoonSk, releaseSk } from "./ledger-keys";
import { DAY_MS, dayOf, midnightOf } from "./lifecycle";
import { isExpired, type Lot } from "./lots";
import { isoAt } from "./timestamp";

const noticeBase = {
  pk: v.string(),
  sk: v.string(),
  /** The points told about: what the lots held when the settle read them. */
  points: SafeCountSchema,
  /** Those lots, by attribute, and what each held. */
  lots: v.record(v.string(), SafeCountSchema),
  /** The business time: the midnight the notice is about (the release; the notice's day). */
  occurredAt: v.string(),
  /** When the settle wrote it. */
  recordedAt: v.string(),
};

export const ReleaseNoticeSchema = v.object({
  ...noticeBase,
  kind: v.literal("release"),
  /** The day the lots became spendable. */
  day: v.string(),
  /** The earliest expiry of the released points; absent: they never expire. */
  expiresAt: v.optional(v.string()),
});

export const ExpiringSoonNoticeSchema = v.object({
  ...noticeBase,
  kind: v.literal("expiring-soon"),
  /** The day the lots expire (at its midnight). */
  day: v.string(),
  expiresAt: v.string(),
});

export const LedgerNoticeSchema = v.variant("kind", [ReleaseNoticeSchema, ExpiringSoonNoticeSchema]);

export type ReleaseNotice = v.InferOutput<typeof ReleaseNoticeSchema>;
export type ExpiringSoonNotice = v.InferOutput<typeof ExpiringSoonNoticeSchema>;
export type LedgerNotice = v.InferOutput<typeof LedgerNoticeSchema>;

const held = (lots: readonly Lot[]) => ({
  points: lots.reduce((sum, lot) => sum + lot.points, 0),
  lots: Object.fromEntries(lots.map((lot) => [lot.attribute, lot.points])),
});

/**
 * The notice of the lots a customer holds that were released on `day`; undefined when none holds
 * points at `now` (all refunded, moved to an earlier release by a closed return window, or
 * expired already when a late settle gets to them).
 */
export function releaseNotice(pk: string, day: string, lots: readonly Lot[], now: number): ReleaseNotice | undefined {
  const released = lots.filter((lot) => lot.availableDay === day && lot.points > 0 && !isExpired(lot, now));
  if (released.length === 0) return undefined;
  const expiries = released.flatMap((lot) => (lot.expiresDay === null ? [] : [midnightOf(lot.expiresDay)]));
  return {
    pk,
    sk: releaseSk(day),
    kind: "release",
    day,
    ...held(released),
    ...(expiries.length > 0 ? { expiresAt: isoAt(Math.min(...expiries)) } : {}),
    occurredAt: isoAt(midnightOf(day)),
    recordedAt: isoAt(now),
  };
}

/**
 * The notice of an order's points released by its return window's close, when the close is
 * processed after the midnight it releases them at: they are spendable at once, with no day
 * left for the settle to tell them on. Keyed by the order, so it never meets the day's notice.
 */
export function lateReleaseNotice(pk: string, orderId: string, lot: Lot, now: number): ReleaseNotice | undefined {
  if (lot.availableDay === null) return undefined;
  const notice = releaseNotice(pk, lot.availableDay, [lot], now);
  return notice && { ...notice, sk: releaseSk(lot.availableDay, orderId) };
}

/**
 * The notice, on `noticeDay`, of the lots a customer holds that expire `daysBefore` days later;
 * undefined when none still holds points at `now` (spent, refunded, or already expired).
 */
export function expiringSoonNotice(
  pk: string,
  noticeDay: string,
  daysBefore: number,
  lots: readonly Lot[],
  now: number,
): ExpiringSoonNotice | undefined {
  const expiresAt = midnightOf(noticeDay) + daysBefore * DAY_MS;
  const day = dayOf(expiresAt);
  const expiring = lots.filter((lot) => lot.expiresDay === day && lot.points > 0 && !isExpired(lot, now));
  if (expiring.length === 0) return undefined;
  return {
    pk,
    sk: expiringSoonSk(day),
    kind: "expiring-soon",
    day,
    ...held(expiring),
    expiresAt: isoAt(expiresAt),
    occurredAt: isoAt(midnightOf(noticeDay)),
    recordedAt: isoAt(now),
  };
}
