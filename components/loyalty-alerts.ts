/**
 * LoyaltyAlerts: where the loyalty alarms notify. An SNS topic encrypted with a key that
 * CloudWatch may use (it cannot publish to a topic under the AWS-managed SNS key), and one
 * email subscription per address (each must confirm the email AWS sends).
 */
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import { serviceKey } from "./service-key";

export interface LoyaltyAlertsArgs {
  /** Addresses that receive alarm notifications. @default none */
  emails?: string[];
}

export class LoyaltyAlerts extends pulumi.ComponentResource {
  /** Pass as `alarmActions` to `LoyaltyIngest` and `LoyaltyApi`. */
  public readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyAlertsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("otrium:loyalty:LoyaltyAlerts", name, {}, opts);
    const parent = { parent: this };

    const key = serviceKey(
      `${name}-topic`,
      { description: "Encrypts the loyalty alarm notifications", service: "cloudwatch.amazonaws.com" },
      parent,
    );
    const topic = new sns.Topic(name, { kmsMasterKeyId: key.arn }, parent);
    for (const [i, email] of (args.emails ?? []).entries()) {
      new sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent);
    }

    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
