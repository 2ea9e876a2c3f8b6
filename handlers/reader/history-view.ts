/**
 * How ledger entries look to the apps: signed points (what the entry did to the balance),
 * the money behind them, and when it happened. Storage fields stay inside.
 */
import type { LedgerEntry } from "../domain/ledger-entries";

export type HistoryItem =
  | {
      type: "earn";
      orderId: string;
      points: number;
      /** Points of this order since taken back by refunds. */
      reversedPoints: number;
      amount: { amount: number; currency: string };
      occurredAt: string;
    }
  | {
      type: "refund";
      orderId: string;
      refundId: string;
      points: number;
      amount: { amount: number; currency: string };
      occurredAt: string;
    };

export function historyItem(entry: LedgerEntry): HistoryItem {
  const amount = { amount: entry.amount, currency: entry.currency };
  return entry.kind === "earn"
    ? {
        type: "earn",
        orderId: entry.orderId,
        points: entry.points,
        reversedPoints: entry.reversedPoints,
        amount,
        occurredAt: entry.occurredAt,
      }
    : {
        type: "refund",
        orderId: entry.orderId,
        refundId: entry.refundId,
        points: -entry.points,
        amount,
        occurredAt: entry.occurredAt,
      };
}
