/**
 * What a redemption keeps of its reward (title, kind, value as they were), so a retry answers
 * the same body whatever the catalogue did since. Its own file: ledger entries and the catalogue
 * both use it, and neither imports the other.
 */
import * as v from "valibot";

const count = v.pipe(v.number(), v.safeInteger());

export const RewardSnapshotSchema = v.object({
  title: v.string(),
  kind: v.picklist(["voucher", "free_shipping", "product"]),
  /** A voucher's worth at checkout, in minor units. */
  value: v.optional(v.object({ amount: count, currency: v.string() })),
});

export type RewardSnapshot = v.InferOutput<typeof RewardSnapshotSchema>;
