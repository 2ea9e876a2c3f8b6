/**
 * LoyaltyAlerts: where the loyalty alarms notify. An SNS topic encrypted with a key that
 * CloudWatch may use for this account's alarms only (it cannot publish to a topic under the
 * AWS-managed SNS key), a topic policy that lets this account's alarms publish, and one email
 * subscription per address (each must confirm the email AWS sends).
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import { ALERTS_DEFAULTS } from "../config/defaults/alerts-defaults";
import { serviceKey } from "./service-key";

export interface LoyaltyAlertsArgs {
  /** Addresses that receive alarm notifications. @default {@link ALERTS_DEFAULTS.emails} (none) */
  emails?: string[];
}

/** Where the loyalty alarms notify: a KMS-encrypted SNS topic, with the given email subscriptions. */
export class LoyaltyAlerts extends pulumi.ComponentResource {
  /** Pass as `alarmActions` to `LoyaltyIngest` and `LoyaltyApi`. */
  public readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyAlertsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("otrium:loyalty:LoyaltyAlerts", name, {}, opts);
    const parent = { parent: this };

    const account = getCallerIdentityOutput({}, parent).accountId;
    const region = getRegionOutput({}, parent).region;
    const partition = getPartitionOutput({}, parent).partition;
    // Every alarm of this account and region: the key and the topic admit CloudWatch for these alone.
    const alarmsOfThisAccount = pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`;

    const key = serviceKey(
      `${name}-topic`,
      {
        description: "Encrypts the loyalty alarm notifications",
        service: "cloudwatch.amazonaws.com",
        // AWS's Modern Data Architecture Accelerator, "grantCloudWatchAlarmsTopicAccess"
        // (https://aws.github.io/modern-data-architecture-accelerator/typedocs/functions/_aws-mdaa_cloudwatch-constructs.grantCloudWatchAlarmsTopicAccess.html):
        // CloudWatch needs kms:Decrypt and kms:GenerateDataKey* on a CMK-encrypted topic's key,
        // and both aws:SourceAccount and aws:SourceArn (the alarms' ARN pattern) are supported
        // and correct on that grant, unlike EventBridge's; it builds on the SNS guide's "Enable
        // compatibility between event sources from AWS services and encrypted topics"
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
        sourceArnLike: alarmsOfThisAccount,
      },
      parent,
    );
    const topic = new sns.Topic(name, { kmsMasterKeyId: key.arn }, parent);
    new sns.TopicPolicy(
      name,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AlarmsOfThisAccountPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { ArnLike: { "aws:SourceArn": alarmsOfThisAccount } },
            },
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      parent,
    );
    for (const [i, email] of (args.emails ?? ALERTS_DEFAULTS.emails()).entries()) {
      new sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent);
    }

    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
