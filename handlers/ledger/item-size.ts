/**
 * An item's size as DynamoDB counts it (what read and write units and the 400 KB limit are
 * measured in): each attribute's name plus its value — a string's UTF-8 bytes; a number's
 * significant digits, two to a byte, plus one.
 */
import { marshall } from "@aws-sdk/util-dynamodb";

export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(marshall(item))) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.N !== undefined)
      bytes += Math.ceil(value.N.replace(/^-/, "").replace(/\./, "").replace(/^0+/, "").replace(/0+$/, "").length / 2) + 1;
    else bytes += Buffer.byteLength(JSON.stringify(value));
  }
  return bytes;
}
