/**
 * Erasing a heavy customer: one customer with many ledger entries (and a real order, so a balance
 * item and an expiry index item too), erased by the admin function's own code at DynamoDB's own
 * page size — requests by operation, pages of keys, time — then erased again. The suite proves the
 * same paging on a few hundred entries with a small page (`test/admin.test.ts`); this is the size
 * the erasure issue asked for. Fails, rather than reporting, if anything of the customer is left.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { userPk } from "../handlers/domain/ledger-keys";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { createTableInput } from "../handlers/ledger/table";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { LOCAL_AWS } from "../local/dynamo-local";
import { instrumentedClient, resetTotals } from "./capacity-client";
import { writeEarnEntries } from "../test/support/seed-entries";
import { SCALE } from "./scale";
import { BENCH_PUBLISHER_ACCOUNT, sqsRecordOf } from "./sqs-records";

export interface ErasureFigures {
  entries: number;
  /** Items deleted: the partition's and the day indexes'. */
  itemsDeleted: number;
  seconds: number;
  requests: number;
  byOperation: Record<string, number>;
  writeUnits: number;
  /** Requests of an erasure of the same customer again. */
  againRequests: number;
}

const USER = "erased-heavy";
const NOW = new Date("2026-03-05T10:00:00.000Z");
const LIFECYCLE = { pendingDays: 0, expiryDays: 365 };

export async function measureErasure(endpoint: string, entries = SCALE.erasureEntries): Promise<ErasureFigures> {
  const tableName = `bench-erasure-${randomUUID()}`;
  const setup = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  await setup.send(new CreateTableCommand(createTableInput(tableName, { stream: false })));
  setup.destroy();
  const { client, totals } = instrumentedClient(endpoint);
  const documents = createDocumentClient(client);

  // A real order through the writer: the balance item, its lot, the expiry index item.
  const write = createBatchWriter({
    ledger: new DynamoLedger(documents, tableName),
    rules: parseEarnRules('{"EUR": 1}'),
    logger: createLogger("error", () => undefined),
    now: () => NOW,
    lifecycle: LIFECYCLE,
  });
  const order = { orderId: "real-1", userId: USER, total: { amount: 10_000, currency: "EUR" }, completedAt: NOW.toISOString() };
  const { batchItemFailures } = await write({
    Records: [
      sqsRecordOf({
        version: "0",
        id: "real-1",
        "detail-type": "Order Completed",
        source: "otrium.ecommerce",
        account: BENCH_PUBLISHER_ACCOUNT,
        detail: order,
      }),
    ],
  });
  if (batchItemFailures.length > 0) throw new Error("erasure: the customer's order failed");

  // The history: entries written straight to the table.
  await writeEarnEntries(documents, tableName, USER, entries, { recordedAt: NOW.toISOString(), idDigits: 6 });

  const erasure = new DynamoErasure(documents, tableName);
  resetTotals(totals);
  const started = process.hrtime.bigint();
  const report = await erasure.erase(USER, NOW);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const figures = { requests: totals.requests, byOperation: { ...totals.byOperation }, writeUnits: totals.writeUnits };

  const left = await documents.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": userPk(USER) },
      Limit: 1,
    }),
  );
  if ((left.Items ?? []).length > 0) throw new Error("erasure: items of the customer are left");
  if (report.itemsDeleted < entries + 3) throw new Error(`erasure: ${report.itemsDeleted} items deleted, expected at least ${entries + 3}`);
  resetTotals(totals);
  await erasure.erase(USER, NOW);
  const againRequests = totals.requests;
  client.destroy();
  return { entries, itemsDeleted: report.itemsDeleted, seconds, ...figures, againRequests };
}
