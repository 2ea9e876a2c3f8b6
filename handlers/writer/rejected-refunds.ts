/**
 * A refund parked before its order that the order contradicts when it lands (another currency)
 * is invalid, as it would have been had the order come first. Its own message was acknowledged
 * long ago, so the writer does for it what the queue does for an invalid message: the event goes
 * to the queue's DLQ, with the reason, where the DLQ's alarm gets it looked at. It is also logged
 * in a line shaped like an invalid record's (outcome `invalid`, the refund's event id, the reason).
 * Both happen before the rejection is written, so a failure leaves the refund parked and the
 * order's message to be delivered again: told at least once.
 */
import { DETAIL_TYPES } from "../domain/contract";
import { refundOf, type RejectedRefund } from "../domain/ledger-entries";
import { userIdOf } from "../domain/ledger-keys";
import type { Logger } from "../runtime/log";

/** Sends an event body to the DLQ with why it is there. */
export type DeadLetters = (body: string, reason: string) => Promise<void>;

/**
 * The refund's event as the writer read it, so that a redrive gives the writer what the platform
 * sent (and the writer then answers it `duplicate`: it was judged already).
 */
export function rejectedRefundEvent(refund: RejectedRefund): Record<string, unknown> {
  const userId = userIdOf(refund.pk);
  const { source, account } = refund;
  return {
    id: refund.eventId,
    "detail-type": DETAIL_TYPES.orderRefunded,
    ...(source === undefined ? {} : { source }),
    ...(account === undefined ? {} : { account }),
    detail: refundOf(refund, userId),
  };
}

export function reportRejectedRefunds(logger: Logger, deadLetters?: DeadLetters): (refund: RejectedRefund) => Promise<void> {
  return async (refund) => {
    await deadLetters?.(JSON.stringify(rejectedRefundEvent(refund)), refund.reason);
    logger.log("warn", "parked refund rejected", {
      eventId: refund.eventId,
      userId: userIdOf(refund.pk),
      orderId: refund.orderId,
      refundId: refund.refundId,
      outcome: "invalid",
      points: 0,
      reason: refund.reason,
      deadLettered: deadLetters !== undefined,
    });
  };
}
