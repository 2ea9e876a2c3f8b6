/**
 * Everything a test's table holds, read with a Scan (no function's role may Scan; only tests
 * look at the whole table): the proof that an erasure left nothing of a customer behind.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Harness } from "./dynamo-harness";

export async function scanAll(harness: Harness): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await harness.documents.send(new ScanCommand({ TableName: harness.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The items that hold `text` anywhere, in a key or an attribute (e.g. a customer's id). */
export async function itemsHolding(harness: Harness, text: string): Promise<Array<Record<string, unknown>>> {
  return (await scanAll(harness)).filter((item) => JSON.stringify(item).includes(text));
}
