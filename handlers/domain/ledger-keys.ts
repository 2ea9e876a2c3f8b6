/**
 * Where each ledger fact lives in the single table. One partition per user keeps a user's
 * balance and entries together, so one transaction can write an entry and its balance change.
 */

/** Sort key of a user's balance item. It has no entry time, so it never shows in history. */
export const BALANCE_SK = "BALANCE";

export const userPk = (userId: string): string => `USER#${userId}`;

export const orderSk = (orderId: string): string => `ORDER#${orderId}`;

export const refundSk = (orderId: string, refundId: string): string =>
  `REFUND#${orderId}#${refundId}`;

export const redemptionSk = (redemptionId: string): string => `REDEEM#${redemptionId}`;

export const redemptionCancelSk = (redemptionId: string): string => `REDEEM#${redemptionId}#CANCEL`;

/**
 * The history index's sort key: the entry's business time, then its sort key, so entries
 * sort newest first and two entries at the same millisecond never collide.
 */
export const entryAt = (occurredAt: string, sk: string): string => `${occurredAt}#${sk}`;
