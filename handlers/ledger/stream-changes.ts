/**
 * A record of the ledger table's stream (new and old images, `LEDGER_TABLE.streamView`), read
 * into the plain change the domain's transform takes.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { LedgerChange } from "../domain/entry-events";

/** The fields of a stream record that the transform reads; the Streams API's records have them. */
export interface LedgerStreamRecord {
  eventName?: string;
  dynamodb?: {
    NewImage?: Record<string, AttributeValue>;
    OldImage?: Record<string, AttributeValue>;
  };
}

const EVENT_NAMES: ReadonlyArray<LedgerChange["eventName"]> = ["INSERT", "MODIFY", "REMOVE"];

const isEventName = (name: string | undefined): name is LedgerChange["eventName"] => EVENT_NAMES.some((known) => known === name);

/** The change a stream record reports; a record of no known kind is an error, never skipped. */
export function changeOfRecord(record: LedgerStreamRecord): LedgerChange {
  const { eventName } = record;
  if (!isEventName(eventName)) throw new Error(`stream record of unknown kind ${String(eventName)}`);
  const newImage = record.dynamodb?.NewImage;
  const oldImage = record.dynamodb?.OldImage;
  return {
    eventName,
    ...(newImage === undefined ? {} : { newImage: unmarshall(newImage) }),
    ...(oldImage === undefined ? {} : { oldImage: unmarshall(oldImage) }),
  };
}
