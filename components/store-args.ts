/**
 * The points lifecycle and the tiers belong to the ledger: `LoyaltyStore` (or the plain ref of an
 * existing table) carries them, and the functions that need them (the lifecycle: the writer and
 * the admin function; the tiers: the writer, the reader and the settle) read them from the store
 * they are given, so one stack cannot give two functions different ones. Checked with the stack
 * config's schemas, defaults and messages.
 */
import * as v from "valibot";
import { STORE_DEFAULTS } from "../config/defaults/store-defaults";
import { LifecycleSettingSchema } from "../config/ingest-settings";
import { TiersSchema } from "../handlers/domain/tier-settings";

const LedgerLifecycleSchema = v.optional(LifecycleSettingSchema, STORE_DEFAULTS.lifecycle);

/** Absent: the ledger has no tiers. */
const LedgerTiersSchema = v.optional(TiersSchema);

/** What `LoyaltyStore` checks of its arguments. */
export const StoreArgsSchema = v.object({ lifecycle: LedgerLifecycleSchema, tiers: LedgerTiersSchema }, "must be an object");

/** The `store` of `LoyaltyIngest`, `LoyaltyApi` and `LoyaltySettle`, as they read it: its lifecycle and tiers. */
export const LedgerRefSchema = v.object(
  { lifecycle: LedgerLifecycleSchema, tiers: LedgerTiersSchema },
  "must be a LoyaltyStore or {tableName, tableArn, kmsKeyArn}",
);

/**
 * The `lifecycle` those two components once took each: refused, naming where it goes now, rather
 * than dropped without a word (a stack upgrading would silently lose its lifecycle).
 */
export const MovedLifecycleSchema = v.optional(
  v.undefined(
    "is the ledger's now: give it to the LoyaltyStore (or as the `lifecycle` of the table ref) that the ingest and the API share",
  ),
);
