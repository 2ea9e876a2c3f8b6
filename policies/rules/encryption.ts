/**
 * Encryption guardrails: data at rest under keys we control, keys that rotate, logs that
 * expire, queues that refuse plain HTTP.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { field, isSet, known, statementsOf, stringsOf } from "./reading";
import { TYPES } from "./resource-types";

/** AWS-managed key aliases: their policies cannot admit EventBridge or CloudWatch. */
const AWS_MANAGED_KEY = /^alias\/aws\//;

export const dynamodbTableKmsEncrypted: ResourceValidationPolicy = {
  name: "dynamodb-table-kms-encrypted",
  description: "DynamoDB tables are encrypted with a customer-managed KMS key.",
  remediationSteps: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed key ARN> } (LoyaltyStore does).",
  validateResource: (args, report) => {
    if (args.type !== TYPES.table) return;
    const sse = field(args.props, "serverSideEncryption");
    if (sse.state === "unknown") return; // set, to a block not known yet
    if (sse.state === "absent" || known(sse.value, "enabled") === false || !isSet(sse.value, "enabled")) {
      report("The table is encrypted with the AWS-owned key: set serverSideEncryption.enabled and kmsKeyArn.");
      return;
    }
    const keyArn = field(sse.value, "kmsKeyArn");
    if (keyArn.state === "absent") {
      report("serverSideEncryption has no kmsKeyArn, so the AWS-managed key is used: set a customer-managed key ARN.");
    } else if (keyArn.state === "known" && AWS_MANAGED_KEY.test(String(keyArn.value))) {
      report(`serverSideEncryption.kmsKeyArn is the AWS-managed ${String(keyArn.value)}: use a customer-managed key.`);
    }
  },
};

export const sqsQueueEncrypted: ResourceValidationPolicy = {
  name: "sqs-queue-encrypted",
  description: "SQS queues are encrypted at rest.",
  remediationSteps:
    "Set kmsMasterKeyId to a customer-managed KMS key (required for EventBridge to deliver), or sqsManagedSseEnabled: true.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.queue) return;
    if (isSet(args.props, "kmsMasterKeyId") || known(args.props, "sqsManagedSseEnabled") === true) return;
    report("The queue is not encrypted: set kmsMasterKeyId to a customer-managed KMS key.");
  },
};

export const kmsKeyRotationEnabled: ResourceValidationPolicy = {
  name: "kms-key-rotation-enabled",
  description: "Symmetric KMS keys rotate their key material.",
  remediationSteps: "Set enableKeyRotation: true on the kms.Key.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.kmsKey) return;
    const spec = known(args.props, "customerMasterKeySpec") ?? known(args.props, "keySpec");
    if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") {
      args.notApplicable("asymmetric and HMAC keys cannot rotate automatically");
    }
    if (known(args.props, "enableKeyRotation") !== true && field(args.props, "enableKeyRotation").state !== "unknown") {
      report("The key does not rotate: set enableKeyRotation: true.");
    }
  },
};

export const logGroupRetentionSet: ResourceValidationPolicy = {
  name: "log-group-retention-set",
  description: "CloudWatch log groups expire their logs.",
  remediationSteps: "Set retentionInDays (the stack's logRetentionDays) on the log group.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.logGroup) return;
    const retention = field(args.props, "retentionInDays");
    if (retention.state === "absent" || (retention.state === "known" && retention.value === 0)) {
      report("The log group keeps logs forever: set retentionInDays.");
    }
  },
};

/** Whether a statement denies every request made without TLS. */
function deniesInsecureTransport(statement: unknown): boolean {
  if (known(statement, "Effect") !== "Deny") return false;
  const principal = known(statement, "Principal");
  const everyone = principal === "*" || known(principal, "AWS") === "*";
  const actions = stringsOf(field(statement, "Action"));
  const everyAction = actions.some((action) => action === "*" || action === "sqs:*");
  const secure = known(known(statement, "Condition"), "Bool");
  return everyone && everyAction && known(secure, "aws:SecureTransport") === "false";
}

export const sqsQueuePolicyTlsOnly: ResourceValidationPolicy = {
  name: "sqs-queue-policy-tls-only",
  description: "Queue policies deny every request made without TLS.",
  remediationSteps:
    'Add { Effect: "Deny", Principal: "*", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "false" } } } (applySecureQueuePolicy does).',
  validateResource: (args, report) => {
    if (args.type !== TYPES.queuePolicy) return;
    if (!statementsOf(args.props, "policy").some(deniesInsecureTransport)) {
      report('The queue policy allows plain HTTP: add a Deny of sqs:* for "aws:SecureTransport": "false".');
    }
  },
};

export const encryptionPolicies = [
  dynamodbTableKmsEncrypted,
  sqsQueueEncrypted,
  kmsKeyRotationEnabled,
  logGroupRetentionSet,
  sqsQueuePolicyTlsOnly,
];
