/**
 * A refund parked before its order that the order contradicts when it lands (another currency)
 * is invalid, as it would have been had the order come first. Its own record was acknowledged
 * long ago, so it is told here, in a line shaped like an invalid record's (outcome `invalid`, the
 * refund's event id and the reason), with no message of its own to fail.
 */
import type { RejectedRefund } from "../domain/ledger-entries";
import { userIdOf } from "../domain/ledger-keys";
import type { Logger } from "../runtime/log";

export function reportRejectedRefunds(logger: Logger): (refund: RejectedRefund) => Promise<void> {
  return async (refund) => {
    logger.log("warn", "parked refund rejected", {
      eventId: refund.eventId,
      userId: userIdOf(refund.pk),
      orderId: refund.orderId,
      refundId: refund.refundId,
      outcome: "invalid",
      points: 0,
      reason: refund.reason,
    });
  };
}
