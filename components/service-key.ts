/**
 * Customer-managed KMS keys that an AWS service may use on our behalf. The AWS-managed keys
 * (`alias/aws/sqs`, `alias/aws/sns`) have policies nobody can edit, so EventBridge cannot
 * send to a queue, nor CloudWatch publish to a topic, encrypted under them.
 *
 * A service principal in a key policy speaks for every AWS account: without a condition,
 * another account's rule or alarm pointed at a queue or topic under this key (a key ARN is no
 * secret) would have the service encrypt with it on that account's behalf — the confused
 * deputy. So the service is always held to this account (`aws:SourceAccount`), and to the
 * resources it acts for (`aws:SourceArn`) where AWS shows the service sending that key to KMS.
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
   * Also limits the service to requests made for these resources (`aws:SourceArn`, `ArnLike`,
   * so a pattern such as `arn:aws:cloudwatch:<region>:<account>:alarm:*` works). Only for
   * services an AWS page shows sending it to KMS: a condition on a key the request lacks
   * denies every request, silently.
   * @default none: the service is held to this account alone
   */
  sourceArnLike?: pulumi.Input<string>;
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
            Condition: {
              StringEquals: { "aws:SourceAccount": account },
              ...(args.sourceArnLike === undefined ? {} : { ArnLike: { "aws:SourceArn": args.sourceArnLike } }),
            },
          },
        ],
      }),
    },
    opts,
  );
}
