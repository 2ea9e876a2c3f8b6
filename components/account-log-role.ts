/**
 * The region-wide role API Gateway writes logs with, and the account setting that names it.
 * API Gateway writes a stage's access logs only once that setting exists, and there is one per
 * account and region: exactly one stack manages it (`LoyaltyApiArgs.manageAccountLogRole`).
 */
import * as apigateway from "@pulumi/aws/apigateway";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";

/**
 * Creates the role (`<name>-account-logs`), its managed policy and the account setting; returns
 * what a stage must wait for.
 */
export function createAccountLogRole(name: string, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const partition = getPartitionOutput({}, { parent: opts.parent }).partition;
  const role = new iam.Role(
    `${name}-account-logs`,
    { assumeRolePolicy: iam.assumeRolePolicyForPrincipal({ Service: "apigateway.amazonaws.com" }) },
    opts,
  );
  // AWS's managed policy for exactly this role (it creates execution-log groups per API).
  const attachment = new iam.RolePolicyAttachment(
    `${name}-account-logs`,
    {
      role: role.name,
      policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    },
    opts,
  );
  const account = new apigateway.Account(
    `${name}-account-logs`,
    { cloudwatchRoleArn: role.arn },
    { ...opts, dependsOn: [attachment] },
  );
  return [account];
}
