/**
 * The EventBridge pattern that selects the events of the contract. The stack's rule uses it,
 * and so does the local runtime, so both route exactly the same events to the writer.
 */
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "./contract";

export type LoyaltyEventPattern = {
  source: string[];
  "detail-type": string[];
};

export function loyaltyEventPattern(source: string = DEFAULT_EVENT_SOURCE): LoyaltyEventPattern {
  return { source: [source], "detail-type": Object.values(DETAIL_TYPES) };
}
