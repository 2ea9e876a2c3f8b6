/**
 * The publisher as Lambda runs it: its bundle (the EventBridge SDK inside), configured by
 * environment only, given the ledger stream's real records from DynamoDB Local in the batch
 * shape the mapping delivers, puts the events with the real SDK on a `PutEvents` endpoint — the
 * local runtime's, whose bus records what it accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import test from "ava";
import { bundleHandler } from "../components/handler-bundle";
import { earnEntry } from "../handlers/domain/ledger-entries";
import { IMMEDIATE } from "../handlers/domain/lifecycle";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { createTableInput } from "../handlers/ledger/table";
import type { LedgerStreamBatch, StreamBatchResponse } from "../handlers/publisher/stream-publisher";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { LOCAL_AWS } from "../local/dynamo-local";
import { LocalEventLog } from "../local/event-log";
import { startHttpServer } from "../local/http-server";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

test("the bundled publisher turns the stream's records into events on the bus named by EVENT_BUS_NAME", async (t) => {
  const tableName = "publisher-ledger";
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
  const streams = new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
  t.teardown(() => {
    client.destroy();
    streams.destroy();
  });
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const order = { orderId: "o-1", userId: "u-1", total: { amount: 12_345, currency: "EUR" }, completedAt: "2026-01-01T10:00:00.000Z" };
  const entry = earnEntry(
    order,
    { currency: "EUR", rateHundredths: 100 },
    { eventId: "e-1", recordedAt: "2026-01-01T10:00:01.000Z" },
    IMMEDIATE,
  );
  t.is((await new DynamoLedger(createDocumentClient(client), tableName).creditOrder(entry)).outcome, "credited");

  // The stream's records, read as the mapping reads them: the entry and the balance item.
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = StreamDescription?.Shards?.[0]?.ShardId;
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
  t.is(Records.length, 2);

  const bus = new LocalEventLog();
  const noRoute = async () => ({ statusCode: 404, body: "" });
  const http = await startHttpServer(0, {
    stage: "local",
    functions: { reader: noRoute, redeemer: noRoute, admin: noRoute },
    allowedOrigins: [],
    eventBridge: {
      region: LOCAL_AWS.region,
      account: "000000000000",
      eventBusNames: ["loyalty-bus"],
      pattern: { source: ["otrium.ecommerce"] },
      deliver: async () => {},
      seen: (event) => bus.record(event),
    },
    events: bus,
    queues: { deadLetters: () => [], redrive: async () => 0 },
    settle: async () => [],
    log: () => {},
  });
  t.teardown(() => http.close());

  const bundle = await bundleHandler("handlers/publisher.ts");
  const dir = mkdtempSync(path.join(tmpdir(), "loyalty-publisher-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "index.js"), bundle.code);
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: "loyalty-bus",
    LOG_LEVEL: "warn",
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${http.port}`,
  });
  const handler = (require(path.join(dir, "index.js")) as { handler: (batch: LedgerStreamBatch) => Promise<StreamBatchResponse> }).handler;

  t.deepEqual(await handler({ Records }), { batchItemFailures: [] });
  const { events } = bus.list();
  t.deepEqual(
    events.map((event) => [event.source, event["detail-type"]]),
    [["otrium.loyalty", "Points Earned"]],
  );
  t.like(events[0]?.detail, { entryId: "USER#u-1/ORDER#o-1", userId: "u-1", points: 123, orderId: "o-1", availableAt: null });

  // A bus that does not exist refuses the entry: the first record with an event is the checkpoint.
  process.env.EVENT_BUS_NAME = "no-such-bus";
  delete require.cache[path.join(dir, "index.js")];
  const refused = (require(path.join(dir, "index.js")) as { handler: (batch: LedgerStreamBatch) => Promise<StreamBatchResponse> }).handler;
  const entryRecord = Records.find((record) => record.dynamodb?.Keys?.sk?.S === "ORDER#o-1");
  t.deepEqual(await refused({ Records }), { batchItemFailures: [{ itemIdentifier: entryRecord?.dynamodb?.SequenceNumber ?? "?" }] });
});
