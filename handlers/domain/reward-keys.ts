/**
 * Where the rewards catalogue lives in the ledger's one table. The definitions share one
 * partition, so listing the catalogue is one query on a known key (no scan); each reward's
 * units (stock or codes) are spread over shards of their own, so redemptions of a hot reward
 * write to many items instead of queueing on one.
 */
/** The catalogue's partition: one item per reward, read one by one or listed by a query. */
export const CATALOGUE_PK = "CATALOGUE";

/** What every catalogue item's sort key starts with. */
export const REWARD_SK_PREFIX = "REWARD#";

export const catalogueKey = (rewardId: string) => ({ pk: CATALOGUE_PK, sk: `${REWARD_SK_PREFIX}${rewardId}` });

/** What every shard partition of a reward starts with (IAM conditions on leading keys use it too). */
export const REWARD_PK_PREFIX = "REWARD#";

/**
 * Shards of a reward's units: a redemption's transaction claims a unit in one of them, so at
 * most this many redemptions of one reward commit at once without conflicting on an item.
 */
export const REWARD_SHARDS = 16;

export const rewardShardPk = (rewardId: string, shard: number): string => `${REWARD_PK_PREFIX}${rewardId}#${shard}`;

/** The shard's counter: units left (free codes, or stock) and units ever handed out. */
export const UNITS_SK = "UNITS";

/** A free code's item, in its shard: present while the code can be handed out, deleted when it is. */
export const FREE_CODE_SK_PREFIX = "FREE#";

export const freeCodeSk = (code: string): string => `${FREE_CODE_SK_PREFIX}${code}`;

/** A code's own item, kept for good: it makes a code known once (upload) and voided for good (cancel). */
export const codeSk = (code: string): string => `CODE#${code}`;

/** The shard a code lives in: fixed by the code, so its own item is found without a read. */
export function codeShardOf(code: string, shards: number): number {
  let hash = 0x811c9dc5; // FNV-1a, as the day indexes spread users
  for (const char of code) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash % shards;
}

/**
 * A customer's count of redemptions of one reward, in the customer's own partition: the
 * redemption's transaction holds it to `perCustomerLimit`, and an erasure deletes it with the rest.
 * It has no entry time, so it never shows in history.
 */
export const customerRewardSk = (rewardId: string): string => `${REWARD_SK_PREFIX}${rewardId}`;
