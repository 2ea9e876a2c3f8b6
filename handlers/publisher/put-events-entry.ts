/**
 * A points event as a `PutEvents` entry: the source of the outbound contract, on the stack's bus,
 * stamped with when the ledger recorded it (the business time is in the detail).
 */
import { POINTS_EVENT_SOURCE, type PointsEvent } from "../domain/points-events";

/** The fields of `PutEventsRequestEntry` the publisher sets. */
export interface PointsEventEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Time: Date;
  EventBusName: string;
}

export const putEventsEntry = (event: PointsEvent, eventBusName: string): PointsEventEntry => ({
  Source: POINTS_EVENT_SOURCE,
  DetailType: event.detailType,
  Detail: JSON.stringify(event.detail),
  Time: new Date(event.time),
  EventBusName: eventBusName,
});
