/**
 * The local publisher's `PutEvents`: a points event sent to the local bus exactly as the stack's
 * publisher sends it to EventBridge — the same entry, through the same request checks, the same
 * envelope and the same rule pattern (which must not match it) — and an entry the bus refuses is
 * an error, so the stream retries it.
 */
import * as v from "valibot";
import type { PointsEvent } from "../handlers/domain/points-events";
import type { PublishEvent } from "../handlers/publisher/publish-in-order";
import { putEventsEntry } from "../handlers/publisher/put-events-entry";
import { putEvents, type PutEventsTarget } from "./put-events";

const AnswerSchema = v.object({
  FailedEntryCount: v.number(),
  Entries: v.array(v.object({ ErrorCode: v.optional(v.string()), ErrorMessage: v.optional(v.string()) })),
});

export function publishToLocalBus(target: PutEventsTarget, eventBusName: string): PublishEvent {
  return async (event: PointsEvent) => {
    const { Time, ...entry } = putEventsEntry(event, eventBusName);
    // On the wire, as the SDK sends it: `Time` in epoch seconds.
    const answer = await putEvents(JSON.stringify({ Entries: [{ ...entry, Time: Time.getTime() / 1000 }] }), target);
    const parsed = v.safeParse(AnswerSchema, JSON.parse(answer.body));
    if (answer.status !== 200 || !parsed.success || parsed.output.FailedEntryCount > 0) {
      const refused = parsed.success ? parsed.output.Entries.find((result) => result.ErrorCode !== undefined) : undefined;
      throw new Error(`the local bus refused ${event.detailType} ${event.detail.entryId}: ${refused?.ErrorMessage ?? answer.body}`);
    }
  };
}
