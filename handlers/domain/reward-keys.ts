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

/**
 * A free code's item, in its shard: present while the code can be handed out, deleted when it is.
 * Its key starts with a random slot given at upload, so a query of the free codes started at a
 * random slot lands anywhere among them, however alike the codes are (`HOT-000001`, …): redeemers
 * that load free codes at once start apart instead of all fighting for the first ones.
 */
export const FREE_CODE_SK_PREFIX = "FREE#";

/** The characters of a slot, in their sort order, and its length. */
export const SLOT_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
export const SLOT_LENGTH = 4;

/** A random slot (`random` in [0, 1)). */
export const randomSlot = (random: () => number): string =>
  Array.from({ length: SLOT_LENGTH }, () => SLOT_ALPHABET[Math.floor(random() * SLOT_ALPHABET.length)] ?? "0").join("");

export const freeCodeSk = (slot: string, code: string): string => `${FREE_CODE_SK_PREFIX}${slot}#${code}`;

/** The code a free item's sort key names. */
export const codeOfFreeSk = (sk: string): string => sk.slice(FREE_CODE_SK_PREFIX.length + SLOT_LENGTH + 1);

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
