/**
 * Erasure: a customer's right to be forgotten. Everything the ledger holds about them goes; what
 * stays is a tombstone keyed by a digest of the id (`erasedPk`), which holds no personal data and
 * lets the ledger drop the customer's later or replayed events.
 */
import * as v from "valibot";
import { SafeCountSchema } from "./ledger-entries";
import { viewAt, type Holding } from "./lots";

/** The tombstone as stored: when the customer was erased, and the points that went with them. */
export const TombstoneSchema = v.object({
  pk: v.string(),
  sk: v.string(),
  erasedAt: v.string(),
  /** Outstanding (spendable and pending) points at the erasure, for the liability's books. */
  pointsRemoved: SafeCountSchema,
});

export type Tombstone = v.InferOutput<typeof TombstoneSchema>;

/** Points the customer still held at `now`: spendable (after debt) and pending, never below zero. */
export function outstandingPoints(holding: Holding, now: number): number {
  const view = viewAt(holding, now);
  return Math.max(view.balance + view.pending, 0);
}
