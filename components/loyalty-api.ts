/**
 * LoyaltyApi: the apps read and spend points here.
 *
 *   client ──HTTPS──▶ API Gateway REST (stage, throttling, access logs, X-Ray)
 *     GET  /points/{userId}                                   ──▶ reader Lambda   ──▶ ledger (read-only)
 *     GET  /points/{userId}/history                           ──▶ reader Lambda
 *     POST /points/{userId}/redemptions                       ──▶ redeemer Lambda ──▶ ledger (redemptions)
 *     POST /points/{userId}/redemptions/{redemptionId}/cancel ──▶ redeemer Lambda
 *
 * Every method but the CORS preflight sits behind the authorizer the args choose (IAM unless
 * told otherwise; no auth only when spelled out as `openToTheInternet`). Request bodies are
 * validated by API Gateway against a model generated from the handler's schema; API Gateway's
 * own refusals answer in the API's error shape. The stage is redeployed whenever anything it
 * serves changes (see `stage-fingerprint.ts`).
 */
import * as apigateway from "@pulumi/aws/apigateway";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { API_DEFAULTS } from "../config/defaults/api-defaults";
import { API_ROUTES, type ApiHandlerName } from "../handlers/http/routes";
import { functionEnvironment } from "../handlers/runtime/function-env";
import { createAlarms } from "./alarms";
import { ApiArgsSchema } from "./api-args";
import { createGatewayResponses } from "./gateway-responses";
import { HandlerFunction } from "./handler-function";
import { redemptionRequestModel } from "./api-models";
import { ledgerReadStatements, ledgerWriteStatements, type LedgerTableRef } from "./ledger-grants";
import { api5xxErrors, apiLatencyP99, functionErrors } from "./metrics";
import { StageFingerprint } from "./stage-fingerprint";
import { validateArgs } from "./validate-args";

/** Who may call the API. */
export type ApiAuth =
  /** AWS principals signing with SigV4: Otrium's backends and tools. */
  | { type: "iam" }
  /** App users signed in to this Cognito user pool; the handlers check `sub` against `{userId}`. */
  | { type: "cognito"; userPoolArn: pulumi.Input<string> }
  /**
   * Anyone on the internet may read, spend and cancel any customer's points. Only for a
   * throwaway experiment; the policy pack refuses it wherever `api-methods-authorized` is
   * mandatory (every committed stack).
   */
  | { type: "none"; openToTheInternet: true };

/** Arguments of `LoyaltyApi`; checked in the constructor with the stack config's rules and messages. */
export interface LoyaltyApiArgs {
  /** The ledger the reader reads: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn}` of an existing one. */
  store: LedgerTableRef;
  /** Who may call every method but the CORS preflight. @default {@link API_DEFAULTS.auth} (IAM) */
  auth?: ApiAuth;
  /** The stage, the first path segment of the URL (letters, digits, _ and -). @default {@link API_DEFAULTS.stageName} */
  stageName?: string;
  /** Cognito group whose members may read and spend any user's points and cancel redemptions (support staff). @default none */
  adminGroup?: pulumi.Input<string>;
  /**
   * IAM role or user ARNs that act as admins when they call with SigV4 (the handlers get them as
   * `ADMIN_PRINCIPALS`). Any other caller without Cognito claims is no admin, and acts for nobody.
   * @default {@link API_DEFAULTS.adminPrincipals} (none)
   */
  adminPrincipals?: string[];
  /** Browser origins allowed by CORS (`*` for any); preflight `OPTIONS` is open when set. @default {@link API_DEFAULTS.allowedOrigins} (none) */
  allowedOrigins?: string[];
  /** Stage-wide throttling, requests per second and burst. @default {@link API_DEFAULTS.throttle} */
  throttle?: { rateLimit: number; burstLimit: number };
  /** The reader's and redeemer's `LOG_LEVEL`. @default {@link API_DEFAULTS.logLevel} */
  logLevel?: pulumi.Input<string>;
  /** Days the functions' and the access logs are kept. @default {@link API_DEFAULTS.logRetentionDays} */
  logRetentionDays?: pulumi.Input<number>;
  /** Where alarms notify (SNS topic ARNs). @default {@link API_DEFAULTS.alarmActions} (none: the alarms exist but notify nobody) */
  alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * API Gateway writes access logs only once the region's account settings name a CloudWatch
   * role. That setting is one per account and region: let exactly one stack manage it.
   * @default {@link API_DEFAULTS.manageAccountLogRole} (false: the setting must already exist)
   */
  manageAccountLogRole?: boolean;
}

/** The routes as API Gateway sees them: each path segment, the method at the leaf, its function. */
const ROUTES = Object.values(API_ROUTES).map((route) => ({
  path: route.resource.split("/").filter(Boolean),
  method: route.method,
  handler: route.handler,
}));

/** One JSON line per request; ids and timings, no personal data beyond the caller's principal. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTimeEpoch",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integrationLatency",
  principal: "$context.authorizer.principalId",
  error: "$context.error.message",
  traceId: "$context.xrayTraceId",
});

const AUTHORIZATION = { none: "NONE", iam: "AWS_IAM", cognito: "COGNITO_USER_POOLS" } as const;

export class LoyaltyApi extends pulumi.ComponentResource {
  /** The stage's base URL; `GET {url}/points/{userId}`. */
  public readonly url: pulumi.Output<string>;
  /** The REST API's id. */
  public readonly restApiId: pulumi.Output<string>;
  /** The REST API's name: the `ApiName` dimension of its metrics. */
  public readonly apiName: pulumi.Output<string>;
  /** The stage's name: the `Stage` dimension of the API's metrics. */
  public readonly stageName: pulumi.Output<string>;
  /** The reader Lambda's name, for its logs and metrics. */
  public readonly readerFunctionName: pulumi.Output<string>;
  /** The redeemer Lambda's name, for its logs and metrics. */
  public readonly redeemerFunctionName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyApiArgs, opts?: pulumi.ComponentResourceOptions) {
    // Bad arguments fail here, before anything is registered.
    const settings = validateArgs("LoyaltyApi", name, ApiArgsSchema, args);
    // Sees the final inputs of every child that shapes what the stage serves.
    const fingerprint = new StageFingerprint();
    super("otrium:loyalty:LoyaltyApi", name, {}, {
      ...opts,
      transformations: [...(opts?.transformations ?? []), fingerprint.transformation],
    });
    const parent = { parent: this };
    const { auth, stageName, allowedOrigins } = settings;

    // The admin group may be another resource's output that turns out unset: omitted then.
    const environment = (handler: ApiHandlerName) =>
      pulumi.output(settings.adminGroup).apply((adminGroup) =>
        functionEnvironment[handler]<pulumi.Input<string>>({
          tableName: args.store.tableName,
          logLevel: args.logLevel ?? API_DEFAULTS.logLevel,
          allowedOrigins,
          adminPrincipals: settings.adminPrincipals,
          adminGroup,
        }),
      );
    const functions: Record<ApiHandlerName, HandlerFunction> = {
      // Reads only: GetItem and Query.
      reader: new HandlerFunction(
        `${name}-reader`,
        { entry: "handlers/reader.ts", environment: environment("reader"), statements: ledgerReadStatements(args.store), logRetentionDays: args.logRetentionDays },
        parent,
      ),
      // Spends and gives back: the same item writes as the ledger writer, nothing more.
      redeemer: new HandlerFunction(
        `${name}-redeemer`,
        { entry: "handlers/redeemer.ts", environment: environment("redeemer"), statements: ledgerWriteStatements(args.store), logRetentionDays: args.logRetentionDays },
        parent,
      ),
    };

    const api = new apigateway.RestApi(
      name,
      {
        description: "Otrium loyalty points: balances and history for the apps",
        endpointConfiguration: { types: "REGIONAL" },
      },
      parent,
    );

    const authorizer =
      auth.type === "cognito"
        ? new apigateway.Authorizer(
            name,
            {
              restApi: api.id,
              type: "COGNITO_USER_POOLS",
              providerArns: [auth.userPoolArn],
              identitySource: "method.request.header.Authorization",
            },
            parent,
          )
        : undefined;

    // One API Gateway resource per distinct path prefix, parents before children.
    const resources = new Map<string, apigateway.Resource>();
    const resourceFor = (path: readonly string[]): apigateway.Resource => {
      const key = path.join("/");
      const existing = resources.get(key);
      if (existing) return existing;
      const parentResource = path.length > 1 ? resourceFor(path.slice(0, -1)).id : api.rootResourceId;
      const created = new apigateway.Resource(
        `${name}-${key.replace(/[{}]/g, "").replace(/\//g, "-")}`,
        { restApi: api.id, parentId: parentResource, pathPart: path[path.length - 1] ?? "" },
        parent,
      );
      resources.set(key, created);
      return created;
    };

    // API Gateway checks path parameters and bodies before any function runs.
    const validator = new apigateway.RequestValidator(
      name,
      { restApi: api.id, validateRequestBody: true, validateRequestParameters: true },
      parent,
    );
    const redemptionModel = new apigateway.Model(
      `${name}-redemption-request`,
      { restApi: api.id, name: "RedemptionRequest", contentType: "application/json", schema: redemptionRequestModel() },
      parent,
    );

    /** The routes whose request bodies API Gateway validates, by resource. */
    const bodyModels = new Map<string, apigateway.Model>([[API_ROUTES.redeem.resource, redemptionModel]]);

    const integrated: pulumi.Resource[] = [];
    const addMethod = (path: readonly string[], httpMethod: string, authorization: string, handler: ApiHandlerName) => {
      const resource = resourceFor(path);
      const id = `${name}-${httpMethod.toLowerCase()}-${path.join("-").replace(/[{}]/g, "")}`;
      const pathParameters = path.filter((part) => part.startsWith("{")).map((part) => part.slice(1, -1));
      const validated = httpMethod !== "OPTIONS";
      const bodyModel = validated ? bodyModels.get(`/${path.join("/")}`) : undefined;
      const method = new apigateway.Method(
        id,
        {
          restApi: api.id,
          resourceId: resource.id,
          httpMethod,
          authorization,
          authorizerId: authorization === AUTHORIZATION.cognito ? authorizer?.id : undefined,
          requestParameters: Object.fromEntries(pathParameters.map((parameter) => [`method.request.path.${parameter}`, true])),
          requestValidatorId: validated ? validator.id : undefined,
          requestModels: bodyModel ? { "application/json": bodyModel.name } : undefined,
        },
        parent,
      );
      const integration = new apigateway.Integration(
        id,
        {
          restApi: api.id,
          resourceId: resource.id,
          httpMethod: method.httpMethod,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: functions[handler].invokeArn,
        },
        parent,
      );
      integrated.push(method, integration);
    };
    for (const route of ROUTES) {
      addMethod(route.path, route.method, AUTHORIZATION[auth.type], route.handler);
      // Browsers send preflights without credentials, so OPTIONS cannot be authorized.
      if (allowedOrigins.length > 0) addMethod(route.path, "OPTIONS", AUTHORIZATION.none, route.handler);
    }

    // API Gateway's own refusals in the API's error shape (with CORS headers where that is safe).
    integrated.push(...createGatewayResponses(name, api.id, allowedOrigins, parent));

    for (const [handler, fn] of Object.entries(functions)) {
      new lambda.Permission(
        `${name}-${handler}`,
        {
          action: "lambda:InvokeFunction",
          function: fn.functionName,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/*/points/*`,
        },
        parent,
      );
    }

    const deployment = new apigateway.Deployment(
      name,
      {
        restApi: api.id,
        // A new deployment whenever anything the stage serves changes, and only then.
        triggers: { stage: fingerprint.value() },
      },
      { parent: this, dependsOn: integrated },
    );

    const accessLogs = new cloudwatch.LogGroup(
      `${name}-access`,
      { namePrefix: `/otrium/loyalty/${name}-access-`, retentionInDays: args.logRetentionDays ?? API_DEFAULTS.logRetentionDays },
      parent,
    );

    const accountLogging = settings.manageAccountLogRole ? this.accountLogRole(name) : [];

    const stage = new apigateway.Stage(
      name,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      { parent: this, dependsOn: accountLogging },
    );

    new apigateway.MethodSettings(
      name,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          metricsEnabled: true,
          throttlingRateLimit: settings.throttle.rateLimit,
          throttlingBurstLimit: settings.throttle.burstLimit,
        },
      },
      parent,
    );

    createAlarms(
      name,
      [
        {
          id: "5xx",
          description: "The loyalty API answered 5XX for 5 minutes running; read the reader's logs by requestId.",
          metric: api5xxErrors(api.name, stage.stageName),
          threshold: 0,
          evaluationPeriods: 5,
        },
        {
          id: "redeemer-errors",
          description: "The redeemer Lambda failed whole invocations: customers could not spend points.",
          metric: functionErrors(functions.redeemer.functionName),
          threshold: 0,
        },
        {
          id: "p99-latency",
          description: "The loyalty API's p99 latency stayed above 1 s for 15 minutes.",
          metric: apiLatencyP99(api.name, stage.stageName),
          threshold: 1000,
          evaluationPeriods: 3,
        },
      ],
      args.alarmActions ?? API_DEFAULTS.alarmActions(),
      this,
    );

    this.url = stage.invokeUrl;
    this.restApiId = api.id;
    this.apiName = api.name;
    this.stageName = stage.stageName;
    this.readerFunctionName = functions.reader.functionName;
    this.redeemerFunctionName = functions.redeemer.functionName;
    this.registerOutputs({
      url: this.url,
      restApiId: this.restApiId,
      apiName: this.apiName,
      stageName: this.stageName,
      readerFunctionName: this.readerFunctionName,
      redeemerFunctionName: this.redeemerFunctionName,
    });
  }

  /** The region-wide role API Gateway logs with, and the account setting that names it. */
  private accountLogRole(name: string): pulumi.Resource[] {
    const parent = { parent: this };
    const partition = getPartitionOutput({}, parent).partition;
    const role = new iam.Role(
      `${name}-account-logs`,
      { assumeRolePolicy: iam.assumeRolePolicyForPrincipal({ Service: "apigateway.amazonaws.com" }) },
      parent,
    );
    // AWS's managed policy for exactly this role (it creates execution-log groups per API).
    const attachment = new iam.RolePolicyAttachment(
      `${name}-account-logs`,
      {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
      },
      parent,
    );
    const account = new apigateway.Account(
      `${name}-account-logs`,
      { cloudwatchRoleArn: role.arn },
      { parent: this, dependsOn: [attachment] },
    );
    return [account];
  }
}
