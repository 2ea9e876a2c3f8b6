/**
 * The API's routes in API Gateway: one resource per path segment, a method per route in each
 * tree (the customer tree behind the authorizer the args choose, the `/admin` tree behind
 * `AWS_IAM`; path parameters and bodies validated before any function runs) and its Lambda
 * proxy integration.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import type * as pulumi from "@pulumi/pulumi";
import { API_ROUTES, methodsOf, SERVED_ROUTES, treeOf, type ApiHandlerName } from "../handlers/http/routes";
import { adjustmentRequestModel, codesUploadModel, redemptionRequestModel, rewardDefinitionModel } from "./api-models";
import type { ApiMethodSpec } from "./api-cors";
import { createPreflight } from "./api-preflight";

/** API Gateway's authorization type of each kind of auth. */
export const AUTHORIZATION = { none: "NONE", iam: "AWS_IAM", cognito: "COGNITO_USER_POOLS" } as const;

/**
 * The routes as API Gateway sees them: each path segment, the method at the leaf, its function.
 * The customer tree is authorized as `customerAuthorization` says; the `/admin` tree always by
 * SigV4, for backends.
 */
export function routeMethods(customerAuthorization: string): ApiMethodSpec<ApiHandlerName>[] {
  return SERVED_ROUTES.map(({ route, tree, resource }) => ({
    path: resource.split("/").filter(Boolean),
    httpMethod: route.method,
    authorization: tree === "admin" ? AUTHORIZATION.iam : customerAuthorization,
    handler: route.handler,
  }));
}

export interface ApiRoutesArgs {
  /** The REST API the routes belong to. */
  api: apigateway.RestApi;
  /** The Cognito user pool whose tokens the `COGNITO_USER_POOLS` methods accept; absent: no authorizer. */
  userPoolArn?: pulumi.Input<string>;
  /** Every method, in the order it is created. */
  methods: readonly ApiMethodSpec<ApiHandlerName>[];
  /** The ARN each function's integration invokes. */
  invokeArns: Record<ApiHandlerName, pulumi.Input<string>>;
  /** Browser origins allowed (`*` for any): what the `OPTIONS` preflights answer. */
  allowedOrigins: readonly string[];
}

/**
 * Creates the authorizer, the validator, the request models, the resources, methods and
 * integrations of `args.methods` (named after `name`); returns the methods and integrations, which
 * a deployment must be made after.
 */
export function createApiRoutes(name: string, args: ApiRoutesArgs, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const { api } = args;
  const authorizer =
    args.userPoolArn === undefined
      ? undefined
      : new apigateway.Authorizer(
          name,
          {
            restApi: api.id,
            type: "COGNITO_USER_POOLS",
            providerArns: [args.userPoolArn],
            identitySource: "method.request.header.Authorization",
          },
          opts,
        );

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
      opts,
    );
    resources.set(key, created);
    return created;
  };

  // API Gateway checks path parameters and bodies before any function runs.
  const validator = new apigateway.RequestValidator(
    name,
    { restApi: api.id, validateRequestBody: true, validateRequestParameters: true },
    opts,
  );
  const redemptionModel = new apigateway.Model(
    `${name}-redemption-request`,
    { restApi: api.id, name: "RedemptionRequest", contentType: "application/json", schema: redemptionRequestModel() },
    opts,
  );

  const adjustmentModel = new apigateway.Model(
    `${name}-adjustment-request`,
    { restApi: api.id, name: "AdjustmentRequest", contentType: "application/json", schema: adjustmentRequestModel() },
    opts,
  );

  const rewardModel = new apigateway.Model(
    `${name}-reward-definition`,
    { restApi: api.id, name: "RewardDefinition", contentType: "application/json", schema: rewardDefinitionModel() },
    opts,
  );

  const codesModel = new apigateway.Model(
    `${name}-codes-upload`,
    { restApi: api.id, name: "CodesUpload", contentType: "application/json", schema: codesUploadModel() },
    opts,
  );

  /** The routes whose request bodies API Gateway validates, by resource and method (`/rewards/{rewardId}` also serves a GET). */
  const bodyModels = new Map<string, apigateway.Model>([
    [`POST ${API_ROUTES.redeem.resource}`, redemptionModel],
    [`POST ${API_ROUTES.adjust.resource}`, adjustmentModel],
    [`PUT ${API_ROUTES.putReward.resource}`, rewardModel],
    [`POST ${API_ROUTES.uploadCodes.resource}`, codesModel],
  ]);

  return args.methods.flatMap(({ path, httpMethod, authorization, handler }) => {
    const resource = resourceFor(path);
    const id = `${name}-${httpMethod.toLowerCase()}-${path.join("-").replace(/[{}]/g, "")}`;
    if (httpMethod === "OPTIONS") {
      // Answered by API Gateway: no function runs for a request without credentials.
      return createPreflight(
        id,
        { restApiId: api.id, resourceId: resource.id, methods: methodsOf(`/${path.join("/")}`), allowedOrigins: args.allowedOrigins },
        opts,
      );
    }
    const pathParameters = path.filter((part) => part.startsWith("{")).map((part) => part.slice(1, -1));
    const bodyModel = bodyModels.get(`${httpMethod} ${treeOf(`/${path.join("/")}`).routeResource}`);
    const method = new apigateway.Method(
      id,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod,
        authorization,
        authorizerId: authorization === AUTHORIZATION.cognito ? authorizer?.id : undefined,
        requestParameters: Object.fromEntries(pathParameters.map((parameter) => [`method.request.path.${parameter}`, true])),
        requestValidatorId: validator.id,
        requestModels: bodyModel ? { "application/json": bodyModel.name } : undefined,
      },
      opts,
    );
    const integration = new apigateway.Integration(
      id,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: args.invokeArns[handler],
      },
      opts,
    );
    return [method, integration];
  });
}
