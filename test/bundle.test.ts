/**
 * The Lambda artifacts themselves: the writer and reader bundle deterministically, and the bundles,
 * configured only through their environment as Lambda configures them, work against a real
 * DynamoDB — or fail at init, naming the variable, when the environment is wrong.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import test from "ava";
import type { APIGatewayProxyHandler, SQSHandler } from "aws-lambda";
import { bundleHandler, type HandlerBundle } from "../components/handler-bundle";
import { createTableInput } from "../handlers/ledger/table";
import { LOCAL_AWS } from "../local/dynamo-local";
import { balanceRequest } from "./support/api-events";
import { ADMIN_BACKEND, signedBy } from "./support/iam-caller";
import { orderCompleted, sqsBatch, sqsRecord } from "./support/events";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const workDir = mkdtempSync(path.join(tmpdir(), "loyalty-bundles-"));
const dynamo = useDynamoLocal();
const bundles = new Map<"writer" | "reader", HandlerBundle>();
const bundle = (name: "writer" | "reader"): HandlerBundle => {
  const found = bundles.get(name);
  if (!found) throw new Error(`${name} was not bundled`);
  return found;
};

test.before(async () => {
  const [writer, reader] = await Promise.all([bundleHandler("handlers/writer.ts"), bundleHandler("handlers/reader.ts")]);
  bundles.set("writer", writer).set("reader", reader);
});
test.after.always(() => rmSync(workDir, { recursive: true, force: true }));

let loads = 0;
/**
 * Loads a bundle as Lambda would: a fresh module, configured by `env` alone. The environment
 * stays set (the SDK reads it at request time, as in Lambda), so these tests run serially.
 */
function load<T>(bundle: HandlerBundle, env: Record<string, string | undefined>): T {
  const dir = path.join(workDir, String(loads++));
  mkdirSync(dir);
  writeFileSync(path.join(dir, "index.js"), bundle.code);
  writeFileSync(path.join(dir, "index.js.map"), bundle.sourceMap);
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return (require(path.join(dir, "index.js")) as { handler: T }).handler;
}

function lambdaEnv(tableName: string): Record<string, string> {
  return {
    TABLE_NAME: tableName,
    EARN_RULES: '{"EUR": 1.5}',
    LOG_LEVEL: "warn",
    ADMIN_PRINCIPALS: JSON.stringify([ADMIN_BACKEND]),
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  };
}

test.serial("bundling is deterministic: the same sources give the same bytes", async (t) => {
  for (const entry of ["writer", "reader"] as const) {
    const again = await bundleHandler(`handlers/${entry}.ts`);
    t.is(again.code, bundle(entry).code, entry);
    t.is(again.sourceMap, bundle(entry).sourceMap, entry);
    t.true(bundle(entry).code.endsWith("//# sourceMappingURL=index.js.map\n"), entry);
    t.false(bundle(entry).sourceMap.includes(workDir), entry);
  }
});

test.serial("the bundled writer and reader work end to end, configured by environment only", async (t) => {
  const tableName = `bundled-ledger-${randomUUID()}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  client.destroy();

  const writer = load<SQSHandler>(bundle("writer"), lambdaEnv(tableName));
  const reader = load<APIGatewayProxyHandler>(bundle("reader"), lambdaEnv(tableName));
  const context = {} as Parameters<SQSHandler>[1];

  const batch = sqsBatch(sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 10_000 })));
  t.deepEqual(await writer(batch, context, () => undefined), { batchItemFailures: [] });

  const response = await reader(signedBy(balanceRequest("u-1"), ADMIN_BACKEND), context, () => undefined);
  t.like(response, { statusCode: 200 });
  // A caller with neither claims nor a listed ARN is nobody's admin.
  t.like(await reader(balanceRequest("u-1"), context, () => undefined), { statusCode: 403 });
  t.like(JSON.parse(response ? response.body : "{}"), { userId: "u-1", balance: 150, lifetimeEarned: 150 });
});

test.serial("a bundle with a bad environment fails at init, naming the variable", (t) => {
  const env = lambdaEnv("some-table");
  t.throws(() => load(bundle("writer"), { ...env, EARN_RULES: '{"EUR": "one"}' }), {
    name: "InvalidEarnRulesError",
    message: /EARN_RULES.*EUR/,
  });
  t.throws(() => load(bundle("writer"), { ...env, EARN_RULES: undefined }), { message: /EARN_RULES: is required/ });
  t.throws(() => load(bundle("reader"), { ...env, TABLE_NAME: undefined }), { message: /TABLE_NAME/ });
  t.throws(() => load(bundle("reader"), { ...env, LOG_LEVEL: "verbose" }), { message: /LOG_LEVEL/ });
  t.throws(() => load(bundle("reader"), { ...env, ADMIN_PRINCIPALS: "support" }), { message: /ADMIN_PRINCIPALS/ });
});
