/**
 * The stage the API is served from: a deployment made whenever anything the stage serves
 * changes (and only then), JSON access logs, X-Ray tracing, metrics and stage-wide throttling.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as pulumi from "@pulumi/pulumi";

/**
 * One JSON line per request; ids and timings, no personal data beyond the caller's identity: the
 * Cognito `sub` or the SigV4 caller's ARN (`principalId` is set only by Lambda authorizers, which
 * this API has none of). `$context.error.messageString` is API Gateway's quoted, escaped copy of
 * the error message, so a message with a quote in it cannot break the line's JSON; it is put in
 * unquoted.
 */
const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTimeEpoch",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integrationLatency",
  callerSub: "$context.authorizer.claims.sub",
  callerArn: "$context.identity.userArn",
  traceId: "$context.xrayTraceId",
};
const ERROR_MARK = "__error__";
const ACCESS_LOG_FORMAT = JSON.stringify({ ...ACCESS_LOG_FIELDS, error: ERROR_MARK }).replace(
  `"${ERROR_MARK}"`,
  "$context.error.messageString",
);

export interface ApiStageArgs {
  /** The REST API's id. */
  restApiId: pulumi.Input<string>;
  /** The stage's name, the first path segment of its URL. */
  stageName: string;
  /** Changes whenever anything the stage serves changes: a new deployment is made then. */
  fingerprint: pulumi.Input<string>;
  /** What the deployment snapshots (methods, integrations, gateway responses): it is made after them. */
  deploys: pulumi.Resource[];
  /** What must exist before the stage writes access logs (the account's logging role). */
  loggingReady: pulumi.Resource[];
  /** Days the access logs are kept. */
  logRetentionDays: pulumi.Input<number>;
  /** Stage-wide throttling, requests per second and burst. */
  throttle: { rateLimit: number; burstLimit: number };
}

/** Creates the deployment, the access log group (`<name>-access`), the stage and its method settings; returns the stage. */
export function createApiStage(name: string, args: ApiStageArgs, opts: pulumi.CustomResourceOptions): apigateway.Stage {
  const deployment = new apigateway.Deployment(
    name,
    {
      restApi: args.restApiId,
      // A new deployment whenever anything the stage serves changes, and only then.
      triggers: { stage: args.fingerprint },
    },
    { ...opts, dependsOn: args.deploys },
  );

  const accessLogs = new cloudwatch.LogGroup(
    `${name}-access`,
    { namePrefix: `/otrium/loyalty/${name}-access-`, retentionInDays: args.logRetentionDays },
    opts,
  );

  const stage = new apigateway.Stage(
    name,
    {
      restApi: args.restApiId,
      deployment: deployment.id,
      stageName: args.stageName,
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
    },
    { ...opts, dependsOn: args.loggingReady },
  );

  new apigateway.MethodSettings(
    name,
    {
      restApi: args.restApiId,
      stageName: stage.stageName,
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        throttlingRateLimit: args.throttle.rateLimit,
        throttlingBurstLimit: args.throttle.burstLimit,
      },
    },
    opts,
  );
  return stage;
}
