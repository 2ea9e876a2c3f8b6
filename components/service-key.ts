/**
 * Customer-managed KMS keys that an AWS service may use on our behalf. The AWS-managed keys
 * (`alias/aws/sqs`, `alias/aws/sns`) have policies nobody can edit, so EventBridge cannot
 * send to a queue, nor CloudWatch publish to a topic, encrypted under them.
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceKeyArgs {
  description: string;
  /** The service principal that may encrypt and decrypt with the key, e.g. `events.amazonaws.com`. */
  service: string;
  /**
   * Limits the service to requests made for this resource (`aws:SourceArn`), e.g. one rule.
   * Only for services that send it to KMS (EventBridge does; CloudWatch alarms do not).
   */
  sourceArn?: pulumi.Input<string>;
}

export function serviceKey(name: string, args: ServiceKeyArgs, opts: pulumi.CustomResourceOptions): kms.Key {
  const account = getCallerIdentityOutput({}, opts).accountId;
  const partition = getPartitionOutput({}, opts).partition;
  return new kms.Key(
    name,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            // AWS's default statement: the account's IAM policies decide who else may use the
            // key. Without it the key can lock everyone out. "*" here means this key.
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "ServiceUsesKey",
            Effect: "Allow",
            Principal: { Service: args.service },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            ...(args.sourceArn === undefined ? {} : { Condition: { ArnEquals: { "aws:SourceArn": args.sourceArn } } }),
          },
        ],
      }),
    },
    opts,
  );
}
