/**
 * Each component alone, as another stack would use it: with minimal args (the secure
 * defaults) and with overrides; and the reuse example over an existing table and bus.
 */
import * as path from "node:path";
import test from "ava";
import { LoyaltyAlerts, LoyaltyApi, LoyaltyIngest, LoyaltyStore } from "../components";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { runProgram, type CapturedResource } from "../policies/runner/mock-program";
import { statementsOf } from "./support/policy-documents";

// Pulumi's mocks are global: these tests run one at a time.
const serial = test.serial;

const EXISTING = {
  tableName: "ledger-elsewhere",
  tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger-elsewhere",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/existing",
};
const input = <T = unknown>(resource: CapturedResource, key: string): T => resource.inputs[key] as T;
const CONFIG = { "aws:region": "eu-west-1" };

serial("LoyaltyStore with no args: on-demand, own rotated key, PITR and deletion protection on", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyStore("store");
  }, { config: CONFIG });
  t.deepEqual(run.resources.map((r) => r.type), [
    "otrium:loyalty:LoyaltyStore",
    "aws:kms/key:Key",
    "aws:dynamodb/table:Table",
  ]);
  const table = run.get("aws:dynamodb/table:Table", "store");
  t.like(table.inputs, {
    billingMode: "PAY_PER_REQUEST",
    deletionProtectionEnabled: true,
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/store-key-id" },
  });
  t.true(input<boolean>(run.get("aws:kms/key:Key", "store"), "enableKeyRotation"));
  t.regex(table.urn, /otrium:loyalty:LoyaltyStore\$aws:dynamodb\/table:Table::store$/);
});

serial("LoyaltyStore with overrides: a given key, provisioned capacity, protection off", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyStore("store", {
      kmsKeyArn: EXISTING.kmsKeyArn,
      deletionProtection: false,
      pointInTimeRecovery: false,
      provisioned: { readCapacity: 5, writeCapacity: 3 },
    });
  }, { config: CONFIG });
  t.deepEqual(run.ofType("aws:kms/key:Key"), []);
  t.like(run.get("aws:dynamodb/table:Table", "store").inputs, {
    billingMode: "PROVISIONED",
    readCapacity: 5,
    writeCapacity: 3,
    deletionProtectionEnabled: false,
    pointInTimeRecovery: { enabled: false },
    serverSideEncryption: { enabled: true, kmsKeyArn: EXISTING.kmsKeyArn },
  });
});

serial("LoyaltyStore grants: read is GetItem/Query on the table and its index; write has no Scan or Delete", async (t) => {
  const { outputs } = await runProgram(() => {
    const store = new LoyaltyStore("store");
    return { read: store.grantRead(), write: store.grantLedgerWrite() };
  }, { config: CONFIG });
  const read = statementsOf({ Statement: outputs.read });
  t.deepEqual(read[0]?.Action, ["dynamodb:GetItem", "dynamodb:Query"]);
  t.is(read[0]?.Resource.length, 2);
  const write = statementsOf({ Statement: outputs.write });
  t.deepEqual(write[0]?.Action, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
  t.deepEqual(write[1]?.Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
});

serial("LoyaltyIngest over an existing table with minimal args: the secure defaults", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyIngest("ingest", { store: EXISTING, earnRules: { EUR: 1 } });
  }, { config: CONFIG });
  t.deepEqual(run.ofType("aws:dynamodb/table:Table"), []);
  const queue = run.get("aws:sqs/queue:Queue", "ingest-queue");
  t.is(input(queue, "visibilityTimeoutSeconds"), 180);
  t.is(JSON.parse(input<string>(queue, "redrivePolicy")).maxReceiveCount, 5);
  const rule = run.get("aws:cloudwatch/eventRule:EventRule", "ingest-orders");
  t.is(input(rule, "eventBusName"), "default");
  t.deepEqual(JSON.parse(input<string>(rule, "eventPattern")), loyaltyEventPattern());
  t.like(run.get("aws:lambda/eventSourceMapping:EventSourceMapping", "ingest-writer").inputs, {
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    scalingConfig: { maximumConcurrency: 5 },
    functionResponseTypes: ["ReportBatchItemFailures"],
  });
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "ingest-writer"), "environment");
  t.like(env.variables, { TABLE_NAME: EXISTING.tableName, EARN_RULES: '{"EUR":1}', LOG_LEVEL: "info" });
  const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "ingest-writer"), "policy"));
  t.deepEqual(policy.find((s) => s.Sid === "WriteLedger")?.Resource, [EXISTING.tableArn]);
  t.deepEqual(policy.find((s) => s.Sid === "EncryptLedger")?.Resource, [EXISTING.kmsKeyArn]);
  t.is(run.ofType("aws:schemas/schema:Schema").length, 2);
  for (const alarm of run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) t.deepEqual(input(alarm, "alarmActions"), []);
});

serial("LoyaltyIngest with overrides: bus, source, receives, timeouts, batching, no contract", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyIngest("ingest", {
      store: EXISTING,
      earnRules: { GBP: 1.25 },
      eventBusName: "partners",
      eventSource: "otrium.partners",
      maxReceiveCount: 9,
      writerTimeoutSeconds: 60,
      writerMemoryMb: 1024,
      batchSize: 100,
      batchingWindowSeconds: 10,
      maxConcurrency: 50,
      publishContract: false,
      alarmActions: ["arn:aws:sns:eu-west-1:123456789012:ops"],
    });
  }, { config: CONFIG });
  const queue = run.get("aws:sqs/queue:Queue", "ingest-queue");
  t.is(input(queue, "visibilityTimeoutSeconds"), 6 * 60 + 10);
  t.is(JSON.parse(input<string>(queue, "redrivePolicy")).maxReceiveCount, 9);
  const rule = run.get("aws:cloudwatch/eventRule:EventRule", "ingest-orders");
  t.is(input(rule, "eventBusName"), "partners");
  t.deepEqual(JSON.parse(input<string>(rule, "eventPattern")).source, ["otrium.partners"]);
  t.is(input(run.get("aws:cloudwatch/eventTarget:EventTarget", "ingest-orders"), "eventBusName"), "partners");
  t.like(run.get("aws:lambda/function:Function", "ingest-writer").inputs, { timeout: 60, memorySize: 1024 });
  t.like(run.get("aws:lambda/eventSourceMapping:EventSourceMapping", "ingest-writer").inputs, {
    batchSize: 100,
    maximumBatchingWindowInSeconds: 10,
    scalingConfig: { maximumConcurrency: 50 },
  });
  t.deepEqual(run.ofType("aws:schemas/registry:Registry"), []);
  for (const alarm of run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
    t.deepEqual(input(alarm, "alarmActions"), ["arn:aws:sns:eu-west-1:123456789012:ops"]);
  }
});

const methods = (resources: CapturedResource[]) =>
  resources
    .filter((r) => r.type === "aws:apigateway/method:Method")
    .map((r) => `${String(input(r, "httpMethod"))} ${String(input(r, "authorization"))}`)
    .sort();

serial("LoyaltyApi with minimal args: IAM-authorized methods, no CORS, read-only reader", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyApi("api", { store: EXISTING });
  }, { config: CONFIG });
  t.deepEqual(methods(run.resources), ["GET AWS_IAM", "GET AWS_IAM", "POST AWS_IAM", "POST AWS_IAM"]);
  t.deepEqual(run.ofType("aws:apigateway/authorizer:Authorizer"), []);
  t.deepEqual(
    run.ofType("aws:apigateway/resource:Resource").map((r) => input(r, "pathPart")),
    ["points", "{userId}", "history", "redemptions", "{redemptionId}", "cancel"],
  );
  t.is(input(run.get("aws:apigateway/stage:Stage", "api"), "stageName"), "v1");
  t.deepEqual(run.ofType("aws:apigateway/account:Account"), [], "the region-wide logging role is left alone by default");
  t.deepEqual(run.ofType("aws:apigateway/response:Response"), [], "no CORS origins, no CORS headers");
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "api-reader"), "environment");
  t.deepEqual(Object.keys(env.variables).sort(), ["ALLOWED_ORIGINS", "LOG_LEVEL", "NODE_OPTIONS", "TABLE_NAME"]);
  const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "api-reader"), "policy"));
  t.deepEqual(policy.find((s) => s.Sid === "ReadLedger")?.Resource, [EXISTING.tableArn, `${EXISTING.tableArn}/index/history`]);
});

serial("LoyaltyApi with Cognito, an admin group and CORS", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyApi("api", {
      store: EXISTING,
      auth: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc" },
      adminGroup: "support",
      allowedOrigins: ["https://www.otrium.com"],
      stageName: "live",
      throttle: { rateLimit: 5, burstLimit: 7 },
    });
  }, { config: CONFIG });
  t.deepEqual(methods(run.resources), [
    "GET COGNITO_USER_POOLS",
    "GET COGNITO_USER_POOLS",
    "OPTIONS NONE",
    "OPTIONS NONE",
    "OPTIONS NONE",
    "OPTIONS NONE",
    "POST COGNITO_USER_POOLS",
    "POST COGNITO_USER_POOLS",
  ]);
  t.like(run.get("aws:apigateway/methodSettings:MethodSettings", "api").inputs, {
    settings: { throttlingRateLimit: 5, throttlingBurstLimit: 7 },
  });
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "api-reader"), "environment");
  t.like(env.variables, { ADMIN_GROUP: "support", ALLOWED_ORIGINS: "https://www.otrium.com" });
  // API Gateway's own refusals (e.g. 401 from the authorizer) are readable by the browser app too.
  for (const name of ["api-default-4xx", "api-default-5xx"]) {
    t.deepEqual(input(run.get("aws:apigateway/response:Response", name), "responseParameters"), {
      "gatewayresponse.header.Access-Control-Allow-Origin": "'https://www.otrium.com'",
      "gatewayresponse.header.Vary": "'Origin'",
    });
  }
});

serial("LoyaltyApi open to anyone only when asked", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyApi("api", { store: EXISTING, auth: { type: "none" } });
  }, { config: CONFIG });
  t.deepEqual(methods(run.resources), ["GET NONE", "GET NONE", "POST NONE", "POST NONE"]);
});

serial("LoyaltyAlerts: an encrypted topic, one subscription per address", async (t) => {
  const run = await runProgram(() => {
    new LoyaltyAlerts("alerts", { emails: ["a@otrium.com", "b@otrium.com"] });
  }, { config: CONFIG });
  t.deepEqual(run.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => input(s, "endpoint")), ["a@otrium.com", "b@otrium.com"]);
  t.regex(input<string>(run.get("aws:sns/topic:Topic", "alerts"), "kmsMasterKeyId"), /key\/alerts-topic-key-id$/);
});

serial("reuse: ingest and API over an existing table on a custom bus, unchanged", async (t) => {
  const example = path.resolve(__dirname, "../examples/reuse-existing-table.ts");
  const run = await runProgram(() => require(example) as Record<string, unknown>, {
    config: {
      ...CONFIG,
      "marketplace:ledgerTableName": EXISTING.tableName,
      "marketplace:ledgerTableArn": EXISTING.tableArn,
      "marketplace:ledgerKmsKeyArn": EXISTING.kmsKeyArn,
    },
  });
  t.deepEqual(run.ofType("otrium:loyalty:LoyaltyStore"), []);
  t.deepEqual(run.ofType("aws:dynamodb/table:Table"), []);
  t.is(input(run.get("aws:cloudwatch/eventRule:EventRule", "partner-ingest-orders"), "eventBusName"), "marketplace-partners");
  const writerEnv = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "partner-ingest-writer"), "environment");
  t.is(writerEnv.variables.TABLE_NAME, EXISTING.tableName);
  const readerPolicy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "partner-api-reader"), "policy"));
  t.deepEqual(readerPolicy.find((s) => s.Sid === "DecryptLedger")?.Resource, [EXISTING.kmsKeyArn]);
  t.like(run.outputs, {
    apiUrl: "https://partner-api-id.execute-api.eu-west-1.amazonaws.com/partners",
    queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/partner-ingest-queue-a1b2c3",
  });
});
