/**
 * A customer's long history, written straight to the table (25 items per `BatchWriteItem`, 8
 * requests at once) rather than through the writer: how the erasure's tests and its bench get
 * thousands of entries in seconds. One earn entry of 10 points per hour from 2023-03-01.
 */
import { BatchWriteCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { earnEntry } from "../../handlers/domain/ledger-entries";
import { UNPROCESSED_RETRY } from "../../handlers/ledger/busy-retry";
import { forEachLimited } from "../../handlers/runtime/limited-concurrency";
import { AGAIN, RetriesExhaustedError, retrying } from "../../handlers/runtime/retry";

export interface SeedOptions {
  /** When the entries say they were recorded. */
  recordedAt: string;
  /** Digits of the order number in each id (`o-00042` with 5), so the ids sort in order. */
  idDigits: number;
}

export async function writeEarnEntries(
  documents: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  count: number,
  { recordedAt, idDigits }: SeedOptions,
): Promise<void> {
  const rate = { currency: "EUR", rateHundredths: 100 };
  const items = Array.from({ length: count }, (_, i) =>
    earnEntry(
      {
        orderId: `o-${String(i).padStart(idDigits, "0")}`,
        userId,
        total: { amount: 1_000, currency: "EUR" },
        completedAt: new Date(Date.parse("2023-03-01T00:00:00.000Z") + i * 3_600_000).toISOString(),
      },
      rate,
      { eventId: `e-${i}`, recordedAt },
      { pendingDays: 0, expiryDays: 0 },
    ),
  );
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await forEachLimited(batches, 8, async (batch) => {
    let requests: NonNullable<BatchWriteCommandInput["RequestItems"]>[string] = batch.map((Item) => ({ PutRequest: { Item } }));
    await retrying(
      UNPROCESSED_RETRY,
      async () => {
        const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = UnprocessedItems?.[tableName] ?? [];
        return requests.length > 0 ? AGAIN : undefined;
      },
      { exhausted: (tries) => new RetriesExhaustedError(`${requests.length} seeded entries were still unprocessed after ${tries} tries`) },
    );
  });
}
