import { IMMEDIATE } from "../../handlers/domain/lifecycle";

/** What the ledger (`LoyaltyStore`; the stack config's `deletionProtection` and `lifecycle`) gets when a setting is not given. */
export const STORE_DEFAULTS = {
  /** Points are spendable at once and never expire (the loop stays immediate for developers). */
  lifecycle: IMMEDIATE,
  /** DynamoDB refuses to delete the table, and Pulumi `protect`s it and its key. */
  deletionProtection: true,
  /** Continuous backups, restorable to any second of the last 35 days. */
  pointInTimeRecovery: true,
} as const;
