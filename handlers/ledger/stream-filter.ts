/**
 * The event source mapping's filter on the ledger's stream: only the changes that can publish
 * reach the publisher — a new entry or notice, or a parked refund turned into its reversal. Every write
 * also changes the balance item (and an order with an expiry puts its index item), so this
 * keeps at least half of the records from invoking the function at all. The transform still
 * decides (`domain/entry-events.ts`); a test holds the two to each other.
 */
import type { LedgerEntry } from "../domain/ledger-entries";
import type { LedgerNotice } from "../domain/ledger-notices";
import { TOMBSTONE_SK } from "../domain/ledger-keys";
import type { TierNotice } from "../domain/tier-notices";

/**
 * Whether a new entry or notice of each kind publishes (a parked refund waits for its order): a
 * record over every kind, so a kind added to the ledger fails the type check until it is decided
 * here.
 */
const PUBLISHES_ON_INSERT: Record<LedgerEntry["kind"] | LedgerNotice["kind"] | TierNotice["kind"], boolean> = {
  earn: true,
  reversal: true,
  "parked-refund": false,
  redemption: true,
  "redemption-cancel": true,
  expiry: true,
  adjustment: true,
  release: true,
  "expiring-soon": true,
  "tier-changed": true,
  "tier-expiring-soon": true,
};
const PUBLISHED_ON_INSERT = Object.entries(PUBLISHES_ON_INSERT).flatMap(([kind, publishes]) => (publishes ? [kind] : []));

/** A filter pattern of equalities: each leaf lists the values a field may have. */
export type StreamFilter = { [field: string]: StreamFilter | readonly string[] };

/** Lambda filter patterns (EventBridge syntax, over the stream record); a record passes if any matches. */
export const LEDGER_STREAM_FILTERS: readonly StreamFilter[] = [
  { eventName: ["INSERT"], dynamodb: { NewImage: { kind: { S: [...PUBLISHED_ON_INSERT] } } } },
  { eventName: ["MODIFY"], dynamodb: { OldImage: { kind: { S: ["parked-refund"] } }, NewImage: { kind: { S: ["reversal"] } } } },
  { eventName: ["INSERT"], dynamodb: { NewImage: { sk: { S: [TOMBSTONE_SK] } } } },
];
