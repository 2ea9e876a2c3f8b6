/**
 * SQS queues with the defaults every queue of ours must have, and the hardening step that
 * gives each one a policy: only the given principals may use it, and never without TLS.
 */
import type * as iam from "@pulumi/aws/iam";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";

/** SQS's longest retention, for dead-letter queues: two weeks for someone to look and redrive. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface EncryptedQueueArgs {
  /** The customer-managed KMS key; EventBridge cannot send to a queue under the AWS-managed key. */
  kmsKeyArn: pulumi.Input<string>;
  messageRetentionSeconds: pulumi.Input<number>;
  visibilityTimeoutSeconds?: pulumi.Input<number>;
  /** JSON redrive policy (`deadLetterTargetArn`, `maxReceiveCount`); absent on a DLQ. */
  redrivePolicy?: pulumi.Input<string>;
}

export function encryptedQueue(
  name: string,
  args: EncryptedQueueArgs,
  opts: pulumi.CustomResourceOptions,
): sqs.Queue {
  return new sqs.Queue(
    name,
    {
      kmsMasterKeyId: args.kmsKeyArn,
      // Reusing a data key for 5 minutes keeps KMS calls (and their cost) low.
      kmsDataKeyReusePeriodSeconds: 300,
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

/** The queue's policy: `allow` (possibly nothing) plus a deny of any request without TLS. */
export function applySecureQueuePolicy(
  name: string,
  queue: sqs.Queue,
  allow: iam.PolicyStatement[],
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
          ...allow,
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
