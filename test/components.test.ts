/**
 * Each component alone, as another stack would use it: with minimal args (the secure
 * defaults) and with overrides; and the reuse example over an existing table and bus.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { originTemplate } from "../components/api-preflight";
import { publisherStatementId } from "../components/bus-permissions";
import {
  LoyaltyAlerts,
  LoyaltyApi,
  LoyaltyEvents,
  LoyaltyIngest,
  LoyaltySettle,
  LoyaltyStore,
  type LoyaltyApiArgs,
  type LoyaltyEventsArgs,
  type LoyaltyIngestArgs,
  type LoyaltySettleArgs,
} from "../components";
import { InvalidComponentArgsError } from "../components/validate-args";
import { parseStackConfig } from "../config/stack-config";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { ProgramFailedError, runProgram, type CapturedResource } from "../harness/mock-program";
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
const PUBLISHERS = ["444455556666"];

serial("LoyaltyStore with no args: on-demand, own rotated key, PITR and deletion protection on", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyStore("store");
    },
    { config: CONFIG },
  );
  t.deepEqual(
    run.resources.map((r) => r.type),
    ["otrium:loyalty:LoyaltyStore", "aws:kms/key:Key", "aws:dynamodb/table:Table"],
  );
  const table = run.get("aws:dynamodb/table:Table", "store");
  t.like(table.inputs, {
    billingMode: "PAY_PER_REQUEST",
    deletionProtectionEnabled: true,
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/store-key-id" },
    ttl: { attributeName: "ttl", enabled: true },
  });
  t.true(input<boolean>(run.get("aws:kms/key:Key", "store"), "enableKeyRotation"));
  t.regex(table.urn, /otrium:loyalty:LoyaltyStore\$aws:dynamodb\/table:Table::store$/);
});

serial("LoyaltyStore with overrides: a given key, provisioned capacity, protection off", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyStore("store", {
        kmsKeyArn: EXISTING.kmsKeyArn,
        deletionProtection: false,
        pointInTimeRecovery: false,
        provisioned: { readCapacity: 5, writeCapacity: 3 },
      });
    },
    { config: CONFIG },
  );
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

serial(
  "LoyaltyStore grants: read is GetItem/Query on the table and its index; the writer's has no Scan, and deletes only customers' items (erasure)",
  async (t) => {
    const { outputs } = await runProgram(
      () => {
        const store = new LoyaltyStore("store");
        return { read: store.grantRead(), write: store.grantLedgerWrite() };
      },
      { config: CONFIG },
    );
    const read = statementsOf({ Statement: outputs.read });
    // Customers' partitions only: a reader cannot read a tombstone or an index item.
    t.like(read[0], {
      Action: ["dynamodb:GetItem", "dynamodb:Query"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*"] } },
    });
    t.is(read[0]?.Resource.length, 2);
    const write = statementsOf({ Statement: outputs.write });
    const bySid = (sid: string) => write.find((statement) => statement.Sid === sid);
    t.like(bySid("WriteLedger"), {
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*"] } },
    });
    t.like(bySid("IndexReleaseDays"), {
      Action: ["dynamodb:PutItem"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["RELEASES#*"] } },
    });
    t.like(bySid("IndexExpiryDays"), {
      Action: ["dynamodb:UpdateItem"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["EXPIRES#*"] } },
    });
    // Tombstones are created and checked, never updated.
    t.like(bySid("CreateAndCheckTombstones"), {
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["ERASED#*"] } },
    });
    t.like(bySid("EraseCustomers"), {
      Action: ["dynamodb:BatchWriteItem"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*", "EXPIRES#*", "RELEASES#*"] } },
    });
    t.deepEqual(bySid("EncryptLedger")?.Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
    t.false(write.some((statement) => statement.Action.includes("dynamodb:Scan") || statement.Action.includes("dynamodb:DeleteItem")));
  },
);

serial("LoyaltyIngest over an existing table with minimal args: the secure defaults", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyIngest("ingest", { store: EXISTING, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS });
    },
    { config: CONFIG },
  );
  t.deepEqual(run.ofType("aws:dynamodb/table:Table"), []);
  const queue = run.get("aws:sqs/queue:Queue", "ingest-queue");
  t.is(input(queue, "visibilityTimeoutSeconds"), 180);
  t.is(JSON.parse(input<string>(queue, "redrivePolicy")).maxReceiveCount, 5);
  const rule = run.get("aws:cloudwatch/eventRule:EventRule", "ingest-orders");
  t.is(input(rule, "eventBusName"), "default");
  t.deepEqual(JSON.parse(input<string>(rule, "eventPattern")), { ...loyaltyEventPattern(), account: PUBLISHERS });
  t.like(run.get("aws:lambda/eventSourceMapping:EventSourceMapping", "ingest-writer").inputs, {
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    scalingConfig: { maximumConcurrency: 5 },
    functionResponseTypes: ["ReportBatchItemFailures"],
  });
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "ingest-writer"), "environment");
  t.like(env.variables, {
    TABLE_NAME: EXISTING.tableName,
    EARN_RULES: '{"EUR":1}',
    PUBLISHER_ACCOUNTS: '["444455556666"]',
    EVENT_SOURCE: "otrium.ecommerce",
    LOG_LEVEL: "info",
  });
  t.deepEqual(JSON.parse(input<string>(rule, "eventPattern")).account, PUBLISHERS);
  const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "ingest-writer"), "policy"));
  t.deepEqual(policy.find((s) => s.Sid === "WriteLedger")?.Resource, [EXISTING.tableArn]);
  t.deepEqual(policy.find((s) => s.Sid === "EncryptLedger")?.Resource, [EXISTING.kmsKeyArn]);
  // Contract changes: Order Return Window Closed (lifecycle) and Customer Deleted (erasure) are published too.
  t.is(run.ofType("aws:schemas/schema:Schema").length, 4);
  for (const alarm of run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) t.deepEqual(input(alarm, "alarmActions"), []);
});

serial("LoyaltyIngest with overrides: bus, source, receives, timeouts, batching, no contract", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyIngest("ingest", {
        store: EXISTING,
        earnRules: { GBP: 1.25 },
        publisherAccounts: PUBLISHERS,
        redriveOperators: ["arn:aws:iam::123456789012:role/ops"],
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
    },
    { config: CONFIG },
  );
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
  // A rule on a custom bus is keyed by EventBusName and RuleName.
  t.deepEqual(input(run.get("aws:cloudwatch/metricAlarm:MetricAlarm", "ingest-rule-failed-invocations"), "dimensions"), {
    EventBusName: "partners",
    RuleName: "ingest-orders-a1b2c3",
  });
  const deny = statementsOf(input(run.get("aws:sqs/queuePolicy:QueuePolicy", "ingest-queue"), "policy")).find(
    (s) => s.Sid === "DenySendExceptRuleAndOperators",
  );
  t.deepEqual(deny?.Condition, {
    ArnNotEquals: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/ingest-orders-a1b2c3" },
    ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/ops"] },
  });
});

/** `<verb> <authorization>` of the API's methods in one tree (the backends' tree is named `…-admin-…`). */
const methodsIn = (tree: "customer" | "admin", resources: CapturedResource[]) =>
  resources
    .filter((r) => r.type === "aws:apigateway/method:Method" && /^api-[a-z]+-admin-/.test(r.name) === (tree === "admin"))
    .map((r) => `${String(input(r, "httpMethod"))} ${String(input(r, "authorization"))}`)
    .sort();
const methods = (resources: CapturedResource[]) => methodsIn("customer", resources);
/** The API Gateway resources of the customer tree, parents before children. */
const CUSTOMER_PATH_PARTS = [
  "points",
  "{userId}",
  "history",
  "redemptions",
  "{redemptionId}",
  "cancel",
  "adjustments",
  "rewards",
  "{rewardId}",
  "codes",
];
/** Every route's method, sorted: the points routes and the catalogue's. */
const ROUTE_METHODS = ["DELETE", "GET", "GET", "GET", "GET", "POST", "POST", "POST", "POST", "PUT"];
/** The backends' tree, the same in every API: every route, SigV4, no preflights. */
const ADMIN_TREE = ROUTE_METHODS.map((method) => `${method} AWS_IAM`);

serial("LoyaltyApi with minimal args: IAM-authorized methods, no CORS, read-only reader", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", { store: EXISTING });
    },
    { config: CONFIG },
  );
  t.deepEqual(methods(run.resources), ADMIN_TREE, "the customer tree behind IAM too");
  t.deepEqual(run.ofType("aws:apigateway/authorizer:Authorizer"), []);
  t.deepEqual(
    run.ofType("aws:apigateway/resource:Resource").map((r) => input(r, "pathPart")),
    // The customer tree, then the same under `admin`.
    [...CUSTOMER_PATH_PARTS, "admin", ...CUSTOMER_PATH_PARTS],
  );
  t.deepEqual(methodsIn("admin", run.resources), ADMIN_TREE);
  t.is(input(run.get("aws:apigateway/stage:Stage", "api"), "stageName"), "v1");
  t.deepEqual(run.ofType("aws:apigateway/account:Account"), [], "the region-wide logging role is left alone by default");
  for (const response of run.ofType("aws:apigateway/response:Response")) {
    t.is(
      input<Record<string, string>>(response, "responseParameters")["gatewayresponse.header.Access-Control-Allow-Origin"],
      undefined,
      "no CORS origins, no CORS headers",
    );
  }
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "api-reader"), "environment");
  t.deepEqual(Object.keys(env.variables).sort(), ["ADMIN_PRINCIPALS", "ALLOWED_ORIGINS", "LOG_LEVEL", "NODE_OPTIONS", "TABLE_NAME"]);
  t.is(env.variables.ADMIN_PRINCIPALS, "[]", "no IAM caller is an admin unless listed");
  const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "api-reader"), "policy"));
  t.deepEqual(policy.find((s) => s.Sid === "ReadLedger")?.Resource, [EXISTING.tableArn, `${EXISTING.tableArn}/index/history`]);
});

serial("LoyaltyApi with Cognito, an admin group and CORS", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", {
        store: EXISTING,
        auth: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc" },
        adminGroup: "support",
        allowedOrigins: ["https://www.otrium.com"],
        stageName: "live",
        throttle: { rateLimit: 5, burstLimit: 7 },
      });
    },
    { config: CONFIG },
  );
  t.deepEqual(
    methods(run.resources),
    [
      ...ROUTE_METHODS.map((method) => `${method} COGNITO_USER_POOLS`),
      // One preflight per path: GET and DELETE /points/{userId} share one, GET and PUT /rewards/{rewardId} another.
      ...Array.from({ length: 8 }, () => "OPTIONS NONE"),
    ].sort(),
  );
  t.deepEqual(methodsIn("admin", run.resources), ADMIN_TREE, "SigV4 for backends beside the apps' Cognito, with no preflights");
  t.like(run.get("aws:apigateway/methodSettings:MethodSettings", "api").inputs, {
    settings: { throttlingRateLimit: 5, throttlingBurstLimit: 7 },
  });
  const env = input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "api-reader"), "environment");
  t.like(env.variables, { ADMIN_GROUP: "support", ALLOWED_ORIGINS: "https://www.otrium.com" });
  // API Gateway's own refusals (e.g. 401 from the authorizer) are readable by the browser app too.
  for (const name of ["api-default-4xx", "api-default-5xx", "api-unauthorized", "api-throttled"]) {
    t.deepEqual(input(run.get("aws:apigateway/response:Response", name), "responseParameters"), {
      "gatewayresponse.header.Cache-Control": "'no-store'",
      "gatewayresponse.header.Access-Control-Allow-Origin": "'https://www.otrium.com'",
      "gatewayresponse.header.Vary": "'Origin'",
    });
  }
});

serial("LoyaltyApi with several origins: API Gateway's own answers never echo the request's Origin", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", { store: EXISTING, allowedOrigins: ["https://www.otrium.com", "https://app.otrium.com"] });
    },
    { config: CONFIG },
  );
  const responses = run.ofType("aws:apigateway/response:Response");
  t.true(responses.length >= 2);
  for (const response of responses) {
    const headers = JSON.stringify(input(response, "responseParameters"));
    t.false(headers.includes("method.request.header.Origin"), response.name);
    t.false(headers.includes("Access-Control-Allow-Origin"), response.name);
  }
  const any = await runProgram(
    () => {
      new LoyaltyApi("api", { store: EXISTING, allowedOrigins: ["*"] });
    },
    { config: CONFIG },
  );
  t.like(input(any.get("aws:apigateway/response:Response", "api-default-4xx"), "responseParameters"), {
    "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
  });
});

serial("LoyaltyApi open to anyone only when spelled out", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", { store: EXISTING, auth: { type: "none", openToTheInternet: true } });
    },
    { config: CONFIG },
  );
  t.deepEqual(
    methods(run.resources),
    ROUTE_METHODS.map((method) => `${method} NONE`),
  );
  t.deepEqual(methodsIn("admin", run.resources), ADMIN_TREE, "the backends' tree stays SigV4");
});

serial("LoyaltyAlerts: an encrypted topic, one subscription per address", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyAlerts("alerts", { emails: ["a@otrium.com", "b@otrium.com"] });
    },
    { config: CONFIG },
  );
  t.deepEqual(
    run.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => input(s, "endpoint")),
    ["a@otrium.com", "b@otrium.com"],
  );
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
      "marketplace:publisherAccounts": JSON.stringify(PUBLISHERS),
    },
  });
  t.deepEqual(run.ofType("otrium:loyalty:LoyaltyStore"), []);
  t.deepEqual(run.ofType("aws:dynamodb/table:Table"), []);
  t.is(input(run.get("aws:cloudwatch/eventRule:EventRule", "partner-ingest-orders"), "eventBusName"), "marketplace-partners");
  const writerEnv = input<{ variables: Record<string, string> }>(
    run.get("aws:lambda/function:Function", "partner-ingest-writer"),
    "environment",
  );
  t.is(writerEnv.variables.TABLE_NAME, EXISTING.tableName);
  const readerPolicy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "partner-api-reader"), "policy"));
  t.deepEqual(readerPolicy.find((s) => s.Sid === "DecryptLedger")?.Resource, [EXISTING.kmsKeyArn]);
  t.like(run.outputs, {
    apiUrl: "https://partner-api-id.execute-api.eu-west-1.amazonaws.com/partners",
    queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/partner-ingest-queue-a1b2c3",
  });
});

// --- what reaches the stage -------------------------------------------------------------------

const POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc";
const SERVED: LoyaltyApiArgs = {
  store: EXISTING,
  auth: { type: "cognito", userPoolArn: POOL },
  adminGroup: "support",
  allowedOrigins: ["https://www.otrium.com"],
};

/** The deployment's trigger for these args, with `transformations` applied to the API's children. */
async function stageTrigger(args: LoyaltyApiArgs, transformations: pulumi.ResourceTransformation[] = []): Promise<string> {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", args, { transformations });
    },
    { config: CONFIG },
  );
  return input<{ stage: string }>(run.get("aws:apigateway/deployment:Deployment", "api"), "triggers").stage;
}

/** A transformation that changes the inputs of every child of `type`. */
const changing =
  (type: string, change: Record<string, unknown>): pulumi.ResourceTransformation =>
  (args) =>
    args.type === type ? { props: { ...args.props, ...change }, opts: args.opts } : undefined;

serial("the stage is redeployed when anything it serves changes, and only then", async (t) => {
  const base = await stageTrigger(SERVED);
  t.regex(base, /^[0-9a-f]{64}$/);
  t.is(await stageTrigger(SERVED), base, "nothing changed: no new deployment, no diff");
  // Not served by the stage: the functions' settings, the stage's own settings.
  t.is(
    await stageTrigger({ ...SERVED, adminGroup: "other", logLevel: "debug", throttle: { rateLimit: 1, burstLimit: 1 }, stageName: "live" }),
    base,
  );

  // Mocks are global: one run at a time.
  const changes: Array<[string, () => Promise<string>]> = [
    ["another user pool", () => stageTrigger({ ...SERVED, auth: { type: "cognito", userPoolArn: POOL.replace("abc", "def") } })],
    ["IAM instead of Cognito", () => stageTrigger({ ...SERVED, auth: { type: "iam" } })],
    ["another allowed origin", () => stageTrigger({ ...SERVED, allowedOrigins: ["https://app.otrium.com"] })],
    ["a second allowed origin", () => stageTrigger({ ...SERVED, allowedOrigins: ["https://www.otrium.com", "https://app.otrium.com"] })],
    ["no CORS", () => stageTrigger({ ...SERVED, allowedOrigins: [] })],
    ["a changed request model", () => stageTrigger(SERVED, [changing("aws:apigateway/model:Model", { schema: '{"type":"object"}' })])],
    [
      "a changed validator",
      () => stageTrigger(SERVED, [changing("aws:apigateway/requestValidator:RequestValidator", { validateRequestBody: false })]),
    ],
    ["a changed gateway response", () => stageTrigger(SERVED, [changing("aws:apigateway/response:Response", { statusCode: "418" })])],
    [
      "a changed integration",
      () => stageTrigger(SERVED, [changing("aws:apigateway/integration:Integration", { timeoutMilliseconds: 5000 })]),
    ],
    ["a changed method", () => stageTrigger(SERVED, [changing("aws:apigateway/method:Method", { apiKeyRequired: true })])],
    [
      "a changed authorizer",
      () => stageTrigger(SERVED, [changing("aws:apigateway/authorizer:Authorizer", { identitySource: "method.request.header.X-Token" })]),
    ],
    ["an admin principal listed", () => stageTrigger({ ...SERVED, adminPrincipals: ["arn:aws:iam::123456789012:role/support-backend"] })],
    [
      "a changed resource policy",
      () =>
        stageTrigger(SERVED, [
          changing("aws:apigateway/restApiPolicy:RestApiPolicy", { policy: '{"Version":"2012-10-17","Statement":[]}' }),
        ]),
    ],
  ];
  const seen = new Set([base]);
  for (const [what, trigger] of changes) {
    const value = await trigger();
    t.not(value, base, what);
    seen.add(value);
  }
  t.is(seen.size, changes.length + 1, "every change gives its own deployment");
});

serial("the deployment is made after everything it snapshots", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", SERVED);
    },
    { config: CONFIG },
  );
  const deployment = run.get("aws:apigateway/deployment:Deployment", "api");
  const shaping = run.resources.filter((r) =>
    ["method:Method", "integration:Integration", "response:Response"].some((suffix) => r.type.endsWith(suffix)),
  );
  for (const resource of shaping) t.true(deployment.dependencies.includes(resource.urn), resource.name);
});

// --- arguments checked where they enter --------------------------------------------------------

/** The message a component's constructor throws for `build`, and how many resources it had registered. */
async function refusal(build: () => void): Promise<{ message: string; registered: number }> {
  try {
    await runProgram(build, { config: CONFIG });
  } catch (error) {
    if (error instanceof ProgramFailedError && error.cause instanceof InvalidComponentArgsError) {
      return { message: error.cause.message, registered: error.resourcesRegistered };
    }
    throw error;
  }
  throw new Error("the component accepted its arguments");
}

/** The stack config's message for the same mistake, without its `otrium-loyalty:<section>.` prefix. */
function stackConfigMessage(key: string, value: unknown, field: string): string {
  try {
    parseStackConfig({
      "aws:region": "eu-west-1",
      "otrium-loyalty:earnRules": '{"EUR":1}',
      "otrium-loyalty:publisherAccounts": '["444455556666"]',
      [`otrium-loyalty:${key}`]: JSON.stringify(value),
    });
  } catch (error) {
    const line =
      String(error instanceof Error ? error.message : error)
        .split("\n")
        .find((l) => l.includes(`${field}:`)) ?? "";
    return line.slice(line.indexOf(`${field}:`) + field.length + 1).trim();
  }
  throw new Error(`the stack config accepted ${key}`);
}

serial("LoyaltyIngest refuses bad arguments in its constructor, with the stack config's messages", async (t) => {
  const ingest =
    (args: Partial<LoyaltyIngestArgs>, name = "ingest") =>
    () => {
      new LoyaltyIngest(name, { store: EXISTING, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS, ...args });
    };
  const batch = await refusal(ingest({ batchSize: 50 }));
  t.is(batch.registered, 0, "nothing is registered");
  t.regex(
    batch.message,
    /^invalid arguments of LoyaltyIngest "ingest":\n {2}batchingWindowSeconds: must be at least 1 when batchSize is over 10 \(found nothing\)$/,
  );
  t.true(batch.message.endsWith(stackConfigMessage("writer", { batchSize: 50 }, "batchingWindowSeconds")));

  const concurrency = await refusal(ingest({ maxConcurrency: 1 }));
  t.regex(concurrency.message, /maxConcurrency: must be a whole number from 2 to 1000 \(found 1\)/);
  t.true(concurrency.message.endsWith(stackConfigMessage("writer", { maxConcurrency: 1 }, "maxConcurrency")));

  t.regex((await refusal(ingest({ earnRules: { XYZ: 1 } }))).message, /earnRules\.XYZ: is not an active ISO 4217 currency/);
  t.regex(
    (await refusal(ingest({ earnRules: { EUR: 1.125 } }))).message,
    /earnRules\.EUR: must have at most two decimals \(found 1\.125\)/,
  );
  t.regex(
    (await refusal(ingest({ publisherAccounts: [] }))).message,
    /publisherAccounts: must name at least one publisher account \(found \[\]\)/,
  );
  t.regex(
    (await refusal(ingest({ publisherAccounts: ["otrium"] }))).message,
    /publisherAccounts\.0: must be a 12-digit AWS account id \(found "otrium"\)/,
  );
  t.regex(
    (await refusal(ingest({ writerTimeoutSeconds: 901 }))).message,
    /writerTimeoutSeconds: must be a whole number from 1 to 900 \(found 901\)/,
  );
  t.regex((await refusal(ingest({ redriveOperators: ["ops"] }))).message, /redriveOperators\.0: must be an IAM role or user ARN/);
  t.regex((await refusal(ingest({}, "ingest_1"))).message, /name: must be 1–40 letters, digits and -/);
  // Every problem at once.
  t.is((await refusal(ingest({ maxConcurrency: 1, writerMemoryMb: 1 }))).message.split("\n").length, 3);
});

serial("LoyaltyApi refuses bad arguments in its constructor, with the stack config's messages", async (t) => {
  const api = (args: Partial<LoyaltyApiArgs>) => () => {
    new LoyaltyApi("api", { store: EXISTING, ...args });
  };
  const stage = await refusal(api({ stageName: "v 1" }));
  t.is(stage.registered, 0);
  t.regex(stage.message, /stageName: must use only letters, digits, _ and - \(found "v 1"\)/);
  t.true(stage.message.endsWith(stackConfigMessage("api", { stageName: "v 1" }, "stageName")));
  t.regex(
    (await refusal(api({ auth: { type: "cognito", userPoolArn: "pool-1" } }))).message,
    /auth\.userPoolArn: must be a Cognito user pool ARN \(found "pool-1"\)/,
  );
  t.regex(
    (await refusal(api({ allowedOrigins: ["www.otrium.com"] }))).message,
    /allowedOrigins\.0: must be an origin like https:\/\/www\.otrium\.com, or \*/,
  );
  t.regex((await refusal(api({ adminPrincipals: ["admin"] }))).message, /adminPrincipals\.0: must be an IAM role or user ARN/);
  t.regex(
    (await refusal(api({ throttle: { rateLimit: 0, burstLimit: 1 } }))).message,
    /throttle\.rateLimit: must be a whole number from 1 to 10000 \(found 0\)/,
  );
  // What any caller may now type (auth is one interface): no auth without saying so.
  const open = await refusal(api({ auth: { type: "none" } }));
  t.regex(open.message, /auth\.openToTheInternet: must be set: \{type: "none"\} needs openToTheInternet: true/);
});

serial(
  "LoyaltyApi's auth is one interface for every language, and still only its three combinations pass, with the stack config's messages",
  async (t) => {
    const api = (auth: LoyaltyApiArgs["auth"]) => () => {
      new LoyaltyApi("api", { store: EXISTING, auth });
    };
    const pool = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc";
    const refused = async (auth: LoyaltyApiArgs["auth"], config: unknown) => {
      const { message, registered } = await refusal(api(auth));
      t.is(registered, 0);
      const line = message.split("\n")[1]?.trim() ?? "";
      const field = line.slice(0, line.indexOf(":"));
      t.true(message.endsWith(stackConfigMessage("api", { auth: config }, field)), `${JSON.stringify(auth)}: ${message}`);
      return message;
    };
    t.regex(await refused({ type: "cognito" }, { type: "cognito" }), /auth\.userPoolArn: must be set to the Cognito user pool ARN/);
    t.regex(
      await refused({ type: "none", openToTheInternet: false }, { type: "none", openToTheInternet: false }),
      /auth\.openToTheInternet: must be true/,
    );
    await refused({ type: "iam", userPoolArn: pool }, { type: "iam", userPoolArn: pool });
    await refused({ type: "iam", openToTheInternet: true }, { type: "iam", openToTheInternet: true });
    await refused(
      { type: "cognito", userPoolArn: pool, openToTheInternet: true },
      { type: "cognito", userPoolArn: pool, openToTheInternet: true },
    );
    for (const auth of [{ type: "iam" }, { type: "cognito", userPoolArn: pool }, { type: "none", openToTheInternet: true }] as const) {
      await t.notThrowsAsync(runProgram(api(auth), { config: CONFIG }), JSON.stringify(auth));
    }
  },
);

serial(
  "LoyaltyIngest takes its rule's pattern as JSON text, as AWS and every language pass it; anything but a JSON object is refused",
  async (t) => {
    const pattern = { source: ["otrium.partners"], "detail-type": ["Order Completed"] };
    const run = await runProgram(
      () => {
        new LoyaltyIngest("ingest", {
          store: EXISTING,
          earnRules: { EUR: 1 },
          publisherAccounts: PUBLISHERS,
          eventPattern: JSON.stringify(pattern),
        });
      },
      { config: CONFIG },
    );
    t.deepEqual(JSON.parse(input<string>(run.get("aws:cloudwatch/eventRule:EventRule", "ingest-orders"), "eventPattern")), {
      ...pattern,
      account: PUBLISHERS,
    });
    for (const text of ["{", "[1]", "7"]) {
      const { message, registered } = await refusal(() => {
        new LoyaltyIngest("ingest", { store: EXISTING, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS, eventPattern: text });
      });
      t.is(registered, 0);
      t.regex(message, /eventPattern: must be an EventBridge pattern: the text of a JSON object/, text);
    }
  },
);

serial(
  "the tiers have one owner, the ledger: the writer, the reader and the settle follow the store's; bad tiers are refused by the store",
  async (t) => {
    const tiers = {
      levels: [
        { name: "Member", threshold: 0 },
        { name: "VIP", threshold: 100, multiplier: 2 },
      ],
      windowDays: 30,
    };
    const withDefaults = {
      levels: [
        { name: "Member", threshold: 0, multiplier: 1 },
        { name: "VIP", threshold: 100, multiplier: 2 },
      ],
      windowDays: 30,
    };
    const tiersOf = (run: Awaited<ReturnType<typeof runProgram>>, fn: string) =>
      JSON.parse(
        input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", fn), "environment").variables.TIERS ?? "null",
      );
    const owned = await runProgram(
      () => {
        const store = new LoyaltyStore("store", { tiers });
        new LoyaltyIngest("ingest", { store, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS });
        new LoyaltyApi("api", { store });
        new LoyaltySettle("settle", { store });
        // Over an existing table, its ref carries them; with none, no function is given any.
        new LoyaltyApi("reused", { store: { ...EXISTING, tiers } });
        new LoyaltyApi("plain", { store: EXISTING });
      },
      { config: CONFIG },
    );
    t.deepEqual(
      ["ingest-writer", "api-reader", "settle", "reused-reader", "plain-reader", "api-redeemer", "api-admin"].map((fn) =>
        tiersOf(owned, fn),
      ),
      [withDefaults, withDefaults, withDefaults, withDefaults, null, null, null],
    );
    const bad = await refusal(() => void new LoyaltyStore("store", { tiers: { levels: [{ name: "Member", threshold: 10 }] } }));
    t.is(bad.registered, 0);
    t.regex(
      bad.message,
      /^invalid arguments of LoyaltyStore "store":\n {2}tiers\.levels: must start with a level at threshold 0 \(found \[\{"name":"Member","threshold":10\}\]\)$/,
    );
    t.regex(
      (
        await refusal(
          () =>
            void new LoyaltySettle("settle", {
              store: { ...EXISTING, tiers: { levels: [{ name: "Member", threshold: 0 }], windowDays: 0 } },
            }),
        )
      ).message,
      /store\.tiers\.windowDays: must be at least 1 \(found 0\)/,
    );
  },
);

serial(
  "the points lifecycle has one owner, the ledger: the writer and the admin function both follow the store's; an ingest or an API given one of its own is refused",
  async (t) => {
    const lifecycle = { pendingDays: 14, expiryDays: 180 };
    const lifecycleOf = (run: Awaited<ReturnType<typeof runProgram>>, fn: string) =>
      JSON.parse(
        input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", fn), "environment").variables
          .POINTS_LIFECYCLE ?? "null",
      );
    const owned = await runProgram(
      () => {
        const store = new LoyaltyStore("store", { lifecycle });
        new LoyaltyIngest("ingest", { store, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS });
        new LoyaltyApi("api", { store });
      },
      { config: CONFIG },
    );
    t.deepEqual(lifecycleOf(owned, "ingest-writer"), lifecycle);
    t.deepEqual(lifecycleOf(owned, "api-admin"), lifecycle);
    // Over an existing table, the table's ref carries it; with none, both are immediate.
    const reused = await runProgram(
      () => {
        new LoyaltyIngest("ingest", { store: { ...EXISTING, lifecycle }, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS });
        new LoyaltyApi("api", { store: { ...EXISTING, lifecycle } });
        new LoyaltyIngest("plain", { store: EXISTING, earnRules: { EUR: 1 }, publisherAccounts: PUBLISHERS });
        new LoyaltyApi("plain-api", { store: EXISTING });
      },
      { config: CONFIG },
    );
    t.deepEqual([lifecycleOf(reused, "ingest-writer"), lifecycleOf(reused, "api-admin")], [lifecycle, lifecycle]);
    t.deepEqual(
      [lifecycleOf(reused, "plain-writer"), lifecycleOf(reused, "plain-api-admin")],
      [
        { pendingDays: 0, expiryDays: 0 },
        { pendingDays: 0, expiryDays: 0 },
      ],
    );

    // A stack (or JavaScript caller) that gives the API or the ingest a lifecycle of its own is told where it goes.
    const apiArgs = { store: EXISTING, lifecycle: { pendingDays: 0, expiryDays: 30 } };
    const ingestArgs = {
      store: EXISTING,
      earnRules: { EUR: 1 },
      publisherAccounts: PUBLISHERS,
      lifecycle: { pendingDays: 0, expiryDays: 30 },
    };
    const moved =
      /\n {2}lifecycle: is the ledger's now: give it to the LoyaltyStore \(or as the `lifecycle` of the table ref\) that the ingest and the API share/;
    t.regex((await refusal(() => void new LoyaltyApi("api", apiArgs))).message, moved);
    t.regex((await refusal(() => void new LoyaltyIngest("ingest", ingestArgs))).message, moved);
    // The store checks it with the stack config's rules and messages.
    const bad = await refusal(() => void new LoyaltyStore("store", { lifecycle: { pendingDays: 400, expiryDays: 0 } }));
    t.is(bad.registered, 0);
    t.regex(bad.message, /^invalid arguments of LoyaltyStore "store":\n {2}lifecycle\.pendingDays: must be at most 365 \(found 400\)$/);
    t.regex(
      (await refusal(() => void new LoyaltyApi("api", { store: { ...EXISTING, lifecycle: { pendingDays: 0, expiryDays: -1 } } }))).message,
      /store\.lifecycle\.expiryDays: /,
    );
  },
);

serial("LoyaltySettle over an existing table with minimal args: daily at 00:15 UTC, retried, parked, alarmed", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltySettle("settle", { store: EXISTING });
    },
    { config: CONFIG },
  );
  const schedule = run.get("aws:scheduler/schedule:Schedule", "settle");
  t.like(schedule.inputs, {
    scheduleExpression: "cron(15 0 * * ? *)",
    scheduleExpressionTimezone: "UTC",
    target: { retryPolicy: { maximumRetryAttempts: 20 } },
  });
  const fn = run.get("aws:lambda/function:Function", "settle");
  t.like(fn.inputs, { timeout: 900, memorySize: 256, runtime: "nodejs22.x" });
  t.like(input<{ variables: Record<string, string> }>(fn, "environment").variables, { TABLE_NAME: "ledger-elsewhere", LOG_LEVEL: "info" });
  const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "settle"), "policy"));
  t.deepEqual(policy.find((s) => s.Sid === "WalkDayIndexes")?.Resource, [EXISTING.tableArn]);
  t.deepEqual(policy.find((s) => s.Sid === "EncryptLedger")?.Resource, [EXISTING.kmsKeyArn]);
  t.deepEqual(
    run
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((a) => a.name)
      .sort(),
    ["settle-did-not-run", "settle-dlq-not-empty", "settle-errors", "settle-park-failed", "settle-schedule-dlq-send-failed"],
  );
  t.regex(
    input<string>(run.get("aws:cloudwatch/metricAlarm:MetricAlarm", "settle-dlq-not-empty"), "alarmDescription"),
    /invoke settle-a1b2c3 with \{"days": \["YYYY-MM-DD"/,
  );
});

serial("LoyaltySettle with overrides: another schedule, timeout, memory", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltySettle("settle", {
        store: EXISTING,
        scheduleExpression: "rate(12 hours)",
        timeoutSeconds: 300,
        memoryMb: 512,
        logLevel: "debug",
      });
    },
    { config: CONFIG },
  );
  t.is(input(run.get("aws:scheduler/schedule:Schedule", "settle"), "scheduleExpression"), "rate(12 hours)");
  t.like(run.get("aws:lambda/function:Function", "settle").inputs, { timeout: 300, memorySize: 512 });
});

serial("LoyaltySettle refuses bad arguments in its constructor, naming each", async (t) => {
  const settle = (args: Partial<LoyaltySettleArgs>) => () => {
    new LoyaltySettle("settle", { store: EXISTING, ...args });
  };
  const cron = await refusal(settle({ scheduleExpression: "0 0 * * *" }));
  t.is(cron.registered, 0, "nothing is registered");
  t.regex(
    cron.message,
    /^invalid arguments of LoyaltySettle "settle":\n {2}scheduleExpression: must be an EventBridge Scheduler expression like cron\(15 0 \* \* \? \*\) or rate\(1 day\) \(found "0 0 \* \* \*"\)$/,
  );
  t.regex(
    (await refusal(settle({ scheduleExpression: "rate(0 days)" }))).message,
    /scheduleExpression: must be an EventBridge Scheduler expression/,
  );
  t.regex((await refusal(settle({ timeoutSeconds: 901 }))).message, /timeoutSeconds: must be a whole number from 1 to 900 \(found 901\)/);
  t.regex((await refusal(settle({ memoryMb: 64 }))).message, /memoryMb: must be a whole number from 128 to 10240 \(found 64\)/);
});

const EXISTING_STREAM = { ...EXISTING, streamArn: `${EXISTING.tableArn}/stream/2026-01-01T00:00:00.000` };

serial(
  "LoyaltyEvents over an existing table's stream, on another bus: filtered mapping, parked failures, least privilege, alarmed",
  async (t) => {
    const run = await runProgram(
      () => {
        new LoyaltyEvents("events", {
          store: EXISTING_STREAM,
          eventBusName: "loyalty-bus",
          parallelizationFactor: 4,
          publishContract: false,
        });
      },
      { config: CONFIG },
    );
    t.like(run.get("aws:lambda/eventSourceMapping:EventSourceMapping", "events").inputs, {
      eventSourceArn: EXISTING_STREAM.streamArn,
      parallelizationFactor: 4,
      maximumRetryAttempts: 10,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ["ReportBatchItemFailures"],
    });
    t.like(input<{ variables: Record<string, string> }>(run.get("aws:lambda/function:Function", "events"), "environment").variables, {
      TABLE_NAME: "ledger-elsewhere",
      EVENT_BUS_NAME: "loyalty-bus",
    });
    const policy = statementsOf(input(run.get("aws:iam/rolePolicy:RolePolicy", "events"), "policy"));
    t.deepEqual(policy.find((s) => s.Sid === "ReadLedgerStream")?.Resource, [EXISTING_STREAM.streamArn]);
    t.deepEqual(policy.find((s) => s.Sid === "PublishPointsEvents")?.Resource, [
      "arn:aws:events:eu-west-1:123456789012:event-bus/loyalty-bus",
    ]);
    t.deepEqual(run.ofType("aws:schemas/schema:Schema"), [], "the contract is not published when told not to");
    t.deepEqual(
      run
        .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((a) => a.name)
        .sort(),
      ["events-dlq-not-empty", "events-errors", "events-iterator-age", "events-park-failed", "events-publish-failures"],
    );
  },
);

serial("LoyaltyEvents refuses bad arguments in its constructor, naming each", async (t) => {
  const events = (args: Partial<LoyaltyEventsArgs>) => () => {
    new LoyaltyEvents("events", { store: EXISTING_STREAM, ...args });
  };
  const refused = await refusal(events({ parallelizationFactor: 11, maximumRetryAttempts: -1 }));
  t.is(refused.registered, 0, "nothing is registered");
  t.regex(refused.message, /^invalid arguments of LoyaltyEvents "events":\n/);
  t.regex(refused.message, /parallelizationFactor: must be a whole number from 1 to 10 \(found 11\)/);
  t.regex(refused.message, /maximumRetryAttempts: must be a whole number from 0 to 10000 \(found -1\)/);
  t.regex((await refusal(events({ eventBusName: "" }))).message, /eventBusName: must be an event bus name/);
});

serial("a user pool created in the same stack (an output) is accepted as is", async (t) => {
  const run = await runProgram(
    () => {
      new LoyaltyApi("api", { store: EXISTING, auth: { type: "cognito", userPoolArn: pulumi.output(POOL) } });
    },
    { config: CONFIG },
  );
  t.deepEqual(input(run.get("aws:apigateway/authorizer:Authorizer", "api"), "providerArns"), [POOL]);
});

test("publisher statement ids stay within EventBridge's 64 characters and alphabet, distinct per scope and account", (t) => {
  const long = "a-project-with-a-long-name-prod-eu-west-1-loyalty-ingest-for-the-marketplace";
  const ids = [
    publisherStatementId(long, "444455556666"),
    publisherStatementId(`${long}-2`, "444455556666"),
    publisherStatementId(long, "777788889999"),
  ];
  for (const id of ids) {
    t.regex(id, /^[A-Za-z0-9_-]{1,64}$/u);
    t.true(id.endsWith("444455556666") || id.endsWith("777788889999"), id);
  }
  t.is(new Set(ids).size, 3);
  t.is(publisherStatementId("otrium-loyalty-dev-loyalty-ingest", "444455556666"), "otrium-loyalty-dev-loyalty-ingest-444455556666");
  t.is(publisherStatementId("my stack/with:odd chars", "444455556666"), "my-stack-with-odd-chars-444455556666");
});

test("a preflight with several allowed origins echoes the request's Origin only when it is listed (the response template)", (t) => {
  t.is(originTemplate(["*"]), "", "any origin: the static '*' is the answer");
  t.is(originTemplate(["https://www.otrium.com"]), "", "one origin: the static header is the answer");
  const template = originTemplate(["https://www.otrium.com", "https://admin.otrium.com"]);
  t.true(template.includes('#if($origin == "https://www.otrium.com" || $origin == "https://admin.otrium.com")'), template);
  t.true(template.includes("#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)"));
});
