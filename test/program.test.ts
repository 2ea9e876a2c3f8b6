/**
 * The whole program for `dev` and `prod`, with the real `Pulumi.<stack>.yaml`, under Pulumi
 * mocks: what each stack registers, property by property, and how the two differ.
 */
import { createHash } from "node:crypto";
import test from "ava";
import type * as pulumi from "@pulumi/pulumi";
import { handlerBundles } from "../components/handler-bundle-cache";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import type { CapturedResource, ProgramRun } from "../harness/mock-program";
import { decide, type PolicyRequest } from "../policies/rules/resource-policy";
import { allowedActions, statementsOf } from "./support/policy-documents";
import { runStack } from "../harness/stack-run";
import { required } from "../harness/required";

const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  function: "aws:lambda/function:Function",
  key: "aws:kms/key:Key",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  method: "aws:apigateway/method:Method",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  table: "aws:dynamodb/table:Table",
} as const;

const RULE_ARN = "arn:aws:events:eu-west-1:123456789012:rule/loyalty-ingest-orders-a1b2c3";
const OPERATOR = "arn:aws:iam::111122223333:role/loyalty-operator";

const runs = new Map<string, ProgramRun>();
test.before(async () => {
  // Mock state is global: the stacks run one after the other.
  runs.set("dev", await runStack("dev"));
  runs.set("prod", await runStack("prod"));
});
const run = (stack: string): ProgramRun => {
  const found = runs.get(stack);
  if (!found) throw new Error(`stack ${stack} did not run`);
  return found;
};
const input = <T = unknown>(resource: CapturedResource, key: string): T => resource.inputs[key] as T;

/** Methods of the backends' tree are named for their path, which starts with `admin`. */
const inAdminTree = (method: CapturedResource) => /^loyalty-api-[a-z]+-admin-/.test(method.name);
const customerMethods = (r: ProgramRun) => r.ofType(T.method).filter((m) => !inAdminTree(m));

for (const stack of ["dev", "prod"]) {
  test(`${stack}: every resource belongs to one of the loyalty components`, (t) => {
    const { resources } = run(stack);
    const components = resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`);
    t.deepEqual(components.sort(), [
      "otrium:loyalty:HandlerFunction loyalty-api-admin",
      "otrium:loyalty:HandlerFunction loyalty-api-reader",
      "otrium:loyalty:HandlerFunction loyalty-api-redeemer",
      "otrium:loyalty:HandlerFunction loyalty-events",
      "otrium:loyalty:HandlerFunction loyalty-ingest-writer",
      "otrium:loyalty:HandlerFunction loyalty-settle",
      "otrium:loyalty:LoyaltyAlerts loyalty-alerts",
      "otrium:loyalty:LoyaltyApi loyalty-api",
      "otrium:loyalty:LoyaltyDashboard loyalty",
      "otrium:loyalty:LoyaltyEvents loyalty-events",
      "otrium:loyalty:LoyaltyIngest loyalty-ingest",
      "otrium:loyalty:LoyaltySettle loyalty-settle",
      "otrium:loyalty:LoyaltyStore loyalty-ledger",
    ]);
    for (const resource of resources.filter((r) => r.custom)) {
      t.regex(resource.parentUrn ?? "", /otrium:loyalty:\w+::/, `${resource.type} ${resource.name} has a component parent`);
    }
  });

  test(`${stack}: the ledger table has the handlers' keys, KMS encryption and PITR`, (t) => {
    const table = run(stack).get(T.table, "loyalty-ledger");
    const key = run(stack).get(T.key, "loyalty-ledger");
    t.like(table.inputs, { hashKey: "pk", rangeKey: "sk", billingMode: "PAY_PER_REQUEST" });
    t.deepEqual(input(table, "attributes"), [
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
      { name: "entryAt", type: "S" },
    ]);
    t.deepEqual(input(table, "localSecondaryIndexes"), [{ name: "history", rangeKey: "entryAt", projectionType: "ALL" }]);
    t.deepEqual(input(table, "serverSideEncryption"), {
      enabled: true,
      kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/loyalty-ledger-key-id",
    });
    t.deepEqual(input(table, "pointInTimeRecovery"), { enabled: true });
    t.true(input(key, "enableKeyRotation"));
  });

  test(`${stack}: queues are encrypted with a customer key EventBridge may use for this account only`, (t) => {
    const r = run(stack);
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/loyalty-ingest-messages-key-id";
    for (const name of ["loyalty-ingest-queue", "loyalty-ingest-dlq"]) {
      t.is(input(r.get(T.queue, name), "kmsMasterKeyId"), keyArn, `${name} uses the customer-managed key`);
    }
    // The rule's DLQ must keep taking dead letters when that key faults: SSE-SQS, no KMS key at all.
    const ruleDlq = r.get(T.queue, "loyalty-ingest-rule-dlq");
    t.is(input(ruleDlq, "kmsMasterKeyId"), undefined);
    t.true(input<boolean>(ruleDlq, "sqsManagedSseEnabled"));
    const keyPolicy = statementsOf(input(r.get(T.key, "loyalty-ingest-messages"), "policy"));
    const events = keyPolicy.find((s) => JSON.stringify(s.Principal).includes("events.amazonaws.com"));
    t.deepEqual(events?.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
    // No AWS page shows EventBridge sending the rule's ARN to KMS when it delivers to a queue: held to this account.
    t.deepEqual(events?.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    t.true(input<boolean>(r.get(T.key, "loyalty-ingest-messages"), "enableKeyRotation"));
  });

  test(`${stack}: the queue's DLQ, redrive and visibility cover the writer`, (t) => {
    const r = run(stack);
    const queue = r.get(T.queue, "loyalty-ingest-queue");
    const dlq = r.get(T.queue, "loyalty-ingest-dlq");
    const ruleDlq = r.get(T.queue, "loyalty-ingest-rule-dlq");
    const writer = r.get(T.function, "loyalty-ingest-writer");
    const expectedReceives = stack === "prod" ? 5 : 3;
    t.deepEqual(JSON.parse(input<string>(queue, "redrivePolicy")), {
      deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-dlq-a1b2c3",
      maxReceiveCount: expectedReceives,
    });
    t.is(input(dlq, "messageRetentionSeconds"), 14 * 24 * 3600);
    t.is(input(ruleDlq, "messageRetentionSeconds"), 14 * 24 * 3600);
    t.is(input(dlq, "redrivePolicy"), undefined);
    t.true(input<number>(queue, "visibilityTimeoutSeconds") >= 6 * input<number>(writer, "timeout"));
  });

  test(`${stack}: queue policies admit only this rule's EventBridge deliveries, and only over TLS`, (t) => {
    const r = run(stack);
    for (const name of ["loyalty-ingest-queue", "loyalty-ingest-rule-dlq", "loyalty-ingest-dlq", "loyalty-settle-dlq"]) {
      const statements = statementsOf(input(r.get(T.queuePolicy, name), "policy"));
      const allows = statements.filter((s) => s.Effect === "Allow");
      const tls = statements.find((s) => s.Sid === "DenyInsecureTransport");
      t.deepEqual(tls?.Condition, { Bool: { "aws:SecureTransport": "false" } }, name);
      t.deepEqual(tls?.Action, ["sqs:*"], name);
      if (name === "loyalty-ingest-dlq" || name === "loyalty-settle-dlq") {
        t.deepEqual(allows, [], "nobody is admitted to the DLQ by resource policy");
        continue;
      }
      t.is(allows.length, 1, name);
      t.deepEqual(allows[0]?.Principal, { Service: "events.amazonaws.com" });
      t.deepEqual(allows[0]?.Action, ["sqs:SendMessage"]);
      t.deepEqual(allows[0]?.Condition, { ArnEquals: { "aws:SourceArn": RULE_ARN } });
    }
  });

  test(`${stack}: only the rule and the redrive operators may send to the queue — the policy evaluated for other principals`, (t) => {
    const statements = input<{ Statement: unknown[] }>(run(stack).get(T.queuePolicy, "loyalty-ingest-queue"), "policy").Statement;
    const iam = (arn: string): PolicyRequest => ({
      principal: { arn },
      action: "sqs:SendMessage",
      context: { "aws:PrincipalArn": arn, "aws:SecureTransport": "true" },
    });
    const events = (sourceArn: string): PolicyRequest => ({
      principal: { service: "events.amazonaws.com" },
      action: "sqs:SendMessage",
      context: { "aws:SourceArn": sourceArn, "aws:SecureTransport": "true" },
    });
    // Injected faults: callers that must never put a message that mints points.
    for (const intruder of [
      iam("arn:aws:iam::123456789012:role/Admin"),
      iam("arn:aws:iam::999999999999:role/elsewhere"),
      iam("arn:aws:iam::123456789012:role/loyalty-operator-2"),
      events("arn:aws:events:eu-west-1:123456789012:rule/some-other-rule"),
    ]) {
      t.true(decide(statements, intruder).explicitlyDenied, JSON.stringify(intruder.principal) + JSON.stringify(intruder.context));
    }
    t.deepEqual(decide(statements, events(RULE_ARN)), { explicitlyDenied: false, allowedByPolicy: true }, "the rule delivers");
    // A configured operator's redrive (SQS sends as them) is not denied; their own IAM policy allows it.
    t.deepEqual(decide(statements, iam(OPERATOR)), { explicitlyDenied: false, allowedByPolicy: false });
    t.true(
      decide(statements, { ...iam(OPERATOR), context: { "aws:PrincipalArn": OPERATOR, "aws:SecureTransport": "false" } }).explicitlyDenied,
      "never without TLS",
    );
    // The rule's DLQ takes dead letters from the rule alone; operators only receive from it.
    const ruleDlq = input<{ Statement: unknown[] }>(run(stack).get(T.queuePolicy, "loyalty-ingest-rule-dlq"), "policy").Statement;
    t.true(decide(ruleDlq, iam(OPERATOR)).explicitlyDenied);
    t.false(decide(ruleDlq, events(RULE_ARN)).explicitlyDenied);
  });

  test(`${stack}: each publisher account may put events on the rule's bus, under a statement of this stack's own`, (t) => {
    const account = stack === "prod" ? "777788889999" : "444455556666";
    const permissions = run(stack).ofType("aws:cloudwatch/eventPermission:EventPermission");
    t.deepEqual(
      permissions.map((p) => p.inputs),
      [
        {
          eventBusName: "default",
          principal: account,
          action: "events:PutEvents",
          statementId: `otrium-loyalty-${stack}-loyalty-ingest-${account}`,
        },
      ],
    );
  });

  test(`${stack}: the rule's pattern is the handlers' contract; its target has a DLQ and retries, no role`, (t) => {
    const r = run(stack);
    const rule = r.get("aws:cloudwatch/eventRule:EventRule", "loyalty-ingest-orders");
    // Only Otrium's platform accounts can mint points.
    t.deepEqual(JSON.parse(input<string>(rule, "eventPattern")), {
      ...loyaltyEventPattern("otrium.ecommerce"),
      account: [stack === "prod" ? "777788889999" : "444455556666"],
    });
    t.is(input(rule, "eventBusName"), "default");
    const target = r.get("aws:cloudwatch/eventTarget:EventTarget", "loyalty-ingest-orders");
    t.like(target.inputs, {
      arn: "arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-queue-a1b2c3",
      deadLetterConfig: { arn: "arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-rule-dlq-a1b2c3" },
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
    });
    t.is(input(target, "roleArn"), undefined);
  });

  test(`${stack}: the writer's event source mapping reports batch item failures`, (t) => {
    const mapping = run(stack).get("aws:lambda/eventSourceMapping:EventSourceMapping", "loyalty-ingest-writer");
    t.deepEqual(input(mapping, "functionResponseTypes"), ["ReportBatchItemFailures"]);
    t.is(input(mapping, "eventSourceArn"), "arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-queue-a1b2c3");
    const expected =
      stack === "prod"
        ? { batchSize: 25, maximumBatchingWindowInSeconds: 5, scalingConfig: { maximumConcurrency: 20 } }
        : { batchSize: 10, maximumBatchingWindowInSeconds: 0, scalingConfig: { maximumConcurrency: 2 } };
    t.like(mapping.inputs, expected);
  });

  test(`${stack}: every function runs Node.js 22 on arm64 with JSON logs in its own log group`, (t) => {
    const r = run(stack);
    for (const name of ["loyalty-ingest-writer", "loyalty-api-reader", "loyalty-api-redeemer", "loyalty-settle", "loyalty-events"]) {
      const fn = r.get(T.function, name);
      const logGroup = r.get(T.logGroup, name);
      t.like(fn.inputs, { runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", tracingConfig: { mode: "Active" } });
      t.deepEqual(input(fn, "loggingConfig"), { logFormat: "JSON", logGroup: `/otrium/loyalty/${name}-a1b2c3` });
      t.is(input(logGroup, "retentionInDays"), stack === "prod" ? 365 : 7);
    }
    const writerEnv = input<{ variables: Record<string, string> }>(r.get(T.function, "loyalty-ingest-writer"), "environment").variables;
    t.like(writerEnv, {
      TABLE_NAME: "loyalty-ledger-a1b2c3",
      LOG_LEVEL: stack === "prod" ? "info" : "debug",
      EVENT_SOURCE: "otrium.ecommerce",
    });
    // Prod holds points through the return window and lets them expire; dev stays immediate.
    t.deepEqual(
      JSON.parse(writerEnv.POINTS_LIFECYCLE ?? "null"),
      stack === "prod" ? { pendingDays: 30, expiryDays: 365 } : { pendingDays: 0, expiryDays: 0 },
    );
    t.deepEqual(JSON.parse(writerEnv.EARN_RULES ?? "{}"), { EUR: 1, GBP: 1.25, SEK: 0.1 });
    t.deepEqual(JSON.parse(writerEnv.PUBLISHER_ACCOUNTS ?? "null"), [stack === "prod" ? "777788889999" : "444455556666"]);
    t.is(
      writerEnv.DLQ_URL,
      "https://sqs.eu-west-1.amazonaws.com/123456789012/loyalty-ingest-dlq-a1b2c3",
      "where the writer dead-letters a parked refund its order rejects",
    );
  });

  test(`${stack}: IAM is least privilege — no "*" actions, "*" resources only for actions that take no other (X-Ray, ListStreams)`, (t) => {
    const r = run(stack);
    for (const policy of r.ofType(T.rolePolicy)) {
      for (const statement of statementsOf(input(policy, "policy"))) {
        t.false(
          statement.Action.some((action) => action.includes("*")),
          `${policy.name}: ${statement.Action.join(",")}`,
        );
        if (statement.Resource.includes("*")) {
          t.true(
            [["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["dynamodb:ListStreams"]].some(
              (only) => JSON.stringify(only) === JSON.stringify(statement.Action),
            ),
            `${policy.name}: ${statement.Action.join(",")}`,
          );
        }
      }
    }
    const writer = allowedActions(statementsOf(input(r.get(T.rolePolicy, "loyalty-ingest-writer"), "policy")));
    // Events in any order: a condition check that an order is absent, a query of the customer's
    // parked refunds; Customer Deleted: batch deletes of the customer's items.
    t.deepEqual([...new Set(writer.filter((a) => a.startsWith("dynamodb:")))].sort(), [
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    t.like(
      statementsOf(input(r.get(T.rolePolicy, "loyalty-ingest-writer"), "policy")).find((s) => s.Sid === "EraseCustomers"),
      {
        Action: ["dynamodb:BatchWriteItem"],
        Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/loyalty-ledger-a1b2c3"],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*", "EXPIRES#*", "RELEASES#*", "TIERENDS#*"] } },
      },
    );
    t.true(writer.includes("kms:Decrypt"));
    const reader = allowedActions(statementsOf(input(r.get(T.rolePolicy, "loyalty-api-reader"), "policy")));
    // Balances and history, and the catalogue (its rewards, their shards' counts).
    t.deepEqual(reader.filter((a) => a.startsWith("dynamodb:")).sort(), [
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:Query",
    ]);
    t.deepEqual([...new Set(reader.filter((a) => /^(dynamodb|kms|sqs):/.test(a)))].sort(), [
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:Query",
      "kms:Decrypt",
    ]);
    // The redeemer writes what a redemption needs (read the balance, the reward and its shards,
    // put the entry, update the balance, take a unit, claim a code found by a query of its shard,
    // check the customer has no tombstone), the check on tombstones only.
    const redeemerStatements = statementsOf(input(r.get(T.rolePolicy, "loyalty-api-redeemer"), "policy"));
    const redeemer = allowedActions(redeemerStatements);
    t.deepEqual(redeemer.filter((a) => /^(dynamodb|kms|sqs):/.test(a)).sort(), [
      "dynamodb:BatchGetItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "dynamodb:UpdateItem",
      "kms:Decrypt",
      "kms:GenerateDataKey",
    ]);
    t.deepEqual(
      redeemerStatements
        .filter((s) => s.Action.includes("dynamodb:ConditionCheckItem"))
        .map((s) => [s.Sid, s.Action, s.Resource, s.Condition]),
      [
        [
          "CheckTombstones",
          ["dynamodb:ConditionCheckItem"],
          ["arn:aws:dynamodb:eu-west-1:123456789012:table/loyalty-ledger-a1b2c3"],
          { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["ERASED#*"] } },
        ],
      ],
    );
  });

  test(`${stack}: the writer decrypts its queue and writes only its own log group`, (t) => {
    const r = run(stack);
    const statements = statementsOf(input(r.get(T.rolePolicy, "loyalty-ingest-writer"), "policy"));
    const decrypt = statements.find((s) => s.Sid === "DecryptMessages");
    t.deepEqual(decrypt?.Resource, ["arn:aws:kms:eu-west-1:123456789012:key/loyalty-ingest-messages-key-id"]);
    const logs = statements.find((s) => s.Sid === "WriteOwnLogs");
    t.deepEqual(logs?.Resource, ["arn:aws:logs:eu-west-1:123456789012:log-group:/otrium/loyalty/loyalty-ingest-writer-a1b2c3:*"]);
    const consume = statements.find((s) => s.Sid === "ConsumeQueue");
    t.deepEqual(consume?.Resource, ["arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-queue-a1b2c3"]);
    // A parked refund its order rejects: sent to the queue's DLQ only, encrypted with the queues' key.
    t.deepEqual(
      statements
        .filter((s) => s.Action.includes("sqs:SendMessage") || s.Action.includes("kms:GenerateDataKey"))
        .map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ["EncryptLedger", ["kms:Decrypt", "kms:GenerateDataKey"], ["arn:aws:kms:eu-west-1:123456789012:key/loyalty-ledger-key-id"]],
        ["DeadLetterRejectedRefunds", ["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:loyalty-ingest-dlq-a1b2c3"]],
        ["EncryptDeadLetters", ["kms:GenerateDataKey"], ["arn:aws:kms:eu-west-1:123456789012:key/loyalty-ingest-messages-key-id"]],
      ],
    );
  });

  test(`${stack}: the API stage logs JSON access lines, traces and throttles`, (t) => {
    const r = run(stack);
    const stage = r.get("aws:apigateway/stage:Stage", "loyalty-api");
    t.is(input(stage, "stageName"), stack === "prod" ? "v1" : "dev");
    t.true(input<boolean>(stage, "xrayTracingEnabled"));
    const accessLog = input<{ destinationArn: string; format: string }>(stage, "accessLogSettings");
    t.regex(accessLog.destinationArn, /log-group:\/otrium\/loyalty\/loyalty-api-access-/);
    // As API Gateway fills it in: the error message comes quoted and escaped, so any message keeps the line JSON.
    const line = JSON.parse(accessLog.format.replace("$context.error.messageString", JSON.stringify('Invalid request body "x"')));
    t.like(line, {
      requestId: "$context.requestId",
      status: "$context.status",
      callerSub: "$context.authorizer.claims.sub",
      callerArn: "$context.identity.userArn",
      error: 'Invalid request body "x"',
    });
    t.false(accessLog.format.includes("principalId"), "principalId is set only by Lambda authorizers");
    const settings = r.get("aws:apigateway/methodSettings:MethodSettings", "loyalty-api");
    t.is(input(settings, "methodPath"), "*/*");
    t.like(
      input(settings, "settings"),
      stack === "prod"
        ? { throttlingRateLimit: 200, throttlingBurstLimit: 400, metricsEnabled: true }
        : { throttlingRateLimit: 10, throttlingBurstLimit: 20, metricsEnabled: true },
    );
    t.is(input(r.get(T.logGroup, "loyalty-api-access"), "retentionInDays"), stack === "prod" ? 365 : 7);
  });

  test(`${stack}: every DLQ has an alarm, and every alarm notifies the alert topic`, (t) => {
    const r = run(stack);
    const alarms = r.ofType(T.alarm);
    t.deepEqual(alarms.map((a) => a.name).sort(), [
      "loyalty-api-5xx",
      "loyalty-api-admin-errors",
      "loyalty-api-p99-latency",
      "loyalty-api-redeemer-errors",
      "loyalty-events-dlq-not-empty",
      "loyalty-events-errors",
      "loyalty-events-iterator-age",
      "loyalty-events-park-failed",
      "loyalty-events-publish-failures",
      "loyalty-ingest-dlq-not-empty",
      "loyalty-ingest-queue-lagging",
      "loyalty-ingest-rule-dlq-not-empty",
      "loyalty-ingest-rule-dlq-send-failed",
      "loyalty-ingest-rule-failed-invocations",
      "loyalty-ingest-writer-errors",
      "loyalty-ingest-writer-throttles",
      "loyalty-settle-did-not-run",
      "loyalty-settle-dlq-not-empty",
      "loyalty-settle-errors",
      "loyalty-settle-park-failed",
      "loyalty-settle-schedule-dlq-send-failed",
    ]);
    const topic = "arn:aws:sns:eu-west-1:123456789012:loyalty-alerts-a1b2c3";
    for (const alarm of alarms) t.deepEqual(input(alarm, "alarmActions"), [topic], alarm.name);
    for (const [alarm, queue] of [
      ["loyalty-ingest-dlq-not-empty", "loyalty-ingest-dlq-a1b2c3"],
      ["loyalty-ingest-rule-dlq-not-empty", "loyalty-ingest-rule-dlq-a1b2c3"],
      ["loyalty-settle-dlq-not-empty", "loyalty-settle-dlq-a1b2c3"],
      ["loyalty-events-dlq-not-empty", "loyalty-events-dlq-a1b2c3"],
    ] as const) {
      t.like(r.get(T.alarm, alarm).inputs, {
        metricName: "ApproximateNumberOfMessagesVisible",
        namespace: "AWS/SQS",
        dimensions: { QueueName: queue },
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      });
    }
  });

  test(`${stack}: the rule itself is alarmed on failed deliveries; the rule-DLQ alarm says how to replay`, (t) => {
    const r = run(stack);
    for (const [alarm, metricName] of [
      ["loyalty-ingest-rule-failed-invocations", "FailedInvocations"],
      ["loyalty-ingest-rule-dlq-send-failed", "InvocationsFailedToBeSentToDlq"],
    ] as const) {
      t.like(r.get(T.alarm, alarm).inputs, {
        namespace: "AWS/Events",
        metricName,
        // A rule on the default bus is keyed by RuleName alone.
        dimensions: { RuleName: "loyalty-ingest-orders-a1b2c3" },
        statistic: "Sum",
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      });
    }
    const replay = input<string>(r.get(T.alarm, "loyalty-ingest-rule-dlq-not-empty"), "alarmDescription");
    t.regex(replay, /redrive does not apply/);
    t.regex(replay, /send its body unchanged to https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/loyalty-ingest-queue-a1b2c3/);
    t.true(replay.length <= 1024, "CloudWatch's limit on alarm descriptions");
    t.regex(input<string>(r.get(T.alarm, "loyalty-ingest-dlq-not-empty"), "alarmDescription"), /start-message-move-task/);
  });

  test(`${stack}: the dashboard charts the metrics the alarms watch`, (t) => {
    const body = JSON.parse(input<string>(run(stack).get("aws:cloudwatch/dashboard:Dashboard", "loyalty"), "dashboardBody"));
    const metrics = JSON.stringify(body.widgets.map((w: { properties: { metrics: unknown } }) => w.properties.metrics));
    for (const expected of [
      '["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","loyalty-ingest-dlq-a1b2c3"',
      '["AWS/SQS","ApproximateAgeOfOldestMessage","QueueName","loyalty-ingest-queue-a1b2c3"',
      '["AWS/Lambda","Errors","FunctionName","loyalty-ingest-writer-a1b2c3"',
      '["AWS/ApiGateway","5XXError","ApiName","loyalty-api-a1b2c3","Stage"',
      '["AWS/Events","FailedInvocations","RuleName","loyalty-ingest-orders-a1b2c3"',
      '["AWS/Events","InvocationsFailedToBeSentToDlq","RuleName","loyalty-ingest-orders-a1b2c3"',
      '["AWS/Lambda","Errors","FunctionName","loyalty-settle-a1b2c3"',
      '["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","loyalty-settle-dlq-a1b2c3"',
      '["AWS/Scheduler","InvocationsFailedToBeSentToDeadLetterCount","ScheduleGroup","loyalty-settle-a1b2c3"',
      '["AWS/Lambda","IteratorAge","FunctionName","loyalty-events-a1b2c3"',
      '["OtriumLoyalty","loyalty-events-a1b2c3-PublishFailures"',
      '["AWS/Lambda","Errors","FunctionName","loyalty-events-a1b2c3"',
      '["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","loyalty-events-dlq-a1b2c3"',
      '["AWS/Lambda","DestinationDeliveryFailures","FunctionName","loyalty-events-a1b2c3"',
    ]) {
      t.true(metrics.includes(expected), expected);
    }
  });

  test(`${stack}: alarm notifications are encrypted with a key CloudWatch may use`, (t) => {
    const r = run(stack);
    const topic = r.get("aws:sns/topic:Topic", "loyalty-alerts");
    t.is(input(topic, "kmsMasterKeyId"), "arn:aws:kms:eu-west-1:123456789012:key/loyalty-alerts-topic-key-id");
    const policy = statementsOf(input(r.get(T.key, "loyalty-alerts-topic"), "policy"));
    const cloudwatch = policy.find((s) => JSON.stringify(s.Principal).includes("cloudwatch.amazonaws.com"));
    t.deepEqual(cloudwatch?.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
    t.deepEqual(
      cloudwatch?.Condition,
      {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" },
      },
      "this account's alarms only, as the topic policy",
    );
    const topicPolicy = statementsOf(input(r.get("aws:sns/topicPolicy:TopicPolicy", "loyalty-alerts"), "policy"));
    t.like(topicPolicy[0], {
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["sns:Publish"],
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" } },
    });
    t.like(topicPolicy[1], { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test(`${stack}: every service principal a key or a role trusts is held to this account, but Lambda's and API Gateway's logs role`, (t) => {
    const r = run(stack);
    const documents = [
      ...r.ofType(T.key).map((key) => ({ resource: key, document: input(key, "policy") })),
      ...r.ofType("aws:iam/role:Role").map((role) => ({ resource: role, document: input(role, "assumeRolePolicy") })),
    ];
    const held = documents.flatMap(({ resource, document }) =>
      document === undefined
        ? []
        : statementsOf(document).flatMap((s) => {
            const services = (s.Principal as { Service?: string | string[] } | undefined)?.Service;
            const keys = Object.values(s.Condition ?? {})
              .flatMap((byKey) => Object.keys(byKey))
              .sort();
            return (services === undefined ? [] : [services].flat()).map(
              (service) => `${resource.name}: ${service} ${keys.join(" ") || "(none)"}`,
            );
          }),
    );
    t.deepEqual(held.sort(), [
      "loyalty-alerts-topic: cloudwatch.amazonaws.com aws:SourceAccount aws:SourceArn",
      "loyalty-api-account-logs: apigateway.amazonaws.com (none)",
      "loyalty-api-admin: lambda.amazonaws.com (none)",
      "loyalty-api-reader: lambda.amazonaws.com (none)",
      "loyalty-api-redeemer: lambda.amazonaws.com (none)",
      "loyalty-events: lambda.amazonaws.com (none)",
      "loyalty-ingest-messages: events.amazonaws.com aws:SourceAccount",
      "loyalty-ingest-writer: lambda.amazonaws.com (none)",
      "loyalty-settle-scheduler: scheduler.amazonaws.com aws:SourceAccount aws:SourceArn",
      "loyalty-settle: lambda.amazonaws.com (none)",
    ]);
  });

  test(`${stack}: the event contract is published as OpenAPI 3 schemas`, (t) => {
    const r = run(stack);
    const schemas = r.ofType("aws:schemas/schema:Schema");
    const schemaNamed = (name: string) =>
      required(
        schemas.find((s) => input(s, "name") === name),
        `the schema ${name}`,
      );
    // Contract changes: the return window's close (lifecycle), the customer's deletion (erasure);
    // beside the inbound contract, in a registry of its own: what the loyalty program publishes.
    t.deepEqual(schemas.map((s) => input(s, "name")).sort(), [
      "CustomerDeleted",
      "OrderCompleted",
      "OrderRefunded",
      "OrderReturnWindowClosed",
      "PointsAdjusted",
      "PointsEarned",
      "PointsErased",
      "PointsExpired",
      "PointsExpiringSoon",
      "PointsRedeemed",
      "PointsReleased",
      "PointsReversed",
      "RedemptionCancelled",
      "TierChanged",
      "TierExpiringSoon",
    ]);
    const deleted = JSON.parse(input<string>(schemaNamed("CustomerDeleted"), "content"));
    t.deepEqual([...deleted.components.schemas.CustomerDeleted.required].sort(), ["deletedAt", "userId"]);
    const earned = JSON.parse(input<string>(schemaNamed("PointsEarned"), "content"));
    t.like(earned.components.schemas.AWSEvent, {
      "x-amazon-events-source": "otrium.loyalty",
      "x-amazon-events-detail-type": "Points Earned",
    });
    t.deepEqual([...earned.components.schemas.PointsEarned.required].sort(), [
      "amount",
      "availableAt",
      "entryId",
      "expiresAt",
      "occurredAt",
      "orderId",
      "points",
      "userId",
    ]);
    const closed = JSON.parse(input<string>(schemaNamed("OrderReturnWindowClosed"), "content"));
    t.is(closed.components.schemas.AWSEvent["x-amazon-events-detail-type"], "Order Return Window Closed");
    t.deepEqual([...closed.components.schemas.OrderReturnWindowClosed.required].sort(), ["closedAt", "orderId", "userId"]);
    const completed = JSON.parse(input<string>(schemaNamed("OrderCompleted"), "content"));
    t.is(completed.openapi, "3.0.0");
    t.like(completed.components.schemas.OrderCompleted.properties.total.properties.amount, { type: "integer", minimum: 0 });
    t.is(completed.components.schemas.AWSEvent["x-amazon-events-detail-type"], "Order Completed");
  });

  test(`${stack}: the stack exports its endpoints and names`, (t) => {
    t.like(run(stack).outputs, {
      apiUrl: `https://loyalty-api-id.execute-api.eu-west-1.amazonaws.com/${stack === "prod" ? "v1" : "dev"}`,
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/loyalty-ingest-queue-a1b2c3",
      dlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/loyalty-ingest-dlq-a1b2c3",
      tableName: "loyalty-ledger-a1b2c3",
      ruleArn: "arn:aws:events:eu-west-1:123456789012:rule/loyalty-ingest-orders-a1b2c3",
      dashboardName: `loyalty-${stack}`,
      settleFunctionName: "loyalty-settle-a1b2c3",
      settleDlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/loyalty-settle-dlq-a1b2c3",
    });
  });

  test(`${stack}: points events — the table streams both images; the mapping filters, keeps order, retries, bisects and parks; the publisher reads only that stream and puts only on its bus`, (t) => {
    const r = run(stack);
    const table = "arn:aws:dynamodb:eu-west-1:123456789012:table/loyalty-ledger-a1b2c3";
    const stream = `${table}/stream/2026-01-01T00:00:00.000`;
    t.like(r.get(T.table, "loyalty-ledger").inputs, { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
    const mapping = r.get("aws:lambda/eventSourceMapping:EventSourceMapping", "loyalty-events");
    t.like(mapping.inputs, {
      eventSourceArn: stream,
      functionName: "arn:aws:lambda:eu-west-1:123456789012:function:loyalty-events-a1b2c3",
      startingPosition: "TRIM_HORIZON",
      batchSize: 100,
      parallelizationFactor: 2,
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      destinationConfig: { onFailure: { destinationArn: "arn:aws:sqs:eu-west-1:123456789012:loyalty-events-dlq-a1b2c3" } },
    });
    const filters = input<{ filters: Array<{ pattern: string }> }>(mapping, "filterCriteria").filters.map((f) => JSON.parse(f.pattern));
    // New entries, netted refunds, erasure tombstones (Lambda allows 5 filters per mapping).
    t.deepEqual(
      filters.map((f) => f.eventName),
      [["INSERT"], ["MODIFY"], ["INSERT"]],
    );

    const fn = r.get(T.function, "loyalty-events");
    t.like(fn.inputs, { runtime: "nodejs22.x", architectures: ["arm64"] });
    t.like(input<{ variables: Record<string, string> }>(fn, "environment").variables, {
      TABLE_NAME: "loyalty-ledger-a1b2c3",
      EVENT_BUS_NAME: "loyalty-events-bus-a1b2c3",
      LOG_LEVEL: stack === "prod" ? "info" : "debug",
    });
    // A bus of the stack's own: dev's events never reach a prod consumer in the same account.
    t.deepEqual(
      r.ofType("aws:cloudwatch/eventBus:EventBus").map((bus) => bus.name),
      ["loyalty-events-bus"],
    );
    t.is(r.outputs.pointsEventBusName, "loyalty-events-bus-a1b2c3");
    const role = statementsOf(input(r.get(T.rolePolicy, "loyalty-events"), "policy"));
    t.deepEqual(
      role.filter((s) => s.Sid !== "WriteOwnLogs" && s.Sid !== "WriteTraces").map((s) => [s.Action, s.Resource]),
      [
        [["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [stream]],
        [["dynamodb:ListStreams"], ["*"]],
        [["kms:Decrypt"], ["arn:aws:kms:eu-west-1:123456789012:key/loyalty-ledger-key-id"]],
        [["events:PutEvents"], ["arn:aws:events:eu-west-1:123456789012:event-bus/loyalty-events-bus-a1b2c3"]],
        [["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:loyalty-events-dlq-a1b2c3"]],
      ],
    );
    t.like(r.get(T.alarm, "loyalty-events-iterator-age").inputs, {
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      threshold: 300_000,
      dimensions: { FunctionName: "loyalty-events-a1b2c3" },
    });
    t.like(r.get(T.alarm, "loyalty-events-publish-failures").inputs, {
      namespace: "OtriumLoyalty",
      metricName: "loyalty-events-a1b2c3-PublishFailures",
      evaluationPeriods: 5,
    });
    t.like(r.get("aws:cloudwatch/logMetricFilter:LogMetricFilter", "loyalty-events-publish-failures").inputs, {
      logGroupName: "/otrium/loyalty/loyalty-events-a1b2c3",
      pattern: '{ $.message = "publish failed" }',
    });
    t.like(r.get(T.alarm, "loyalty-events-park-failed").inputs, {
      metricName: "DestinationDeliveryFailures",
      dimensions: { FunctionName: "loyalty-events-a1b2c3" },
    });
  });

  test(`${stack}: the settle runs daily at 00:15 UTC through Scheduler, which retries and dead-letters`, (t) => {
    const r = run(stack);
    const schedule = r.get("aws:scheduler/schedule:Schedule", "loyalty-settle");
    t.like(schedule.inputs, {
      groupName: "loyalty-settle-a1b2c3",
      scheduleExpression: "cron(15 0 * * ? *)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: "arn:aws:lambda:eu-west-1:123456789012:function:loyalty-settle-a1b2c3",
        roleArn: "arn:aws:iam:eu-west-1:123456789012:loyalty-settle-scheduler-a1b2c3",
        deadLetterConfig: { arn: "arn:aws:sqs:eu-west-1:123456789012:loyalty-settle-dlq-a1b2c3" },
        retryPolicy: { maximumEventAgeInSeconds: 21_600, maximumRetryAttempts: 20 },
      },
    });
    t.deepEqual(JSON.parse(input<{ input: string }>(schedule, "target").input), {}, "no days: today and the days a missed run left");
    // Scheduler invokes asynchronously: a run that throws is retried by Lambda, then parked.
    t.like(r.get("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "loyalty-settle").inputs, {
      functionName: "loyalty-settle-a1b2c3",
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: "arn:aws:sqs:eu-west-1:123456789012:loyalty-settle-dlq-a1b2c3" } },
    });
    const dlq = r.get(T.queue, "loyalty-settle-dlq");
    t.like(dlq.inputs, { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 });
    const env = input<{ variables: Record<string, string> }>(r.get(T.function, "loyalty-settle"), "environment").variables;
    t.deepEqual(env, {
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: "loyalty-ledger-a1b2c3",
      LOG_LEVEL: stack === "prod" ? "info" : "debug",
      EXPIRING_SOON_DAYS: "30",
      // The settle finds the tiers' period ends: both stacks carry Otrium's levels.
      TIERS: JSON.stringify({
        levels: [
          { name: "Member", threshold: 0, multiplier: 1 },
          { name: "Silver", threshold: 500, multiplier: 1.25 },
          { name: "Gold", threshold: 1500, multiplier: 1.5 },
        ],
        windowDays: 365,
      }),
    });
    t.is(input(r.get(T.function, "loyalty-settle"), "timeout"), 900);
  });

  test(`${stack}: the settle walks only the day indexes and settles only customers; Scheduler may only invoke it`, (t) => {
    const r = run(stack);
    const table = "arn:aws:dynamodb:eu-west-1:123456789012:table/loyalty-ledger-a1b2c3";
    const settle = statementsOf(input(r.get(T.rolePolicy, "loyalty-settle"), "policy"));
    t.like(
      settle.find((s) => s.Sid === "WalkDayIndexes"),
      {
        Action: ["dynamodb:Query", "dynamodb:DeleteItem"],
        Resource: [table],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["EXPIRES#*", "RELEASES#*", "TIERENDS#*"] } },
      },
    );
    // Only a warned customer's expiry or tier index item is updated (marked; it stays for the expiry
    // or the period's end), and, with tiers, a new period's end is listed.
    t.like(
      settle.find((s) => s.Sid === "MarkWarnedExpiries"),
      {
        Action: ["dynamodb:UpdateItem"],
        Resource: [table],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["EXPIRES#*", "TIERENDS#*"] } },
      },
    );
    t.like(
      settle.find((s) => s.Sid === "SettleBalances"),
      {
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [table],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*"] } },
      },
    );
    // An expiry's transaction checks that the customer was not erased since the index was read.
    t.like(
      settle.find((s) => s.Sid === "CheckTombstones"),
      {
        Action: ["dynamodb:ConditionCheckItem"],
        Resource: [table],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["ERASED#*"] } },
      },
    );
    t.deepEqual([...new Set(allowedActions(settle).filter((a) => /^(dynamodb|kms|sqs):/.test(a)))].sort(), [
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "sqs:SendMessage",
    ]);
    const invoker = statementsOf(input(r.get(T.rolePolicy, "loyalty-settle-scheduler"), "policy"));
    t.deepEqual(
      invoker.map((s) => [s.Action, s.Resource]),
      [
        [["lambda:InvokeFunction"], ["arn:aws:lambda:eu-west-1:123456789012:function:loyalty-settle-a1b2c3"]],
        [["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:loyalty-settle-dlq-a1b2c3"]],
      ],
    );
    const trust = statementsOf(input(r.get("aws:iam/role:Role", "loyalty-settle-scheduler"), "assumeRolePolicy"));
    t.like(trust[0], {
      Principal: { Service: "scheduler.amazonaws.com" },
      Action: ["sts:AssumeRole"],
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnEquals: { "aws:SourceArn": "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/loyalty-settle-a1b2c3" },
      },
    });
  });

  test(`${stack}: a settle that has not run for 26 hours alarms, silence counting as failure`, (t) => {
    const r = run(stack);
    t.like(r.get(T.alarm, "loyalty-settle-did-not-run").inputs, {
      namespace: "AWS/Lambda",
      metricName: "Invocations",
      dimensions: { FunctionName: "loyalty-settle-a1b2c3" },
      statistic: "Sum",
      period: 3600,
      evaluationPeriods: 26,
      datapointsToAlarm: 26,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    // Every other alarm is on something that should not happen: no data is healthy there.
    for (const alarm of r.ofType(T.alarm).filter((a) => a.name !== "loyalty-settle-did-not-run")) {
      t.is(input(alarm, "treatMissingData"), "notBreaching", alarm.name);
    }
  });
}

test("prod is hardened where dev is cheap and open", (t) => {
  const dev = run("dev");
  const prod = run("prod");
  const table = (r: ProgramRun) => r.get(T.table, "loyalty-ledger");
  t.false(input<boolean>(table(dev), "deletionProtectionEnabled"));
  t.true(input<boolean>(table(prod), "deletionProtectionEnabled"));

  // The customer tree; the backends' `/admin` tree is SigV4 in both (see its own test).
  const authorizations = (r: ProgramRun) =>
    customerMethods(r)
      .filter((m) => input(m, "httpMethod") !== "OPTIONS")
      .map((m) => `${String(input(m, "httpMethod"))} ${String(input(m, "authorization"))}`)
      .sort();
  const methods = ["DELETE", "GET", "GET", "GET", "GET", "POST", "POST", "POST", "POST", "PUT"];
  t.deepEqual(
    authorizations(dev),
    methods.map((method) => `${method} AWS_IAM`),
  );
  t.deepEqual(
    authorizations(prod),
    methods.map((method) => `${method} COGNITO_USER_POOLS`),
  );
  const authorizer = prod.get("aws:apigateway/authorizer:Authorizer", "loyalty-api");
  t.like(authorizer.inputs, {
    type: "COGNITO_USER_POOLS",
    providerArns: ["arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_OtriumApp"],
    identitySource: "method.request.header.Authorization",
  });
  for (const method of customerMethods(prod).filter((m) => input(m, "httpMethod") !== "OPTIONS")) {
    t.is(input(method, "authorizerId"), "loyalty-api-id");
  }
  t.throws(() => dev.get("aws:apigateway/authorizer:Authorizer", "loyalty-api"));

  t.deepEqual(
    prod.ofType(T.subscription).map((s) => [input(s, "protocol"), input(s, "endpoint")]),
    [["email", "loyalty-oncall@otrium.com"]],
  );
  t.deepEqual(dev.ofType(T.subscription), []);

  const readerEnv = (r: ProgramRun) =>
    input<{ variables: Record<string, string> }>(r.get(T.function, "loyalty-api-reader"), "environment").variables;
  t.like(readerEnv(prod), { ADMIN_GROUP: "loyalty-support", ALLOWED_ORIGINS: "https://www.otrium.com" });
  t.is(readerEnv(dev).ADMIN_GROUP, undefined);
  for (const name of ["loyalty-api-reader", "loyalty-api-redeemer", "loyalty-api-admin"]) {
    const env = (r: ProgramRun) => input<{ variables: Record<string, string> }>(r.get(T.function, name), "environment").variables;
    t.deepEqual(JSON.parse(env(prod).ADMIN_PRINCIPALS ?? "null"), ["arn:aws:iam::111122223333:role/customer-service-backend"], name);
    t.deepEqual(JSON.parse(env(dev).ADMIN_PRINCIPALS ?? "null"), ["arn:aws:iam::111122223333:role/loyalty-developer"], name);
  }
});

test("no committed stack has an unauthorized method besides the CORS preflight", (t) => {
  for (const stack of ["dev", "prod"]) {
    const open = run(stack)
      .ofType(T.method)
      .filter((m) => input(m, "authorization") === "NONE" && input(m, "httpMethod") !== "OPTIONS");
    t.deepEqual(
      open.map((m) => m.name),
      [],
      stack,
    );
  }
});

test("the prod ledger, queues and their keys are protected; dev's may be deleted", (t) => {
  for (const name of ["loyalty-ledger"]) {
    t.true(run("prod").get(T.table, name).protect);
    t.true(run("prod").get(T.key, name).protect);
    t.false(run("dev").get(T.table, name).protect);
    t.false(run("dev").get(T.key, name).protect);
  }
  // Prod also keeps what holds messages, and the key that decrypts them; functions and the rest can still be replaced.
  const kept = (stack: string) =>
    run(stack)
      .resources.filter((r) => r.custom && r.protect)
      .map((r) => `${r.type.split(":").pop() ?? ""} ${r.name}`)
      .sort();
  t.deepEqual(kept("prod"), [
    "Key loyalty-ingest-messages",
    "Key loyalty-ledger",
    "Queue loyalty-events-dlq",
    "Queue loyalty-ingest-dlq",
    "Queue loyalty-ingest-queue",
    "Queue loyalty-ingest-rule-dlq",
    "Queue loyalty-settle-dlq",
    "Table loyalty-ledger",
  ]);
  t.deepEqual(kept("dev"), []);
});

test("either committed stack deploys first into a fresh account: each sets API Gateway's logging role, and destroying one leaves it", (t) => {
  for (const stack of ["dev", "prod"]) {
    const r = run(stack);
    // The stage cannot be created before the account names a logging role.
    const setting = r.get("aws:apigateway/account:Account", "loyalty-api-account-logs");
    t.true(r.get("aws:apigateway/stage:Stage", "loyalty-api").dependencies.includes(setting.urn), stack);
    t.is(input(setting, "cloudwatchRoleArn"), "arn:aws:iam:eu-west-1:123456789012:loyalty-api-account-logs-a1b2c3");
    t.like(r.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "loyalty-api-account-logs").inputs, {
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
    // The other stack in the account keeps logging after this one is destroyed.
    const kept = r.resources
      .filter((resource) => resource.retainOnDelete)
      .map((resource) => resource.type)
      .sort();
    t.deepEqual(kept, ["aws:apigateway/account:Account", "aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"], stack);
  }
});

test("dashboards are named per stack, so dev and prod in one account keep their own", (t) => {
  const names = ["dev", "prod"].map((stack) => input(run(stack).get("aws:cloudwatch/dashboard:Dashboard", "loyalty"), "dashboardName"));
  t.deepEqual(names, ["loyalty-dev", "loyalty-prod"]);
});

test("API Gateway's own answers use the API's error shape with a stable code each", (t) => {
  const prod = run("prod");
  const responses = prod.ofType("aws:apigateway/response:Response");
  const byType = new Map(responses.map((r) => [input<string>(r, "responseType"), r]));
  for (const type of [
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "BAD_REQUEST_BODY",
    "BAD_REQUEST_PARAMETERS",
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "MISSING_AUTHENTICATION_TOKEN",
    "THROTTLED",
  ]) {
    t.true(byType.has(type), type);
  }
  for (const response of responses) {
    const template = input<Record<string, string>>(response, "responseTemplates")["application/json"] ?? "";
    // What API Gateway would send, with its variables substituted as it does.
    const body = JSON.parse(
      template.replace("$context.error.messageString", JSON.stringify('Invalid request body "x"')).replace("$context.requestId", "req-1"),
    );
    t.deepEqual(Object.keys(body), ["error"]);
    t.regex(body.error.code, /^[a-z_]+$/);
    t.like(body.error, { message: 'Invalid request body "x"', requestId: "req-1" });
    t.like(input(response, "responseParameters"), {
      "gatewayresponse.header.Access-Control-Allow-Origin": "'https://www.otrium.com'",
      "gatewayresponse.header.Cache-Control": "'no-store'",
    });
  }
  const code = (type: string) =>
    JSON.parse(
      (
        input<Record<string, string>>(required(byType.get(type), `the gateway response ${type}`), "responseTemplates")[
          "application/json"
        ] ?? ""
      )
        .replace("$context.error.messageString", '""')
        .replace("$context.requestId", ""),
    ).error.code;
  t.deepEqual(["BAD_REQUEST_BODY", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"].map(code), [
    "invalid_request",
    "unauthorized",
    "access_denied",
    "throttled",
    "request_refused",
    "gateway_error",
  ]);
});

test("CORS preflight methods are open (browsers send them without credentials) and answered by API Gateway, never by a function", (t) => {
  const prod = run("prod");
  const options = prod.ofType(T.method).filter((m) => input(m, "httpMethod") === "OPTIONS");
  t.is(options.length, 8, "one per path: GET and DELETE /points/{userId} share theirs, as GET and PUT /rewards/{rewardId}");
  for (const method of options) t.is(input(method, "authorization"), "NONE");
  const integrations = prod.ofType("aws:apigateway/integration:Integration");
  const preflights = integrations.filter((i) => input(i, "httpMethod") === "OPTIONS");
  t.is(preflights.length, 8);
  for (const integration of preflights) {
    t.like(integration.inputs, { type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 204}' } });
    t.is(input(integration, "uri"), undefined, "no function behind a preflight");
  }
  t.true(integrations.filter((i) => input(i, "httpMethod") !== "OPTIONS").every((i) => input(i, "type") === "AWS_PROXY"));
  // The same headers the functions put on their answers (corsHeaders), for the one allowed origin.
  const answer = prod.get("aws:apigateway/integrationResponse:IntegrationResponse", "loyalty-api-options-points-userId");
  t.deepEqual(input(answer, "responseParameters"), {
    "method.response.header.Access-Control-Allow-Origin": "'https://www.otrium.com'",
    "method.response.header.Access-Control-Allow-Methods": "'GET, DELETE, OPTIONS'",
    "method.response.header.Access-Control-Allow-Headers": "'Authorization, Content-Type'",
    "method.response.header.Access-Control-Max-Age": "'600'",
    "method.response.header.Vary": "'Origin'",
  });
  t.is(input(answer, "statusCode"), "204");
});

test("backends reach every route under /admin in both stacks: SigV4 methods before the same functions, no preflights", (t) => {
  for (const stack of ["dev", "prod"]) {
    const r = run(stack);
    const admin = r.ofType(T.method).filter(inAdminTree);
    t.deepEqual(
      admin.map((m) => `${String(input(m, "httpMethod"))} ${m.name}`).sort(),
      [
        "DELETE loyalty-api-delete-admin-points-userId",
        "GET loyalty-api-get-admin-points-userId",
        "GET loyalty-api-get-admin-points-userId-history",
        "POST loyalty-api-post-admin-points-userId-adjustments",
        "POST loyalty-api-post-admin-points-userId-redemptions",
        "POST loyalty-api-post-admin-points-userId-redemptions-redemptionId-cancel",
        "GET loyalty-api-get-admin-rewards",
        "GET loyalty-api-get-admin-rewards-rewardId",
        "POST loyalty-api-post-admin-rewards-rewardId-codes",
        "PUT loyalty-api-put-admin-rewards-rewardId",
      ].sort(),
      stack,
    );
    for (const method of admin) {
      t.is(input(method, "authorization"), "AWS_IAM", method.name);
      t.is(input(method, "authorizerId"), undefined, method.name);
      const twin = r.get("aws:apigateway/integration:Integration", method.name.replace("-admin-", "-"));
      t.is(
        input(r.get("aws:apigateway/integration:Integration", method.name), "uri"),
        input(twin, "uri"),
        `${method.name}: the customer route's function`,
      );
    }
    t.deepEqual(
      input(r.get(T.method, "loyalty-api-post-admin-points-userId-adjustments"), "requestModels"),
      { "application/json": "AdjustmentRequest" },
      "validated as the customer route is",
    );
  }
});

for (const stack of ["dev", "prod"]) {
  test(`${stack}: the API's resource policy admits only the listed admin principals to /admin, leaves the customer routes to their authorizer, and takes effect with the stage`, (t) => {
    const r = run(stack);
    const policy = r.get("aws:apigateway/restApiPolicy:RestApiPolicy", "loyalty-api");
    t.is(input(policy, "restApiId"), "loyalty-api-id");
    const statements = statementsOf(JSON.parse(input<string>(policy, "policy")));
    const api = "arn:aws:execute-api:eu-west-1:123456789012:loyalty-api-id";
    const listed =
      stack === "prod" ? "arn:aws:iam::111122223333:role/customer-service-backend" : "arn:aws:iam::111122223333:role/loyalty-developer";
    const ask = (path: string, principalArn: string | undefined, method = "POST"): PolicyRequest => ({
      principal: { arn: principalArn ?? "anonymous" },
      action: "execute-api:Invoke",
      resource: `${api}/v1/${method}${path}`,
      context: principalArn === undefined ? {} : { "aws:PrincipalArn": principalArn },
    });
    const adjust = "/admin/points/u-1/adjustments";
    t.deepEqual(
      decide(statements, ask(adjust, listed)),
      { explicitlyDenied: false, allowedByPolicy: true },
      "the listed backend, from any account",
    );
    for (const stranger of ["arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:user/ops", undefined]) {
      t.true(
        decide(statements, ask(adjust, stranger)).explicitlyDenied,
        `${stranger ?? "an unsigned caller"} is denied even with IAM allowing it`,
      );
    }
    // A Cognito authorizer (prod) needs the policy's explicit allow; SigV4 (dev) is left to the callers' IAM.
    const customer = decide(statements, ask("/points/u-1", undefined, "GET"));
    t.deepEqual(customer, { explicitlyDenied: false, allowedByPolicy: stack === "prod" });
    t.deepEqual(
      decide(statements, ask("/points/u-1", undefined, "OPTIONS")),
      { explicitlyDenied: false, allowedByPolicy: true },
      "preflights carry no credentials",
    );
    const deployment = r.get("aws:apigateway/deployment:Deployment", "loyalty-api");
    t.true(deployment.dependencies.includes(policy.urn), "a resource policy takes effect with the next deployment");
  });
}

test("the reader, the redeemer and the admin function may be invoked by this API only", (t) => {
  for (const name of ["loyalty-api-reader", "loyalty-api-redeemer", "loyalty-api-admin"]) {
    const permission = run("prod").get("aws:lambda/permission:Permission", name);
    t.like(permission.inputs, {
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:loyalty-api-id/*/*/points/*",
    });
  }
  // Each function on the paths of its routes, and no other: the catalogue's reads are the reader's, its changes the admin function's.
  const invokable = run("prod")
    .ofType("aws:lambda/permission:Permission")
    .filter((permission) => permission.name.startsWith("loyalty-api-"))
    .map((permission) => `${permission.name} ${String(input(permission, "sourceArn")).replace(/^.*loyalty-api-id/u, "")}`)
    .sort();
  t.deepEqual(invokable, [
    "loyalty-api-admin /*/*/points/*",
    "loyalty-api-admin-rewards /*/*/rewards/*",
    "loyalty-api-reader /*/*/points/*",
    "loyalty-api-reader-rewards /*/*/rewards*",
    "loyalty-api-redeemer /*/*/points/*",
  ]);
});

test("redemption bodies are validated by API Gateway against the handler's own schema", (t) => {
  const prod = run("prod");
  const model = prod.get("aws:apigateway/model:Model", "loyalty-api-redemption-request");
  t.like(model.inputs, { name: "RedemptionRequest", contentType: "application/json" });
  const schema = JSON.parse(input<string>(model, "schema"));
  t.is(schema.$schema, "http://json-schema.org/draft-04/schema#");
  t.deepEqual(schema.required, ["redemptionId", "rewardId"], "the price is the server's: points is optional");
  t.like(schema.properties.points, { type: "integer", minimum: 1 });
  t.like(schema.properties.redemptionId, { pattern: "^[A-Za-z0-9_.:-]+$", maxLength: 128 });
  t.like(prod.get("aws:apigateway/requestValidator:RequestValidator", "loyalty-api").inputs, {
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  const redeem = prod.get(T.method, "loyalty-api-post-points-userId-redemptions");
  t.deepEqual(input(redeem, "requestModels"), { "application/json": "RedemptionRequest" });
  t.is(input(redeem, "requestValidatorId"), "loyalty-api-id");
  const cancel = prod.get(T.method, "loyalty-api-post-points-userId-redemptions-redemptionId-cancel");
  t.deepEqual(input(cancel, "requestParameters"), { "method.request.path.userId": true, "method.request.path.redemptionId": true });
  const integration = prod.get("aws:apigateway/integration:Integration", "loyalty-api-post-points-userId-redemptions");
  t.regex(input<string>(integration, "uri"), /function:loyalty-api-redeemer-a1b2c3\/invocations$/);
});

async function codeHash(resource: CapturedResource): Promise<string> {
  const archive = input<pulumi.asset.AssetArchive>(resource, "code");
  const assets = await archive.assets;
  const hash = createHash("sha256");
  for (const name of Object.keys(assets).sort()) {
    const asset = assets[name] as pulumi.asset.StringAsset;
    hash.update(name).update(await asset.text);
  }
  return hash.digest("hex");
}

test.serial("bundles are deterministic: two runs of the program ship the same Lambda code", async (t) => {
  // The two compared are built again, not served from the cache of the first run's bundles.
  handlerBundles.forget(["handlers/writer.ts", "handlers/reader.ts"]);
  const again = await runStack("dev");
  for (const name of ["loyalty-ingest-writer", "loyalty-api-reader"]) {
    const first = await codeHash(run("dev").get(T.function, name));
    t.is(await codeHash(again.get(T.function, name)), first, name);
  }
  t.not(
    await codeHash(run("dev").get(T.function, "loyalty-ingest-writer")),
    await codeHash(run("dev").get(T.function, "loyalty-api-reader")),
  );
});

test("adjustment bodies are validated by API Gateway against the handler's own schema, and the admin routes reach the admin function", (t) => {
  const prod = run("prod");
  const model = prod.get("aws:apigateway/model:Model", "loyalty-api-adjustment-request");
  t.like(model.inputs, { name: "AdjustmentRequest", contentType: "application/json" });
  const schema = JSON.parse(input<string>(model, "schema"));
  t.deepEqual(schema.required, ["adjustmentId", "points", "reason"]);
  t.like(schema.properties.points, { type: "integer", not: { enum: [0] } });
  t.like(schema.properties.reason, { minLength: 1, maxLength: 500 });
  t.deepEqual(input(prod.get(T.method, "loyalty-api-post-points-userId-adjustments"), "requestModels"), {
    "application/json": "AdjustmentRequest",
  });
  for (const id of ["loyalty-api-post-points-userId-adjustments", "loyalty-api-delete-points-userId"]) {
    t.regex(
      input<string>(prod.get("aws:apigateway/integration:Integration", id), "uri"),
      /function:loyalty-api-admin-a1b2c3\/invocations$/,
      id,
    );
  }
  const env = input<{ variables: Record<string, string> }>(prod.get(T.function, "loyalty-api-admin"), "environment").variables;
  t.deepEqual(JSON.parse(env.POINTS_LIFECYCLE ?? "null"), { pendingDays: 30, expiryDays: 365 }, "a grant expires as the stack's lots do");
  t.like(env, { ADMIN_GROUP: "loyalty-support", TABLE_NAME: "loyalty-ledger-a1b2c3" });
});

test("the admin function's role: only what adjustments, erasure and the catalogue send, each limited to its partitions", (t) => {
  const table = "arn:aws:dynamodb:eu-west-1:123456789012:table/loyalty-ledger-a1b2c3";
  const statements = statementsOf(input(run("prod").get(T.rolePolicy, "loyalty-api-admin"), "policy"));
  const only = (...prefixes: string[]) => ({ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": prefixes } });
  t.deepEqual(
    statements.filter((s) => s.Action.some((a) => a.startsWith("dynamodb:"))).map((s) => [s.Sid, s.Action, s.Resource, s.Condition]),
    [
      [
        "AdjustCustomers",
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"],
        [table],
        only("USER#*"),
      ],
      ["IndexGrantedExpiries", ["dynamodb:UpdateItem"], [table], only("EXPIRES#*")],
      ["EraseCustomers", ["dynamodb:BatchWriteItem"], [table], only("USER#*", "EXPIRES#*", "RELEASES#*", "TIERENDS#*")],
      ["ChangeCatalogue", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [table], only("CATALOGUE*")],
      ["StockAndCodes", ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"], [table], only("REWARD#*")],
      ["KeepTombstones", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"], [table], only("ERASED#*")],
    ],
  );
  t.deepEqual(
    allowedActions(statements)
      .filter((a) => /^(dynamodb|kms|sqs):/.test(a))
      .sort(),
    [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:GetItem",
      "dynamodb:GetItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:PutItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "dynamodb:UpdateItem",
      "dynamodb:UpdateItem",
      "dynamodb:UpdateItem",
      "kms:Decrypt",
      "kms:GenerateDataKey",
    ],
  );
  t.false(allowedActions(statements).includes("dynamodb:Scan"), "no Scan: erasure finds a customer's items by their partition");
  t.false(allowedActions(statements).includes("dynamodb:DeleteItem"));
});

test("the writer, the reader and the settle follow the ledger's tiers (TIERS); no other function is given them", (t) => {
  for (const stack of ["dev", "prod"]) {
    const r = run(stack);
    const tiersOf = (fn: string) => input<{ variables: Record<string, string> }>(r.get(T.function, fn), "environment").variables.TIERS;
    for (const fn of ["loyalty-ingest-writer", "loyalty-api-reader", "loyalty-settle"]) {
      t.deepEqual(
        JSON.parse(tiersOf(fn) ?? "null"),
        {
          levels: [
            { name: "Member", threshold: 0, multiplier: 1 },
            { name: "Silver", threshold: 500, multiplier: 1.25 },
            { name: "Gold", threshold: 1500, multiplier: 1.5 },
          ],
          windowDays: 365,
        },
        `${stack} ${fn}`,
      );
    }
    for (const fn of ["loyalty-api-redeemer", "loyalty-api-admin", "loyalty-events"]) t.is(tiersOf(fn), undefined, `${stack} ${fn}`);
  }
});
