/**
 * The region-wide role API Gateway writes logs with, and the account setting that names it.
 * API Gateway refuses to create a stage that writes access logs until that setting exists ("CloudWatch
 * Logs role ARN must be set in account settings"), and there is one per account and region.
 *
 * Every stack that manages it (`LoyaltyApiArgs.manageAccountLogRole`) may deploy first into a fresh
 * account, and several may share an account: the role, its policy and the setting are retained
 * when a stack is destroyed, so the setting never names a deleted role and destroying dev never
 * stops prod's logs. Any stack's role serves every API of the region (AWS's managed policy is not
 * per API), so whichever stack set it last, logs keep flowing.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";

/**
 * Creates the role (`<name>-account-logs`), its managed policy and the account setting; returns
 * what a stage must wait for.
 */
export function createAccountLogRole(name: string, parentOpts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const partition = getPartitionOutput({}, { parent: parentOpts.parent }).partition;
  const opts = { ...parentOpts, retainOnDelete: true };
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
  const account = new apigateway.Account(`${name}-account-logs`, { cloudwatchRoleArn: role.arn }, { ...opts, dependsOn: [attachment] });
  return [account];
}
