/**
 * SQS queues with the defaults every queue of ours must have, and the hardening step that
 * gives each one a policy: only the given principals may use it, nobody else may send to it,
 * and never without TLS.
 */
import type * as iam from "@pulumi/aws/iam";
import * as sqs from "@pulumi/aws/sqs";
import type * as pulumi from "@pulumi/pulumi";

/** SQS's longest retention, for dead-letter queues: two weeks for someone to look and redrive. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * How a queue is encrypted at rest: a customer-managed KMS key (what EventBridge needs to
 * deliver to a KMS-encrypted queue), or SQS-managed keys (SSE-SQS), which depend on no KMS key
 * at all — for a queue that must keep working when a key does not.
 */
export type QueueEncryption = { kmsKeyArn: pulumi.Input<string> } | "sqs-managed";

export interface EncryptedQueueArgs {
  encryption: QueueEncryption;
  messageRetentionSeconds: pulumi.Input<number>;
  visibilityTimeoutSeconds?: pulumi.Input<number>;
  /** JSON redrive policy (`deadLetterTargetArn`, `maxReceiveCount`); absent on a DLQ. */
  redrivePolicy?: pulumi.Input<string>;
}

export function encryptedQueue(name: string, args: EncryptedQueueArgs, opts: pulumi.CustomResourceOptions): sqs.Queue {
  const encryption =
    args.encryption === "sqs-managed"
      ? { sqsManagedSseEnabled: true }
      : {
          kmsMasterKeyId: args.encryption.kmsKeyArn,
          // Reusing a data key for 5 minutes keeps KMS calls (and their cost) low.
          kmsDataKeyReusePeriodSeconds: 300,
        };
  return new sqs.Queue(
    name,
    {
      ...encryption,
      messageRetentionSeconds: args.messageRetentionSeconds,
      visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
      redrivePolicy: args.redrivePolicy,
    },
    opts,
  );
}

/** Lets EventBridge deliver to `queue` only for the rule `ruleArn`. */
export function eventBridgeSendStatement(queue: sqs.Queue, ruleArn: pulumi.Input<string>): iam.PolicyStatement {
  return {
    Sid: "AllowThisEventBridgeRule",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queue.arn,
    Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
  };
}

/**
 * Refuses `sqs:SendMessage` to every principal but the rule `ruleArn` and the IAM principals
 * `operators` (who redrive dead letters into the queue): not even an administrator of this
 * account can inject a message that mints points. A request without the key a condition tests
 * (an IAM caller has no `aws:SourceArn`; EventBridge no `aws:PrincipalArn`) matches the negated
 * condition, so each exception holds for its own kind of caller only.
 */
export function denySendExceptStatement(
  queue: sqs.Queue,
  ruleArn: pulumi.Input<string>,
  operators: readonly string[],
): iam.PolicyStatement {
  return {
    Sid: "DenySendExceptRuleAndOperators",
    Effect: "Deny",
    Principal: "*",
    Action: "sqs:SendMessage",
    Resource: queue.arn,
    Condition: {
      ArnNotEquals: { "aws:SourceArn": ruleArn },
      ...(operators.length > 0 ? { ArnNotLike: { "aws:PrincipalArn": [...operators] } } : {}),
    },
  };
}

/** The queue's policy: `statements` (allows and denies, possibly none) plus a deny of any request without TLS. */
export function applySecureQueuePolicy(
  name: string,
  queue: sqs.Queue,
  statements: iam.PolicyStatement[],
  opts: pulumi.CustomResourceOptions,
): sqs.QueuePolicy {
  return new sqs.QueuePolicy(
    name,
    {
      queueUrl: queue.url,
      // A document rather than JSON text: on a first preview only the ARNs inside are unknown,
      // so policy checks can still read the statements.
      policy: {
        Version: "2012-10-17",
        Statement: [
          ...statements,
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: queue.arn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      },
    },
    opts,
  );
}

/**
 * Where a function's failed runs or batches are parked: SSE-SQS (the dead letters must not depend
 * on a key that could be the fault), kept 14 days, TLS only, and no resource-policy admits
 * anyone — the functions and services that park here do so through their own roles.
 */
export function parkingQueue(name: string, opts: pulumi.CustomResourceOptions, protect = false): sqs.Queue {
  // `protect`: the parked messages are the only record of what failed; a destroy must not lose them.
  const queue = encryptedQueue(name, { encryption: "sqs-managed", messageRetentionSeconds: DLQ_RETENTION_SECONDS }, { ...opts, protect });
  applySecureQueuePolicy(name, queue, [], opts);
  return queue;
}
