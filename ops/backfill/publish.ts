/**
 * Sends checked entries through PutEvents: requests of at most 10 entries and 1 MB, one at a
 * time in file order, so a run that stops knows the exact line to resume from. PutEvents
 * answers per entry; an entry it fails for a reason that may pass (throttling, an internal
 * failure) is sent again with exponential backoff and jitter, as AWS asks publishers to do, and
 * counts as refused only after `maxAttempts`. A request that fails as a whole has already been
 * retried by the SDK's own strategy: the run stops there, naming the line to resume from. An
 * interruption stops it at once, the request in flight included: sending again is harmless.
 */
import type { PutEventsRequestEntry, PutEventsResultEntry } from "@aws-sdk/client-eventbridge";
import { entrySize, MAX_ENTRIES, MAX_REQUEST_ENTRY_BYTES } from "../../handlers/domain/put-events-limits";
import { AGAIN, RetriesExhaustedError, retrying, type RetryPolicy } from "../../handlers/runtime/retry";
import type { BackfillEntry } from "./backfill-file";
import type { Clock, Pace } from "./rate-limit";

/** One PutEvents request: its result entries, in the order of the request's; `signal` abandons it. */
export type PutEvents = (entries: PutEventsRequestEntry[], signal?: AbortSignal) => Promise<PutEventsResultEntry[]>;

/**
 * The per-entry codes EventBridge documents as not retryable (plus the missing bus): the same
 * entry sent again gets the same answer. Any other code is tried again.
 */
export const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set([
  "AccessDeniedException",
  "InvalidAccountIdException",
  "InvalidArgument",
  "MalformedDetail",
  "RedactionFailure",
  "NotAuthorizedForSourceException",
  "NotAuthorizedForDetailTypeException",
  "ResourceNotFoundException",
]);

/** Deliveries of one entry before it counts as refused: up to ~20 s of backoff in all. */
export const MAX_ATTEMPTS = 8;

/** The pauses between deliveries of an entry: from up to 200 ms, doubling, never beyond 10 s. */
export const BACKFILL_RETRY: RetryPolicy = { tries: MAX_ATTEMPTS, firstPauseMs: 200, maxPauseMs: 10_000 };

/** An entry PutEvents did not take. */
export interface Refusal {
  line: number;
  code: string;
  message: string;
  attempts: number;
}

export interface PublishReport {
  sent: number;
  refused: number;
  /** Present when the run ended before the last line: the line to resume from, and why. */
  stopped?: { fromLine: number; reason: string; interrupted: boolean };
}

export interface PublishOptions {
  putEvents: PutEvents;
  clock: Clock;
  /** Waits before each request (the rate limit); none by default. */
  pace?: Pace;
  /** Entries per request, at most 10. */
  batchSize?: number;
  maxAttempts?: number;
  /** The jitter's randomness, in [0, 1). */
  random?: () => number;
  /** Called once each batch is settled. */
  onProgress?: (counts: { sent: number; refused: number }) => void;
  onRefused?: (refusal: Refusal) => void;
  /** Aborting stops the run at once, abandoning the request in flight. */
  signal?: AbortSignal;
}

/** Requests of at most `size` entries whose entries together stay within PutEvents' size limit. */
export async function* batches(entries: AsyncIterable<BackfillEntry>, size = MAX_ENTRIES): AsyncGenerator<BackfillEntry[]> {
  let batch: BackfillEntry[] = [];
  let bytes = 0;
  for await (const item of entries) {
    const itemBytes = entrySize(item.entry);
    if (batch.length >= size || bytes + itemBytes > MAX_REQUEST_ENTRY_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += itemBytes;
  }
  if (batch.length > 0) yield batch;
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export async function publish(entries: AsyncIterable<BackfillEntry>, options: PublishOptions): Promise<PublishReport> {
  const { putEvents, clock, pace = async () => {}, maxAttempts = MAX_ATTEMPTS, random = Math.random, signal } = options;
  let sent = 0;
  let refused = 0;
  for await (const batch of batches(entries, Math.min(options.batchSize ?? MAX_ENTRIES, MAX_ENTRIES))) {
    const fromLine = batch[0]?.line ?? 0;
    const stop = (reason: string, interrupted: boolean): PublishReport => ({ sent, refused, stopped: { fromLine, reason, interrupted } });
    let pending = batch;
    // The last delivery refuses what still fails, so the tries are never all spent asking again.
    const stopped = await retrying<PublishReport | undefined>(
      { ...BACKFILL_RETRY, tries: maxAttempts },
      async ({ number, last }) => {
        if (!signal?.aborted) await pace(pending.length, signal);
        if (signal?.aborted) return stop("interrupted", true);
        let results: PutEventsResultEntry[];
        try {
          results = await putEvents(
            pending.map((item) => item.entry),
            signal,
          );
        } catch (error) {
          return signal?.aborted ? stop("interrupted", true) : stop(describeError(error), false);
        }
        const again: BackfillEntry[] = [];
        pending.forEach((item, index) => {
          const result = results[index];
          if (result?.EventId) {
            sent += 1;
            return;
          }
          const code = result?.ErrorCode ?? "NoResult";
          if (!PERMANENT_ERROR_CODES.has(code) && !last) {
            again.push(item);
            return;
          }
          refused += 1;
          const message = result?.ErrorMessage ?? "PutEvents answered no result for this entry";
          options.onRefused?.({ line: item.line, code, message, attempts: number });
        });
        pending = again;
        return pending.length > 0 ? AGAIN : undefined;
      },
      {
        sleep: (ms) => clock.sleep(ms, signal),
        random,
        exhausted: (tries) => new RetriesExhaustedError(`line ${fromLine}: entries still pending after ${tries} deliveries`),
      },
    );
    if (stopped) return stopped;
    options.onProgress?.({ sent, refused });
  }
  return { sent, refused };
}
