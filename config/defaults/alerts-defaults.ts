/** What the alarm notifications (`LoyaltyAlerts`; the stack config's `alarmEmails`) get when a setting is not given. */
import { noEntries } from "./no-entries";

export const ALERTS_DEFAULTS = {
  /** No e-mail subscriptions: the topic exists, and notifies nobody until one is added. */
  emails: noEntries,
} as const;
