/**
 * Where each ledger fact lives in the single table. One partition per user keeps a user's
 * balance and entries together, so one transaction can write an entry and its balance change.
 */
import { createHash } from "node:crypto";

/** Sort key of a user's balance item. It has no entry time, so it never shows in history. */
export const BALANCE_SK = "BALANCE";

/** What every customer's partition key starts with (IAM conditions on leading keys use it too). */
export const USER_PK_PREFIX = "USER#";

export const userPk = (userId: string): string => `${USER_PK_PREFIX}${userId}`;

/** The user id a customer partition key names. */
export const userIdOf = (pk: string): string => pk.slice(USER_PK_PREFIX.length);

/**
 * What the sort key of each kind of entry that shows in a customer's history starts with. A
 * history cursor names an entry by its sort key, so the cursor check takes its prefixes from
 * here: a new kind of entry is added once, and its cursors are good at once.
 */
export const HISTORY_SK_PREFIXES = {
  order: "ORDER#",
  refund: "REFUND#",
  expiry: "EXPIRY#",
  redemption: "REDEEM#",
  adjustment: "ADJUST#",
} as const;

export const orderSk = (orderId: string): string => `${HISTORY_SK_PREFIXES.order}${orderId}`;

export const refundSk = (orderId: string, refundId: string): string => `${HISTORY_SK_PREFIXES.refund}${orderId}#${refundId}`;

/** The note of what of an order arrived before it (a refund, its return window's close). */
export const earlySk = (orderId: string): string => `EARLY#${orderId}`;

/**
 * A customer's expiry entry of one day. A lot of a day already settled reappeared on the balance
 * item only when an order older than its expiry was added to it (a backfill, before such an order
 * expired in its own write); its expiry is a second entry of the day, told apart by when it was
 * settled.
 */
export const expirySk = (day: string, settledAt?: string): string =>
  settledAt === undefined ? `${HISTORY_SK_PREFIXES.expiry}${day}` : `${HISTORY_SK_PREFIXES.expiry}${day}#${settledAt}`;

/**
 * The expiry entry of an order processed after its lot had expired: it expires in the write that
 * credits it, under a key of its own (by the order, so its duplicate writes nothing), and never
 * joins the points of that lot that expired before it.
 */
export const orderExpirySk = (day: string, orderId: string): string => `${expirySk(day)}#${orderSk(orderId)}`;

/**
 * The day indexes: who has a lot expiring (`EXPIRES#`) or released (`RELEASES#`) on a day, so the
 * daily settle visits exactly them. Each day is spread over shards so that a day when many
 * customers' lots change is not one hot partition. Index items carry no entry time, so they
 * never show in any history.
 */
export const DAY_INDEX_SHARDS = 16;

/** What every expiry index partition key starts with. */
export const EXPIRY_INDEX_PK_PREFIX = "EXPIRES#";

export const expiryIndexPk = (day: string, shard: number): string => `${EXPIRY_INDEX_PK_PREFIX}${day}#${shard}`;

/** What every release index partition key starts with. */
export const RELEASE_INDEX_PK_PREFIX = "RELEASES#";

export const releaseIndexPk = (day: string, shard: number): string => `${RELEASE_INDEX_PK_PREFIX}${day}#${shard}`;

/**
 * The tier index: who holds a level whose period ends (`until`) on a day, so the settle of that
 * day recomputes it (kept or lowered) and warns of it `expiringSoonDays` before, with no scan.
 */
export const TIER_INDEX_PK_PREFIX = "TIERENDS#";

export const tierIndexPk = (day: string, shard: number): string => `${TIER_INDEX_PK_PREFIX}${day}#${shard}`;

/** A user's shard of the day indexes: stable, and even across users. */
export function indexShardOf(userId: string): number {
  let hash = 0x811c9dc5; // FNV-1a: small, stable, good enough to spread ids
  for (const char of userId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash % DAY_INDEX_SHARDS;
}

/**
 * A customer's notice that their lots of `day` became spendable: one per release day. An order
 * whose return window's close is processed after the midnight it releases at is told by a notice
 * of its own, keyed by the order too, written with the close.
 */
export const releaseSk = (day: string, orderId?: string): string =>
  orderId === undefined ? `RELEASE#${day}` : `RELEASE#${day}#${orderId}`;

/** A customer's notice that their lots expiring on `expiresDay` expire soon: one per expiry day. */
export const expiringSoonSk = (expiresDay: string): string => `EXPIRING#${expiresDay}`;

/**
 * A customer's notice that their level changed at `effectiveAt` to the level `level` (an index
 * into the settings' levels): a level changes at most once per instant and level, so the change
 * names its notice.
 */
export const tierChangedSk = (effectiveAt: string, level: number): string => `TIER#${effectiveAt}#${level}`;

/** A customer's notice that the level whose period ends at `until` will not be kept then: one per period. */
export const tierExpiringSoonSk = (until: string): string => `TIER-EXPIRING#${until}`;

export const redemptionSk = (redemptionId: string): string => `${HISTORY_SK_PREFIXES.redemption}${redemptionId}`;

export const adjustmentSk = (adjustmentId: string): string => `${HISTORY_SK_PREFIXES.adjustment}${adjustmentId}`;

/** What every erasure tombstone's partition key starts with. */
export const ERASED_PK_PREFIX = "ERASED#";

/** Sort key of a tombstone, the one item of its partition. */
export const TOMBSTONE_SK = "TOMBSTONE";

/**
 * An erased customer's tombstone: keyed by the SHA-256 of the id, so the ledger can still
 * recognise the customer's later events without holding the id in clear.
 */
export const erasedPk = (userId: string): string => `${ERASED_PK_PREFIX}${createHash("sha256").update(userId).digest("hex")}`;

export const redemptionCancelSk = (redemptionId: string): string => `${redemptionSk(redemptionId)}#CANCEL`;

/**
 * The history index's sort key: the entry's business time, then its sort key, so entries
 * sort newest first and two entries at the same millisecond never collide.
 */
export const entryAt = (occurredAt: string, sk: string): string => `${occurredAt}#${sk}`;
