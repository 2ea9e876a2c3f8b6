/**
 * Every event the local bus has seen, oldest first, as the EventBridge envelopes it built: what
 * was put on it through `PutEvents` and what the ledger's stream published. `GET /_local/events`
 * serves it and `npm run local:events` follows it. It holds the most recent `limit` events, so a
 * long local run cannot exhaust memory.
 */

/** An EventBridge event as the bus delivers it (a type, so it reads as a plain record too). */
export type EventEnvelope = {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

export const EVENT_LOG_LIMIT = 100_000;

export class LocalEventLog {
  private readonly events: EventEnvelope[] = [];
  /** How many events were dropped from the front to stay within the limit. */
  private dropped = 0;

  constructor(private readonly limit: number = EVENT_LOG_LIMIT) {}

  record(event: EventEnvelope): void {
    this.events.push(event);
    if (this.events.length > this.limit) {
      this.events.shift();
      this.dropped++;
    }
  }

  /**
   * The events seen, oldest first, only those of `source` when given; `after` skips the first
   * `after` events ever seen (of any source), so a follower asks only for what is new.
   */
  list(options: { source?: string; after?: number } = {}): { events: EventEnvelope[]; seen: number } {
    const start = Math.max(0, (options.after ?? 0) - this.dropped);
    const events = this.events.slice(start).filter((event) => options.source === undefined || event.source === options.source);
    return { events, seen: this.dropped + this.events.length };
  }
}
