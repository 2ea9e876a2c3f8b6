/**
 * One of our handlers as a Lambda function, with everything a function should have and
 * nothing more: its own log group (retention set, JSON logs), its own role that may write
 * only to that log group and X-Ray plus the statements it is given, arm64 on Node.js 22.
 * The code is the handler's bundle: shipped with the package, or bundled by esbuild from a checkout.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_DEFAULTS } from "../config/defaults/function-defaults";
import { handlerBundle, type HandlerEntry } from "./handler-bundle";

/** The Lambda runtime every handler runs on. */
export const HANDLER_RUNTIME = "nodejs22.x";

export interface HandlerFunctionArgs {
  /** The handler module, relative to the project root (e.g. `handlers/writer.ts`); it exports `handler`. */
  entry: HandlerEntry;
  /** Environment variables of the function. */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What the function may do besides logging and tracing; keep it least-privilege. */
  statements: pulumi.Input<iam.PolicyStatement>[];
  /** Seconds before an invocation is stopped. @default {@link FUNCTION_DEFAULTS.timeoutSeconds} */
  timeoutSeconds?: pulumi.Input<number>;
  /** Memory (and so CPU) of the function, in MB. @default {@link FUNCTION_DEFAULTS.memoryMb} */
  memoryMb?: pulumi.Input<number>;
  /** Days the log group keeps the function's logs. @default {@link FUNCTION_DEFAULTS.logRetentionDays} */
  logRetentionDays?: pulumi.Input<number>;
}

export class HandlerFunction extends pulumi.ComponentResource {
  /** The function's name, e.g. for metrics and alarms. */
  public readonly functionName: pulumi.Output<string>;
  /** The function's ARN, e.g. for an event source mapping. */
  public readonly functionArn: pulumi.Output<string>;
  /** The ARN API Gateway integrations invoke. */
  public readonly invokeArn: pulumi.Output<string>;
  /** The function's execution role. */
  public readonly roleArn: pulumi.Output<string>;
  /** The log group the function writes its JSON logs to. */
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("otrium:loyalty:HandlerFunction", name, {}, opts);
    const parent = { parent: this };

    const logGroup = new cloudwatch.LogGroup(
      name,
      {
        namePrefix: `/otrium/loyalty/${name}-`,
        retentionInDays: args.logRetentionDays ?? FUNCTION_DEFAULTS.logRetentionDays,
      },
      parent,
    );

    const role = new iam.Role(name, { assumeRolePolicy: iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }) }, parent);

    const policy = new iam.RolePolicy(
      name,
      {
        role: role.id,
        policy: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "WriteOwnLogs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: pulumi.interpolate`${logGroup.arn}:*`,
            },
            {
              // X-Ray's trace APIs have no resource-level permissions: AWS requires "*".
              Sid: "WriteTraces",
              Effect: "Allow",
              Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
              Resource: "*",
            },
            ...args.statements,
          ],
        },
      },
      parent,
    );

    const fn = new lambda.Function(
      name,
      {
        runtime: HANDLER_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive(
          handlerBundle(args.entry).then((bundle) => ({
            "index.js": new pulumi.asset.StringAsset(bundle.code),
            "index.js.map": new pulumi.asset.StringAsset(bundle.sourceMap),
          })),
        ),
        role: role.arn,
        timeout: args.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
        memorySize: args.memoryMb ?? FUNCTION_DEFAULTS.memoryMb,
        environment: {
          variables: pulumi.output(args.environment).apply((variables) => ({
            NODE_OPTIONS: "--enable-source-maps",
            ...variables,
          })),
        },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        tracingConfig: { mode: "Active" },
      },
      // The role must be able to log before the first invocation.
      { parent: this, dependsOn: [policy] },
    );

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
    });
  }
}
