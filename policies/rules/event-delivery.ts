/**
 * Event delivery guardrails: only the expected publishers reach a rule, only the rule reaches
 * its queue, a fault of the queue's key cannot also silence the rule's dead letters, and a
 * person hears of every event the rule failed to deliver.
 *
 * Which queue, DLQ, policy and alarm belong to which rule is decided from the resources each
 * property came from (known on a first preview), or from known ARNs and names.
 */
import type { PolicyResource, StackValidationPolicy, ResourceValidationPolicy } from "@pulumi/policy";
import { field, known, statementsOf } from "./reading";
import { decide, type PolicyRequest } from "./resource-policy";
import { TYPES } from "./resource-types";

const ofType = (resources: PolicyResource[], type: string) => resources.filter((r) => r.type === type);

/** Whether `holder[key]` came from `target` (by dependency, or by `target`'s known ARN). */
function from(holder: PolicyResource, key: string, value: unknown, target: PolicyResource): boolean {
  if ((holder.propertyDependencies[key] ?? []).some((source) => source.urn === target.urn)) return true;
  const arn = known(target.props, "arn");
  return arn !== undefined && value === arn;
}

/** EventBridge targets that deliver to an SQS queue of the stack, with that queue and the target's DLQ. */
function queueTargets(resources: PolicyResource[]) {
  const queues = ofType(resources, TYPES.queue);
  return ofType(resources, TYPES.eventTarget).flatMap((target) => {
    const queue = queues.find((q) => from(target, "arn", known(target.props, "arn"), q));
    if (!queue) return [];
    const dlqArn = known(known(target.props, "deadLetterConfig"), "arn");
    const dlq = queues.find((q) => from(target, "deadLetterConfig", dlqArn, q));
    return [{ target, queue, dlq }];
  });
}

/** The KMS key a queue is encrypted with: the resources its key id came from, or its known value. */
function keyOf(queue: PolicyResource): { sources: string[]; value: unknown } | undefined {
  const key = field(queue.props, "kmsMasterKeyId");
  if (key.state === "absent") return undefined;
  return {
    sources: (queue.propertyDependencies.kmsMasterKeyId ?? []).map((source) => source.urn),
    value: key.state === "known" ? key.value : undefined,
  };
}

export const eventbridgeDlqOwnEncryption: StackValidationPolicy = {
  name: "eventbridge-dlq-own-encryption",
  description: "A rule target's DLQ is not encrypted with the target queue's KMS key.",
  remediationSteps: "Encrypt the rule's DLQ with SQS-managed keys (sqsManagedSseEnabled: true) or a key of its own.",
  validateStack: (args, report) => {
    for (const { target, queue, dlq } of queueTargets(args.resources)) {
      if (!dlq) continue;
      const queueKey = keyOf(queue);
      const dlqKey = keyOf(dlq);
      if (!queueKey || !dlqKey) continue;
      const sameSource = queueKey.sources.some((urn) => dlqKey.sources.includes(urn));
      const sameValue = queueKey.value !== undefined && queueKey.value === dlqKey.value;
      if (sameSource || sameValue) {
        report(
          `DLQ "${dlq.name}" of target "${target.name}" uses the key of its queue "${queue.name}": a fault of that key stops delivery to both, and the events are lost. Use SQS-managed encryption or another key.`,
          dlq.urn,
        );
      }
    }
  },
};

/** Requests that must never be able to put a message into a rule's queue. */
export const INTRUDERS: readonly PolicyRequest[] = [
  {
    principal: { arn: "arn:aws:iam::999999999999:role/intruder" },
    action: "sqs:SendMessage",
    context: { "aws:PrincipalArn": "arn:aws:iam::999999999999:role/intruder", "aws:SecureTransport": "true" },
  },
  {
    principal: { arn: "arn:aws:iam::123456789012:role/any-admin" },
    action: "sqs:SendMessage",
    context: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/any-admin", "aws:SecureTransport": "true" },
  },
];

export const sqsTargetQueueSendRestricted: StackValidationPolicy = {
  name: "sqs-target-queue-send-restricted",
  description:
    "A queue an EventBridge rule delivers to denies sqs:SendMessage to other principals (the rule and named operators excepted).",
  remediationSteps:
    'Add { Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Condition: { ArnNotEquals: { "aws:SourceArn": <rule ARN> }, ArnNotLike: { "aws:PrincipalArn": [<operators>] } } } (denySendExceptStatement does).',
  validateStack: (args, report) => {
    const policies = ofType(args.resources, TYPES.queuePolicy);
    for (const { queue } of queueTargets(args.resources)) {
      const own = policies.filter(
        (policy) =>
          from(policy, "queueUrl", known(policy.props, "queueUrl"), queue) || known(policy.props, "queueUrl") === known(queue.props, "url"),
      );
      const statements = own.flatMap((policy) => statementsOf(policy.props, "policy"));
      const admitted = INTRUDERS.filter((request) => !decide(statements, request).explicitlyDenied);
      if (admitted.length > 0) {
        report(
          `Queue "${queue.name}" takes messages from any principal with sqs:SendMessage in its own IAM policy (e.g. ${admitted.map((r) => ("arn" in r.principal ? r.principal.arn : r.principal.service)).join(", ")}): anyone who can send can mint points. Deny sqs:SendMessage to all but the rule and the redrive operators.`,
          queue.urn,
        );
      }
    }
  },
};

/** The rule-level metrics every rule with a target needs an alarm on. */
export const RULE_FAILURE_METRICS = ["FailedInvocations", "InvocationsFailedToBeSentToDlq"] as const;

export const eventbridgeRuleFailuresAlarmed: StackValidationPolicy = {
  name: "eventbridge-rule-failures-alarmed",
  description: "Every EventBridge rule with a target is alarmed on FailedInvocations and InvocationsFailedToBeSentToDlq.",
  remediationSteps:
    "Add MetricAlarms on AWS/Events FailedInvocations and InvocationsFailedToBeSentToDlq > 0 with dimensions { RuleName } (plus EventBusName on a custom bus).",
  validateStack: (args, report) => {
    const alarms = ofType(args.resources, TYPES.metricAlarm).filter((alarm) => known(alarm.props, "namespace") === "AWS/Events");
    const targets = ofType(args.resources, TYPES.eventTarget);
    for (const rule of ofType(args.resources, TYPES.eventRule)) {
      if (
        !targets.some(
          (target) => from(target, "rule", known(target.props, "rule"), rule) || known(target.props, "rule") === known(rule.props, "name"),
        )
      )
        continue;
      const name = known(rule.props, "name");
      const watching = alarms.filter(
        (alarm) =>
          (alarm.propertyDependencies.dimensions ?? []).some((source) => source.urn === rule.urn) ||
          (name !== undefined && known(known(alarm.props, "dimensions"), "RuleName") === name),
      );
      for (const metric of RULE_FAILURE_METRICS) {
        if (!watching.some((alarm) => known(alarm.props, "metricName") === metric)) {
          report(`Rule "${rule.name}" has no alarm on ${metric}: events it fails to deliver go unnoticed. Add one.`, rule.urn);
        }
      }
    }
  },
};

export const eventbridgeRuleRestrictsAccount: ResourceValidationPolicy = {
  name: "eventbridge-rule-restricts-account",
  description: "Rules that feed the ledger match only named publisher accounts (the pattern's `account`).",
  remediationSteps: 'Add account: ["<publisher account id>", …] to the rule\'s event pattern (LoyaltyIngest does from publisherAccounts).',
  validateResource: (args, report) => {
    if (args.type !== TYPES.eventRule) return;
    const pattern = field(args.props, "eventPattern");
    if (pattern.state === "absent") args.notApplicable("a scheduled rule carries no one's events");
    if (pattern.state !== "known") return;
    const document: unknown = typeof pattern.value === "string" ? JSON.parse(pattern.value) : pattern.value;
    const accounts = known(document, "account");
    const listed = Array.isArray(accounts) && accounts.length > 0 && accounts.every((a) => typeof a === "string" && /^\d{12}$/.test(a));
    if (!listed) report("The rule matches events from any account: list the publisher accounts in the pattern's account field.");
  },
};

/** The bus a rule or permission is on; absent means the account's default bus. */
const busOf = (resource: PolicyResource): unknown =>
  known(resource.props, "eventBusName") ?? (field(resource.props, "eventBusName").state === "absent" ? "default" : undefined);

export const eventbridgePublishersAdmitted: StackValidationPolicy = {
  name: "eventbridge-publishers-admitted",
  description: "Every account a rule's pattern matches may put events on the rule's bus (an EventPermission per account).",
  remediationSteps:
    "Add an aws.cloudwatch.EventPermission { principal: <account>, eventBusName: <the rule's bus>, action: events:PutEvents } per account (LoyaltyIngest does from publisherAccounts).",
  validateStack: (args, report) => {
    const permissions = ofType(args.resources, TYPES.eventPermission);
    for (const rule of ofType(args.resources, TYPES.eventRule)) {
      const pattern = known(rule.props, "eventPattern");
      if (pattern === undefined) continue;
      const accounts = known(typeof pattern === "string" ? JSON.parse(pattern) : pattern, "account");
      if (!Array.isArray(accounts)) continue;
      const bus = busOf(rule);
      for (const account of accounts.filter((a): a is string => typeof a === "string")) {
        const admitted = permissions.some((permission) => {
          const permissionBus = busOf(permission);
          const sameBus = bus === undefined || permissionBus === undefined || permissionBus === bus;
          return (
            sameBus &&
            known(permission.props, "principal") === account &&
            (known(permission.props, "action") ?? "events:PutEvents") === "events:PutEvents"
          );
        });
        if (!admitted) {
          report(
            `Rule "${rule.name}" matches events from account ${account}, but nothing lets that account put events on bus "${String(bus ?? "(not known yet)")}": a bus accepts only its own account until a permission admits another, so those events never arrive. Add an EventPermission for it.`,
            rule.urn,
          );
        }
      }
    }
  },
};

export const eventDeliveryPolicies = [
  eventbridgeDlqOwnEncryption,
  sqsTargetQueueSendRestricted,
  eventbridgeRuleFailuresAlarmed,
  eventbridgeRuleRestrictsAccount,
  eventbridgePublishersAdmitted,
];
