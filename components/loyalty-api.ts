/**
 * LoyaltyApi: the apps read and spend points here.
 *
 *   client ──HTTPS──▶ API Gateway REST (stage, throttling, access logs, X-Ray)
 *     GET  /points/{userId}                                   ──▶ reader Lambda   ──▶ ledger (read-only)
 *     GET  /points/{userId}/history                           ──▶ reader Lambda
 *     POST /points/{userId}/redemptions                       ──▶ redeemer Lambda ──▶ ledger (redemptions)
 *     POST /points/{userId}/redemptions/{redemptionId}/cancel ──▶ redeemer Lambda
 *     POST /points/{userId}/adjustments                       ──▶ admin Lambda    ──▶ ledger (adjust, erase)
 *     DELETE /points/{userId}                                 ──▶ admin Lambda
 *     GET  /rewards, GET /rewards/{rewardId}                  ──▶ reader Lambda   ──▶ catalogue (read-only)
 *     PUT  /rewards/{rewardId}, POST /rewards/{rewardId}/codes ──▶ admin Lambda   ──▶ catalogue, codes
 *   backend ──SigV4──▶ the same routes under /admin (e.g. POST /admin/points/{userId}/adjustments)
 *
 * Every method but the CORS preflight sits behind the authorizer the args choose (IAM unless
 * told otherwise; no auth only when spelled out as `openToTheInternet`); the `/admin` tree
 * behind SigV4 and a resource policy that admits the `adminPrincipals` only. Request bodies are
 * validated by API Gateway against a model generated from the handler's schema; API Gateway's
 * own refusals answer in the API's error shape. The stage is redeployed whenever anything it
 * serves changes (see `stage-fingerprint.ts`).
 *
 * This file makes the functions, the REST API and its invoke permissions, and the alarms; the
 * parts have files of their own: the routes (`api-routes.ts`), who reaches them
 * (`api-resource-policy.ts`), CORS (`api-cors.ts`), API
 * Gateway's own answers (`gateway-responses.ts`), the stage (`api-stage.ts`) and the region's
 * logging role (`account-log-role.ts`). Every resource is a child of the `LoyaltyApi`.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { API_DEFAULTS } from "../config/defaults/api-defaults";
import { API_ROUTES, type ApiHandlerName } from "../handlers/http/routes";
import { functionEnvironment } from "../handlers/runtime/function-env";
import { createAccountLogRole } from "./account-log-role";
import { createAlarms } from "./alarms";
import { ApiArgsSchema } from "./api-args";
import { withCorsPreflights } from "./api-cors";
import { createApiResourcePolicy } from "./api-resource-policy";
import { AUTHORIZATION, createApiRoutes, routeMethods } from "./api-routes";
import { createApiStage } from "./api-stage";
import { createGatewayResponses } from "./gateway-responses";
import { HandlerFunction } from "./handler-function";
import { ledgerAdminStatements, ledgerReadStatements, ledgerWriteStatements, type LedgerTableRef } from "./ledger-grants";
import { api5xxErrors, apiLatencyP99, functionErrors } from "./metrics";
import { StageFingerprint } from "./stage-fingerprint";
import { validateArgs } from "./validate-args";

/** How callers of the API authenticate: a named enum, the schema's `ApiAuthType`. */
export const ApiAuthType = {
  /** AWS principals signing with SigV4: Otrium's backends and tools. */
  Iam: "iam",
  /** App users signed in to `userPoolArn`; the handlers check `sub` against `{userId}`. */
  Cognito: "cognito",
  /** Anyone on the internet, with `openToTheInternet: true`: throwaway experiments only. */
  None: "none",
} as const;
export type ApiAuthType = (typeof ApiAuthType)[keyof typeof ApiAuthType];

/**
 * Who may call the API. One interface rather than a union of three, as every Pulumi language can
 * pass it; the constructor still accepts only the three combinations below, with the stack
 * config's messages.
 */
export interface ApiAuth {
  /**
   * `iam`: AWS principals signing with SigV4 (Otrium's backends and tools). `cognito`: app users
   * signed in to `userPoolArn`; the handlers check `sub` against `{userId}`. `none`: anyone on the
   * internet may read, spend and cancel any customer's points — only for a throwaway experiment,
   * with `openToTheInternet: true`; the policy pack refuses it wherever `api-methods-authorized`
   * is mandatory (every committed stack).
   */
  type: ApiAuthType;
  /** The Cognito user pool whose users may call; required with `cognito`, refused otherwise. */
  userPoolArn?: pulumi.Input<string>;
  /** Must be `true` with `none`, and is refused otherwise: no auth has to be spelled out. */
  openToTheInternet?: boolean;
}

/** Stage-wide throttling of the API. */
export interface ApiThrottle {
  /** Steady-state requests per second across the stage (1–10000). */
  rateLimit: number;
  /** Requests allowed in a burst above the rate (1–5000). */
  burstLimit: number;
}

/** Arguments of `LoyaltyApi`; checked in the constructor with the stack config's rules and messages. */
export interface LoyaltyApiArgs {
  /**
   * The ledger the reader reads, the redeemer spends from and the admin function adjusts and
   * erases in: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn}` of an existing one; an
   * admin's grant expires by its `lifecycle` (`expiryDays` after the day it is made), as the
   * writer's lots do.
   */
  store: LedgerTableRef;
  /** Who may call every method but the CORS preflight. @default {@link API_DEFAULTS.auth} (IAM) */
  auth?: ApiAuth;
  /** The stage, the first path segment of the URL (letters, digits, _ and -). @default {@link API_DEFAULTS.stageName} */
  stageName?: string;
  /** Cognito group whose members may read and spend any user's points and cancel redemptions (support staff). @default none */
  adminGroup?: pulumi.Input<string>;
  /**
   * IAM role or user ARNs that act as admins when they call with SigV4 (the handlers get them as
   * `ADMIN_PRINCIPALS`): the only callers of the `/admin` routes, from this account or another
   * (whose own IAM policy must allow `execute-api:Invoke` too). Any other caller without Cognito
   * claims is no admin, and acts for nobody.
   * @default {@link API_DEFAULTS.adminPrincipals} (none)
   */
  adminPrincipals?: string[];
  /** Browser origins allowed by CORS (`*` for any); preflight `OPTIONS` is open when set. @default {@link API_DEFAULTS.allowedOrigins} (none) */
  allowedOrigins?: string[];
  /** Stage-wide throttling, requests per second and burst. @default {@link API_DEFAULTS.throttle} */
  throttle?: ApiThrottle;
  /** The functions' `LOG_LEVEL`. @default {@link API_DEFAULTS.logLevel} */
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

/**
 * Where API Gateway may invoke `handler`: one pattern per first path segment of its routes
 * (`points/*`; `rewards*` where the segment alone is a route too, as `GET /rewards`).
 */
function invokePaths(handler: ApiHandlerName): { top: string; path: string }[] {
  const resources: string[] = Object.values(API_ROUTES)
    .filter((route) => route.handler === handler)
    .map((route) => route.resource);
  const tops = [...new Set(resources.map((resource) => resource.split("/")[1] ?? ""))];
  return tops.map((top) => ({ top, path: resources.includes(`/${top}`) ? `${top}*` : `${top}/*` }));
}

/** The loyalty REST API: balances and history, redemptions, and the /admin routes, each served by its own function and role. */
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
  /** The admin Lambda's name, for its logs and metrics. */
  public readonly adminFunctionName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyApiArgs, opts?: pulumi.ComponentResourceOptions) {
    // Bad arguments fail here, before anything is registered.
    const settings = validateArgs("LoyaltyApi", name, ApiArgsSchema, args);
    // Sees the final inputs of every child that shapes what the stage serves.
    const fingerprint = new StageFingerprint();
    super(
      "otrium:loyalty:LoyaltyApi",
      name,
      {},
      {
        ...opts,
        transformations: [...(opts?.transformations ?? []), fingerprint.transformation],
      },
    );
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
          // Read by the admin function only.
          ...(handler === "admin" ? { lifecycle: settings.store.lifecycle } : {}),
          // Read by the reader only.
          ...(handler === "reader" ? { tiers: settings.store.tiers } : {}),
        }),
      );
    const functions: Record<ApiHandlerName, HandlerFunction> = {
      // Reads only: GetItem and Query.
      reader: new HandlerFunction(
        `${name}-reader`,
        {
          entry: "handlers/reader.ts",
          environment: environment("reader"),
          statements: ledgerReadStatements(args.store),
          logRetentionDays: args.logRetentionDays,
        },
        parent,
      ),
      // Spends and gives back: the same item writes as the ledger writer, nothing more.
      redeemer: new HandlerFunction(
        `${name}-redeemer`,
        {
          entry: "handlers/redeemer.ts",
          environment: environment("redeemer"),
          statements: ledgerWriteStatements(args.store),
          logRetentionDays: args.logRetentionDays,
        },
        parent,
      ),
      // Customer service: adjusts and erases; the only API function that may delete.
      admin: new HandlerFunction(
        `${name}-admin`,
        {
          entry: "handlers/admin.ts",
          environment: environment("admin"),
          statements: ledgerAdminStatements(args.store),
          logRetentionDays: args.logRetentionDays,
        },
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

    // The routes, each followed by its CORS preflight when browsers may call the API.
    const methods = withCorsPreflights(routeMethods(AUTHORIZATION[auth.type]), allowedOrigins);
    const integrated = createApiRoutes(
      name,
      {
        api,
        userPoolArn: auth.type === "cognito" ? auth.userPoolArn : undefined,
        methods,
        invokeArns: { reader: functions.reader.invokeArn, redeemer: functions.redeemer.invokeArn, admin: functions.admin.invokeArn },
        allowedOrigins,
      },
      parent,
    );
    // API Gateway's own refusals in the API's error shape (with CORS headers where that is safe).
    integrated.push(...createGatewayResponses(name, api.id, allowedOrigins, parent));
    // Who reaches each tree; it takes effect with the next deployment, like the routes.
    integrated.push(
      createApiResourcePolicy(name, { api, customerTreeSigned: auth.type === "iam", adminPrincipals: settings.adminPrincipals }, parent),
    );

    for (const handler of ["reader", "redeemer", "admin"] as const) {
      const fn = functions[handler];
      for (const { top, path } of invokePaths(handler)) {
        new lambda.Permission(
          // The points routes' permission keeps the name it had before the catalogue's.
          top === "points" ? `${name}-${handler}` : `${name}-${handler}-${top}`,
          {
            action: "lambda:InvokeFunction",
            function: fn.functionName,
            principal: "apigateway.amazonaws.com",
            // Any stage and method of this API on the function's routes, in either tree (`*` spans `/`).
            sourceArn: pulumi.interpolate`${api.executionArn}/*/*/${path}`,
          },
          parent,
        );
      }
    }

    const stage = createApiStage(
      name,
      {
        restApiId: api.id,
        stageName,
        fingerprint: fingerprint.value(),
        deploys: integrated,
        loggingReady: settings.manageAccountLogRole ? createAccountLogRole(name, parent) : [],
        logRetentionDays: args.logRetentionDays ?? API_DEFAULTS.logRetentionDays,
        throttle: settings.throttle,
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
          id: "admin-errors",
          description:
            "The admin Lambda failed whole invocations: adjustments or erasures did not happen; read its logs by requestId, then retry (both are idempotent).",
          metric: functionErrors(functions.admin.functionName),
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
    this.adminFunctionName = functions.admin.functionName;
    this.registerOutputs({
      url: this.url,
      restApiId: this.restApiId,
      apiName: this.apiName,
      stageName: this.stageName,
      readerFunctionName: this.readerFunctionName,
      redeemerFunctionName: this.redeemerFunctionName,
      adminFunctionName: this.adminFunctionName,
    });
  }
}
