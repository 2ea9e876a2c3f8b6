/**
 * How ledger entries look to the apps: signed points (what the entry did to the balance),
 * what caused it, and when it happened. Storage fields stay inside.
 */
import type { LedgerEntry } from "../domain/ledger-entries";
import type { HistoryItem } from "./answers";

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
        points: -entry.points,
        amount: { amount: entry.amount, currency: entry.currency },
        occurredAt,
        ...(entry.kind === "parked-refund" ? { awaitingOrder: true as const } : {}),
      };
    case "expiry":
      return { type: "expiry", points: -entry.points, occurredAt };
    case "redemption":
      return { type: "redemption", redemptionId: entry.redemptionId, rewardId: entry.rewardId, points: -entry.points, occurredAt };
    case "redemption-cancel":
      return { type: "redemption-cancel", redemptionId: entry.redemptionId, points: entry.points, occurredAt };
    case "adjustment":
      // Who made it stays in the ledger: the apps see what changed and why.
      return { type: "adjustment", adjustmentId: entry.adjustmentId, points: entry.direction === "grant" ? entry.points : -entry.points, reason: entry.reason, occurredAt };
  }
}
