/**
 * What an order event costs in DynamoDB, and how fast the writer goes, on DynamoDB Local:
 * our writer side by side with what a team would otherwise write —
 *   naive:       `UpdateItem ADD balance` per record, no idempotency (fast, and wrong);
 *   powertools:  Powertools for AWS Lambda's idempotency + batch utilities over the same table.
 * Batches of 10, at concurrency 1 and 8, with 0% and 20% redelivered duplicates. The handlers'
 * requests can go through another endpoint than the table's set-up and checks (the latency proxy).
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { BALANCE_SK, userPk } from "../handlers/domain/ledger-keys";
import { balanceState } from "../handlers/ledger/balance-item";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { createTableInput } from "../handlers/ledger/table";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { forEachLimited } from "../handlers/runtime/limited-concurrency";
import { LOCAL_AWS } from "../local/dynamo-local";
import { instrumentedClient } from "./capacity-client";
import { BENCH_PUBLISHER_ACCOUNT, sqsRecordOf } from "./sqs-records";
import { SCALE } from "./scale";
import { required } from "../harness/required";

export type WriterKind = "ours" | "naive" | "powertools";

export interface WriterFigures {
  kind: WriterKind;
  concurrency: number;
  duplicateShare: number;
  events: number;
  eventsPerSecond: number;
  requestsPerEvent: number;
  writeUnitsPerEvent: number;
  readUnitsPerEvent: number;
  /** Points credited more than once (duplicates counted again). */
  doubleCreditedPoints: number;
  /** Records that failed and were delivered again (e.g. a duplicate racing its original). */
  redeliveries: number;
}

/** The workload, exported so that the results describe what was run. */
export const WORKLOAD = { events: SCALE.writerEvents, users: 100, batch: 10 } as const;
const { events: EVENTS, users: USERS, batch: BATCH } = WORKLOAD;

const PUBLISHER_ACCOUNT = BENCH_PUBLISHER_ACCOUNT;

function orderRecord(i: number): SQSRecord {
  return sqsRecordOf({
    version: "0",
    id: `event-${i}`,
    "detail-type": DETAIL_TYPES.orderCompleted,
    source: DEFAULT_EVENT_SOURCE,
    account: PUBLISHER_ACCOUNT,
    detail: {
      orderId: `order-${i}`,
      userId: `user-${i % USERS}`,
      total: { amount: 10_000 + i, currency: "EUR" },
      completedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
    },
  });
}

/** `EVENTS` records, of which `duplicateShare` are redeliveries of earlier ones, in batches. */
function workload(duplicateShare: number): SQSEvent[] {
  const unique = Math.round(EVENTS * (1 - duplicateShare));
  const records = Array.from({ length: unique }, (_, i) => orderRecord(i));
  for (let i = 0; records.length < EVENTS; i++) {
    const original = required(records[(i * 7) % unique], "the record redelivered");
    records.splice(Math.min(records.length, ((i * 13) % records.length) + 1), 0, { ...original, messageId: randomUUID() });
  }
  const batches: SQSEvent[] = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push({ Records: records.slice(i, i + BATCH) });
  return batches;
}

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

function writerFor(kind: WriterKind, client: DynamoDBClient, tableName: string): Handler {
  const documents = createDocumentClient(client);
  if (kind === "ours") {
    return createBatchWriter({
      ledger: new DynamoLedger(documents, tableName),
      rules: parseEarnRules('{"EUR": 1}'),
      logger: createLogger("error", () => undefined),
      // As deployed: only the configured source and accounts may earn points.
      publishers: { source: DEFAULT_EVENT_SOURCE, accounts: [PUBLISHER_ACCOUNT] },
    });
  }
  const credit = async (detail: { userId: string; total: { amount: number } }) => {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: userPk(detail.userId), sk: BALANCE_SK },
        UpdateExpression: "ADD balance :points",
        ExpressionAttributeValues: { ":points": Math.floor(detail.total.amount / 100) },
      }),
    );
  };
  if (kind === "naive") {
    return async (event) => {
      const failures: SQSBatchResponse["batchItemFailures"] = [];
      for (const record of event.Records) {
        await credit((JSON.parse(record.body) as { detail: Parameters<typeof credit>[0] }).detail).catch(() =>
          failures.push({ itemIdentifier: record.messageId }),
        );
      }
      return { batchItemFailures: failures };
    };
  }
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: "pk",
    sortKeyAttr: "sk",
    staticPkValue: "IDEMPOTENCY",
    awsSdkV3Client: client,
  });
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({ eventKeyJmesPath: "orderId" });
  const creditOnce = makeIdempotent(credit, { persistenceStore, config });
  // Powertools reads the remaining time from the Lambda context to expire in-progress records.
  config.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
  return (event) =>
    processPartialResponse(
      event,
      async (record: SQSRecord) =>
        creditOnce((JSON.parse(record.body) as { detail: Parameters<typeof credit>[0] & { orderId: string } }).detail),
      processor,
    );
}

export interface WriterEndpoints {
  /** DynamoDB Local itself: creates the table and checks the balances afterwards. */
  dynamo: string;
  /** Where the handler's requests go: DynamoDB Local, or the latency proxy in front of it. */
  handler: string;
}

/**
 * The points a balance item holds. The naive and library handlers keep a plain `balance`; ours
 * keeps one number per lot, and what is owed, as the ledger reads them.
 */
function pointsHeld(item: Record<string, unknown> | undefined): number {
  if (item?.lifetimeEarned === undefined) return Number(item?.balance ?? 0);
  const { lots, debt } = balanceState(item).holding;
  return lots.reduce((sum, lot) => sum + lot.points, 0) - debt;
}
export async function measureWriter(
  endpoints: WriterEndpoints,
  kind: WriterKind,
  concurrency: number,
  duplicateShare: number,
): Promise<WriterFigures> {
  const tableName = `bench-${randomUUID()}`;
  const setup = new DynamoDBClient({ ...LOCAL_AWS, endpoint: endpoints.dynamo });
  // No stream: nothing here publishes, and DynamoDB Local's stream would slow every write.
  await setup.send(new CreateTableCommand(createTableInput(tableName, { stream: false })));
  const { client, totals } = instrumentedClient(endpoints.handler);
  const handler = writerFor(kind, client, tableName);
  const batches = workload(duplicateShare);

  // Failed records are delivered again, as SQS would, until none fails (redeliveries count).
  const started = process.hrtime.bigint();
  let pending = batches;
  let redelivered = 0;
  for (let round = 0; pending.length > 0; round++) {
    if (round === 10) throw new Error(`${kind}: records still failing after 10 deliveries`);
    const failed: SQSRecord[] = [];
    await forEachLimited(pending, concurrency, async (batch) => {
      const { batchItemFailures } = await handler(batch);
      const ids = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      failed.push(...batch.Records.filter((record) => ids.has(record.messageId)));
    });
    redelivered += failed.length;
    pending = [];
    for (let i = 0; i < failed.length; i += BATCH) pending.push({ Records: failed.slice(i, i + BATCH) });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measured = { ...totals };

  // Exactness: every user's balance against the points of the unique orders.
  const expected = new Map<string, number>();
  const seen = new Set<string>();
  for (const record of batches.flatMap((b) => b.Records)) {
    const { detail } = JSON.parse(record.body) as { detail: { orderId: string; userId: string; total: { amount: number } } };
    if (seen.has(detail.orderId)) continue;
    seen.add(detail.orderId);
    expected.set(detail.userId, (expected.get(detail.userId) ?? 0) + Math.floor(detail.total.amount / 100));
  }
  const documents = createDocumentClient(setup);
  let doubleCredited = 0;
  for (const [userId, points] of expected) {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: { pk: userPk(userId), sk: BALANCE_SK } }));
    doubleCredited += pointsHeld(Item) - points;
  }
  setup.destroy();
  client.destroy();
  return {
    kind,
    concurrency,
    duplicateShare,
    events: EVENTS,
    eventsPerSecond: Math.round(EVENTS / seconds),
    requestsPerEvent: measured.requests / EVENTS,
    writeUnitsPerEvent: measured.writeUnits / EVENTS,
    readUnitsPerEvent: measured.readUnits / EVENTS,
    doubleCreditedPoints: doubleCredited,
    redeliveries: redelivered,
  };
}
