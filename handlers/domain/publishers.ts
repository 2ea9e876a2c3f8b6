/**
 * Who may mint points: only events published by Otrium's platform. The rule's pattern already
 * admits only the configured `source` and publisher accounts; the writer checks again, so a
 * message that reaches the queue another way (a redrive of something foreign, a changed rule)
 * still cannot credit anyone.
 */
import type { LoyaltyEvent } from "./contract";

export interface Publishers {
  /** The `source` events must carry; any when absent. */
  source?: string;
  /** The 12-digit accounts events may come from; any when absent (unit tests, the local runtime). */
  accounts?: readonly string[];
}

/** Why `event` may not earn or reverse points, or `undefined` when its publisher is admitted. */
export function publisherRefusal(event: Pick<LoyaltyEvent, "source" | "account">, publishers: Publishers): string | undefined {
  if (publishers.source !== undefined && event.source !== publishers.source) {
    return `source "${event.source}" is not the configured publisher source "${publishers.source}"`;
  }
  if (publishers.accounts !== undefined && !publishers.accounts.includes(event.account)) {
    return `account ${event.account} is not one of the publisher accounts (PUBLISHER_ACCOUNTS)`;
  }
  return undefined;
}
