/**
 * The points lifecycle belongs to the ledger: `LoyaltyStore` (or the plain ref of an existing
 * table) carries it, and the writer (`LoyaltyIngest`) and the admin function (`LoyaltyApi`) both
 * read it from the store they are given, so one stack cannot give the two different lifecycles.
 * Checked with the stack config's schema, default and messages.
 */
import * as v from "valibot";
import { STORE_DEFAULTS } from "../config/defaults/store-defaults";
import { LifecycleSettingSchema } from "../config/ingest-settings";

const LedgerLifecycleSchema = v.optional(LifecycleSettingSchema, STORE_DEFAULTS.lifecycle);

/** What `LoyaltyStore` checks of its arguments. */
export const StoreArgsSchema = v.object({ lifecycle: LedgerLifecycleSchema }, "must be an object");

/** The `store` of `LoyaltyIngest` and `LoyaltyApi`, as they read it: its lifecycle. */
export const LedgerRefSchema = v.object({ lifecycle: LedgerLifecycleSchema }, "must be a LoyaltyStore or {tableName, tableArn, kmsKeyArn}");

/**
 * The `lifecycle` those two components once took each: refused, naming where it goes now, rather
 * than dropped without a word (a stack upgrading would silently lose its lifecycle).
 */
export const MovedLifecycleSchema = v.optional(
  v.undefined(
    "is the ledger's now: give it to the LoyaltyStore (or as the `lifecycle` of the table ref) that the ingest and the API share",
  ),
);
