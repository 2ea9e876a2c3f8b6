/**
 * How ledger entries look to the apps: signed points (what the entry did to the balance),
 * what caused it, and when it happened. Storage fields stay inside. Signed by what each did, the
 * points of a customer's history add up to balance + pending once every past day is settled.
 */
import type { LedgerEntry, ParkedRefundEntry, ReversalEntry } from "../domain/ledger-entries";
import type { HistoryItem } from "./answers";

/** What a refund took: the points that had already expired were not taken again; awaiting its order, nothing yet. */
function refundTook(entry: ParkedRefundEntry | ReversalEntry): number {
  const taken = entry.kind === "parked-refund" ? 0 : entry.points - (entry.notTaken ?? 0);
  return taken === 0 ? 0 : -taken;
}

export function historyItem(entry: LedgerEntry): HistoryItem {
  const { occurredAt } = entry;
  switch (entry.kind) {
    case "earn":
      return {
        type: "earn",
        orderId: entry.orderId,
        points: entry.points,
        reversedPoints: entry.reversedPoints,
        amount: { amount: entry.amount, currency: entry.currency },
        occurredAt,
        availableAt: entry.availableAt ?? null,
        expiresAt: entry.expiresAt ?? null,
      };
    case "parked-refund":
    case "reversal":
      return {
        type: "refund",
        orderId: entry.orderId,
        refundId: entry.refundId,
        points: refundTook(entry),
        amount: { amount: entry.amount, currency: entry.currency },
        occurredAt,
        ...(entry.kind === "parked-refund" ? { awaitingOrder: true as const } : {}),
      };
    case "expiry":
      return { type: "expiry", points: -entry.points, occurredAt };
    case "redemption":
      return { type: "redemption", redemptionId: entry.redemptionId, rewardId: entry.rewardId, points: -entry.points, occurredAt };
    case "redemption-cancel":
      // Points that came back to lots expired meanwhile stay expired: only the rest went back.
      return { type: "redemption-cancel", redemptionId: entry.redemptionId, points: entry.points - (entry.expiredPoints ?? 0), occurredAt };
    case "adjustment":
      // Who made it stays in the ledger: the apps see what changed and why.
      return {
        type: "adjustment",
        adjustmentId: entry.adjustmentId,
        points: entry.direction === "grant" ? entry.points : -entry.points,
        reason: entry.reason,
        occurredAt,
      };
  }
}
