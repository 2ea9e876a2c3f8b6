/**
 * Our two IAM judgements, held to an evaluator nobody here wrote (`@cloud-copilot/iam-simulate`):
 * the policy pack's resource-policy evaluator (`policies/rules/resource-policy.ts`) on every
 * queue policy of both stacks, and on every key policy that admits a service (which must refuse
 * the service acting for another account), and the leading-key reading the IAM coverage test
 * relies on, on every function role. Each is asked the same questions; where the two answer differently, the
 * test fails — a check that is wrong here would pass a policy that is wrong in AWS.
 */
import test from "ava";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { runStack } from "../harness/stack-run";
import { MOCK_ACCOUNT, MOCK_REGION, type ProgramRun } from "../harness/mock-program";
import { decide, type PolicyRequest } from "../policies/rules/resource-policy";
import { granted, statementsOf } from "./support/policy-documents";

// Mock state is global: the program runs once per stack, one at a time, before the tests.
const runs = new Map<string, ProgramRun>();
test.before(async () => {
  for (const stack of ["dev", "prod"]) runs.set(stack, await runStack(stack));
});
const runOf = (stack: string): ProgramRun => {
  const run = runs.get(stack);
  if (!run) throw new Error(`the ${stack} stack did not run`);
  return run;
};

type Verdict = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

async function simulate(simulation: Omit<Simulation, "serviceControlPolicies" | "resourceControlPolicies">): Promise<Verdict> {
  const answer = await runSimulation({ ...simulation, serviceControlPolicies: [], resourceControlPolicies: [] }, {});
  if (answer.resultType === "error") throw new Error(`the simulator refused the request: ${JSON.stringify(answer.errors)}`);
  return answer.overallResult as Verdict;
}

/** The pack's verdict in the simulator's words: with no identity policy, only the resource policy can allow. */
function ours(statements: unknown[], request: PolicyRequest): Verdict {
  const decision = decide(statements, request);
  return decision.explicitlyDenied ? "ExplicitlyDenied" : decision.allowedByPolicy ? "Allowed" : "ImplicitlyDenied";
}

const RULE = (name: string) => `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:rule/${name}`;
const OPERATOR = "arn:aws:iam::111122223333:role/loyalty-operator";

/** Who might send to or read a queue: the rule, another rule, admins here and elsewhere, the operator; with and without TLS. */
function requests(ruleArn: string): PolicyRequest[] {
  const asIam = (arn: string, action: string, tls: boolean): PolicyRequest => ({
    principal: { arn },
    action,
    context: { "aws:PrincipalArn": arn, "aws:SecureTransport": String(tls) },
  });
  const asRule = (sourceArn: string, tls: boolean): PolicyRequest => ({
    principal: { service: "events.amazonaws.com" },
    action: "sqs:SendMessage",
    context: { "aws:SourceArn": sourceArn, "aws:SecureTransport": String(tls) },
  });
  return [
    asRule(ruleArn, true),
    asRule(ruleArn, false),
    asRule(RULE("some-other-rule"), true),
    ...["sqs:SendMessage", "sqs:ReceiveMessage"].flatMap((action) => [
      asIam(`arn:aws:iam::${MOCK_ACCOUNT}:role/Admin`, action, true),
      asIam("arn:aws:iam::999999999999:role/elsewhere", action, true),
      asIam(OPERATOR, action, true),
      asIam(OPERATOR, action, false),
    ]),
  ];
}

for (const stack of ["dev", "prod"]) {
  test(`${stack}: the pack's resource-policy evaluator agrees with iam-simulate on every queue policy`, async (t) => {
    const run = runOf(stack);
    const ruleArn = RULE("loyalty-ingest-orders-a1b2c3");
    const disagreements: string[] = [];
    let asked = 0;
    for (const queuePolicy of run.ofType("aws:sqs/queuePolicy:QueuePolicy")) {
      const document = queuePolicy.inputs.policy as { Statement: unknown[] };
      const queueArn = `arn:aws:sqs:${MOCK_REGION}:${MOCK_ACCOUNT}:${queuePolicy.name}-a1b2c3`;
      for (const request of requests(ruleArn)) {
        const principal = "service" in request.principal ? request.principal.service : request.principal.arn;
        const theirs = await simulate({
          request: {
            principal,
            action: request.action,
            resource: { resource: queueArn, accountId: MOCK_ACCOUNT },
            contextVariables: request.context,
          },
          identityPolicies: [],
          resourcePolicy: document,
        });
        const mine = ours(document.Statement, request);
        asked++;
        if (mine !== theirs)
          disagreements.push(
            `${queuePolicy.name}: ${principal} ${request.action} ${JSON.stringify(request.context)}: pack ${mine}, iam-simulate ${theirs}`,
          );
      }
    }
    t.true(asked >= 40, `asked ${asked}`);
    t.deepEqual(disagreements, []);
  });

  test(`${stack}: the pack's evaluator agrees with iam-simulate on the API's resource policy, resource by resource`, async (t) => {
    const run = runOf(stack);
    const document = JSON.parse(String(run.get("aws:apigateway/restApiPolicy:RestApiPolicy", "loyalty-api").inputs.policy)) as {
      Statement: unknown[];
    };
    const api = `arn:aws:execute-api:${MOCK_REGION}:${MOCK_ACCOUNT}:loyalty-api-id`;
    const listed =
      stack === "prod" ? "arn:aws:iam::111122223333:role/customer-service-backend" : "arn:aws:iam::111122223333:role/loyalty-developer";
    const callers = [listed, `arn:aws:iam::${MOCK_ACCOUNT}:role/Admin`, "arn:aws:iam::999999999999:role/elsewhere"];
    const targets = [
      "GET/points/u-1",
      "POST/points/u-1/adjustments",
      "OPTIONS/points/u-1",
      "GET/admin/points/u-1",
      "POST/admin/points/u-1/adjustments",
      "DELETE/admin/points/u-1",
    ];
    const disagreements: string[] = [];
    const verdicts: Record<string, Verdict> = {};
    for (const caller of callers) {
      for (const target of targets) {
        const resource = `${api}/v1/${target}`;
        const request: PolicyRequest = {
          principal: { arn: caller },
          action: "execute-api:Invoke",
          resource,
          context: { "aws:PrincipalArn": caller },
        };
        // A caller of another account needs its own IAM to allow the call too: grant it, so the
        // resource policy decides, as it alone does for this account's callers without one.
        const ownAccount = caller.split(":")[4] === MOCK_ACCOUNT;
        const theirs = await simulate({
          request: {
            principal: caller,
            action: "execute-api:Invoke",
            resource: { resource, accountId: MOCK_ACCOUNT },
            contextVariables: request.context,
          },
          identityPolicies: ownAccount
            ? []
            : [
                {
                  name: "invoke-any-api",
                  policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] },
                },
              ],
          resourcePolicy: document,
        });
        const mine = ours(document.Statement, request);
        verdicts[`${caller} ${target}`] = theirs;
        if (mine !== theirs) disagreements.push(`${caller} ${target}: pack ${mine}, iam-simulate ${theirs}`);
      }
    }
    t.deepEqual(disagreements, []);
    // What the two agree on: only the listed backend reaches /admin.
    for (const target of targets.filter((path) => path.includes("/admin/"))) {
      t.is(verdicts[`${listed} ${target}`], "Allowed", target);
      t.is(verdicts[`arn:aws:iam::${MOCK_ACCOUNT}:role/Admin ${target}`], "ExplicitlyDenied", target);
    }
  });

  test(`${stack}: on every key a service may use, the service acting for this account is allowed, for another account denied, by both evaluators`, async (t) => {
    const run = runOf(stack);
    const disagreements: string[] = [];
    const verdicts: string[] = [];
    for (const key of run.ofType("aws:kms/key:Key")) {
      if (typeof key.inputs.policy !== "string") continue;
      const document = JSON.parse(key.inputs.policy) as { Statement: unknown[] };
      const services = statementsOf(document).flatMap((s) => [(s.Principal as { Service?: string } | undefined)?.Service ?? []].flat());
      const keyArn = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${key.name}-key-id`;
      for (const service of services) {
        // The resource the service acts for: an alarm for CloudWatch, the rule for EventBridge.
        const source = (account: string) =>
          service === "cloudwatch.amazonaws.com"
            ? `arn:aws:cloudwatch:${MOCK_REGION}:${account}:alarm:loyalty-x`
            : `arn:aws:events:${MOCK_REGION}:${account}:rule/loyalty-ingest-orders-a1b2c3`;
        for (const [who, account] of [
          ["this account", MOCK_ACCOUNT],
          ["another account", "999999999999"],
        ] as const) {
          for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
            const request: PolicyRequest = {
              principal: { service },
              action,
              context: { "aws:SourceAccount": account, "aws:SourceArn": source(account) },
            };
            const theirs = await simulate({
              request: {
                principal: service,
                action,
                resource: { resource: keyArn, accountId: MOCK_ACCOUNT },
                contextVariables: request.context,
              },
              identityPolicies: [],
              resourcePolicy: document,
            });
            const mine = ours(document.Statement, request);
            if (mine !== theirs) disagreements.push(`${key.name}: ${service} ${action} for ${who}: pack ${mine}, iam-simulate ${theirs}`);
            verdicts.push(`${key.name}: ${service} ${action} for ${who}: ${theirs}`);
          }
        }
      }
    }
    t.deepEqual(disagreements, []);
    t.deepEqual(verdicts.sort(), [
      "loyalty-alerts-topic: cloudwatch.amazonaws.com kms:Decrypt for another account: ImplicitlyDenied",
      "loyalty-alerts-topic: cloudwatch.amazonaws.com kms:Decrypt for this account: Allowed",
      "loyalty-alerts-topic: cloudwatch.amazonaws.com kms:GenerateDataKey for another account: ImplicitlyDenied",
      "loyalty-alerts-topic: cloudwatch.amazonaws.com kms:GenerateDataKey for this account: Allowed",
      "loyalty-ingest-messages: events.amazonaws.com kms:Decrypt for another account: ImplicitlyDenied",
      "loyalty-ingest-messages: events.amazonaws.com kms:Decrypt for this account: Allowed",
      "loyalty-ingest-messages: events.amazonaws.com kms:GenerateDataKey for another account: ImplicitlyDenied",
      "loyalty-ingest-messages: events.amazonaws.com kms:GenerateDataKey for this account: Allowed",
    ]);
  });

  test(`${stack}: the leading-key reading of the IAM coverage test agrees with iam-simulate on every function role`, async (t) => {
    const run = runOf(stack);
    const table = `arn:aws:dynamodb:${MOCK_REGION}:${MOCK_ACCOUNT}:table/loyalty-ledger-a1b2c3`;
    const actions = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem", "Query", "BatchWriteItem", "Scan"].map(
      (action) => `dynamodb:${action}`,
    );
    const partitions = ["USER#u-1", "ERASED#0f1e", "EXPIRES#2026-01-16#3", "RELEASES#2026-01-16#3", "REWARD#r-1"];
    const disagreements: string[] = [];
    for (const name of ["loyalty-ingest-writer", "loyalty-api-reader", "loyalty-api-redeemer", "loyalty-api-admin", "loyalty-settle"]) {
      const document = run.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy;
      const statements = statementsOf(document);
      for (const action of actions) {
        for (const partition of partitions) {
          const theirs = await simulate({
            request: {
              principal: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`,
              action,
              resource: { resource: table, accountId: MOCK_ACCOUNT },
              contextVariables: { "dynamodb:LeadingKeys": [partition] },
            },
            identityPolicies: [{ name, policy: typeof document === "string" ? JSON.parse(document) : document }],
          });
          const mine = granted(statements, { action, partition }) ? "Allowed" : "ImplicitlyDenied";
          if (mine !== theirs) disagreements.push(`${name}: ${action} on ${partition}: coverage test ${mine}, iam-simulate ${theirs}`);
        }
      }
    }
    t.deepEqual(disagreements, []);
  });
}
