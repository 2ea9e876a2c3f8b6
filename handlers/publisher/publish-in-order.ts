/**
 * Publishes the points events of a batch of the ledger's stream records, in stream order, and
 * stops at the first record that fails: the stream is ordered per customer, and a record
 * published after one that failed would overtake it. The failed record's sequence number is the
 * checkpoint (Lambda's `ReportBatchItemFailures` for streams): the batch is retried from it, so
 * what was published before it is not published again, and what comes after it waits.
 */
import { eventOfChange } from "../domain/entry-events";
import type { PointsEvent } from "../domain/points-events";
import { changeOfRecord, type LedgerStreamRecord } from "../ledger/stream-changes";

/** A stream record with its place in the shard. */
export interface SequencedStreamRecord extends LedgerStreamRecord {
  dynamodb?: LedgerStreamRecord["dynamodb"] & { SequenceNumber?: string };
}

export type PublishOutcome =
  | { published: number; failed?: undefined }
  /** `at` is the sequence number of the first record not published. */
  | { published: number; failed: { at: string; error: unknown } };

/** Sends one event to the bus; throws when the bus did not take it. */
export type PublishEvent = (event: PointsEvent) => Promise<void>;

export async function publishInOrder(records: readonly SequencedStreamRecord[], publish: PublishEvent): Promise<PublishOutcome> {
  let published = 0;
  for (const record of records) {
    try {
      const event = eventOfChange(changeOfRecord(record));
      if (event === undefined) continue;
      await publish(event);
      published++;
    } catch (error) {
      const at = record.dynamodb?.SequenceNumber;
      // Without its sequence number a record cannot be named for a retry: fail the whole batch.
      if (at === undefined) throw error;
      return { published, failed: { at, error } };
    }
  }
  return { published };
}
