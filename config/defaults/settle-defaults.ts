/**
 * What the daily settle (`LoyaltySettle`) gets when an argument is not given.
 */
import { EXPIRING_SOON_DAYS_DEFAULT } from "../../handlers/domain/lifecycle";
import { FUNCTION_DEFAULTS } from "./function-defaults";
import { noEntries } from "./no-entries";

export const SETTLE_DEFAULTS = {
  /** Pulumi `protect`s the queues holding messages (and the key that decrypts them): a destroy or a replacing change stops instead of losing them. */
  deletionProtection: true,
  /**
   * A quarter past midnight UTC, every day: lots expire at UTC midnights, so the day's expiries
   * are all due by then, and customers see the expiry entry in the morning.
   */
  scheduleExpression: "cron(15 0 * * ? *)",
  /** A month's notice of an expiry (`Points Expiring Soon`): time to spend the points. */
  expiringSoonDays: EXPIRING_SOON_DAYS_DEFAULT,
  /** Lambda's longest: a day with many expiries must not be cut short (a cut run resumes the next day anyway). */
  timeoutSeconds: 900,
  memoryMb: FUNCTION_DEFAULTS.memoryMb,
  logLevel: FUNCTION_DEFAULTS.logLevel,
  logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
  /** The alarms exist but notify nobody. */
  alarmActions: noEntries,
} as const;
