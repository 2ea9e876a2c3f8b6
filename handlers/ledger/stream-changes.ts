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

/**
 * An attribute value as the ledger wrote it. The Streams SDK, reading DynamoDB Local's records,
 * gives an empty map (an adjustment that drew from no lot) as a value with no member at all,
 * which `unmarshall` refuses; no other value can come out empty (a set is never empty, a list
 * keeps its `L`), so such a value is the empty map it was written as.
 */
function asWritten(value: AttributeValue): AttributeValue {
  if (value.M !== undefined) return { M: imageAsWritten(value.M) };
  if (value.L !== undefined) return { L: value.L.map(asWritten) };
  if (Object.values(value).every((member) => member === undefined)) return { M: {} };
  return value;
}

const imageAsWritten = (image: Record<string, AttributeValue>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, asWritten(value)]));

/** The change a stream record reports; a record of no known kind is an error, never skipped. */
export function changeOfRecord(record: LedgerStreamRecord): LedgerChange {
  const { eventName } = record;
  if (!isEventName(eventName)) throw new Error(`stream record of unknown kind ${String(eventName)}`);
  const newImage = record.dynamodb?.NewImage;
  const oldImage = record.dynamodb?.OldImage;
  return {
    eventName,
    ...(newImage === undefined ? {} : { newImage: unmarshall(imageAsWritten(newImage)) }),
    ...(oldImage === undefined ? {} : { oldImage: unmarshall(imageAsWritten(oldImage)) }),
  };
}
