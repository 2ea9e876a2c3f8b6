/**
 * The publisher's batch handler: a batch of the ledger's stream records in, the points events
 * out to the bus, `{ batchItemFailures }` back. The first record that could not be published is
 * reported (Lambda's `ReportBatchItemFailures` for streams is a checkpoint): the mapping retries
 * the batch from it, and after its retries parks the rest in the on-failure destination — never
 * drops it. Nothing published before it is published again.
 */
import type { PointsEvent } from "../domain/points-events";
import type { Logger } from "../runtime/log";
import { publishInOrder, type SequencedStreamRecord } from "./publish-in-order";
import { putEventsEntry, type PointsEventEntry } from "./put-events-entry";

/** The ledger stream's records as Lambda delivers them. */
export interface LedgerStreamBatch {
  Records: SequencedStreamRecord[];
}

export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** One `PutEvents` of one entry; what EventBridge answered for it. */
export type PutEntry = (entry: PointsEventEntry) => Promise<{ failedEntryCount: number; errorCode?: string; errorMessage?: string }>;

export interface StreamPublisherDeps {
  putEntry: PutEntry;
  eventBusName: string;
  logger: Logger;
}

/** Thrown when EventBridge refused the entry (throttled, internal failure): the record is retried. */
export class PublishRefusedError extends Error {
  override name = "PublishRefusedError";
}

export function createStreamPublisher({ putEntry, eventBusName, logger }: StreamPublisherDeps) {
  const publish = async (event: PointsEvent) => {
    const answer = await putEntry(putEventsEntry(event, eventBusName));
    if (answer.failedEntryCount > 0) {
      throw new PublishRefusedError(
        `EventBridge refused ${event.detailType} ${event.detail.entryId}: ${answer.errorCode ?? "?"} ${answer.errorMessage ?? ""}`.trim(),
      );
    }
    // The entry id names the customer's partition (or, erased, only its digest).
    logger.log("info", "event published", { entryId: event.detail.entryId, detailType: event.detailType });
  };
  return async (batch: LedgerStreamBatch): Promise<StreamBatchResponse> => {
    const outcome = await publishInOrder(batch.Records, publish);
    if (outcome.failed === undefined) return { batchItemFailures: [] };
    const { at, error } = outcome.failed;
    logger.log("error", "publish failed", {
      sequenceNumber: at,
      published: outcome.published,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return { batchItemFailures: [{ itemIdentifier: at }] };
  };
}
