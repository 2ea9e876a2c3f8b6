/**
 * CORS preflights answered by API Gateway itself (a `MOCK` integration), so an unauthenticated
 * `OPTIONS` — which browsers send without credentials — never runs a function: no invocation to
 * pay for, and no code path an anonymous caller can reach. The headers are the ones the functions
 * put on their own answers (`corsHeaders`), from the same constants.
 *
 * With several allowed origins the answer must echo the request's `Origin` only when it is one
 * of them; a static header cannot, so a response mapping template overrides the default (the first
 * origin) with the request's own when it is listed — the way AWS CDK builds multi-origin preflights.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import type * as pulumi from "@pulumi/pulumi";
import { CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS } from "../handlers/http/responses";

const HEADER = (name: string) => `method.response.header.${name}`;
const quoted = (value: string) => `'${value}'`;

/** The answer's `Access-Control-Allow-Origin`: `*`, the one origin, or the first (overridden per request by the template). */
const defaultOrigin = (allowedOrigins: readonly string[]): string => (allowedOrigins.includes("*") ? "*" : (allowedOrigins[0] ?? ""));

/** The response template that echoes an allowed `Origin` when there are several (VTL). */
export function originTemplate(allowedOrigins: readonly string[]): string {
  if (allowedOrigins.includes("*") || allowedOrigins.length <= 1) return "";
  const listed = allowedOrigins.map((origin) => `$origin == "${origin.replace(/"/g, "")}"`).join(" || ");
  return [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if($origin == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${listed})`,
    "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
    "#end",
  ].join("\n");
}

export interface PreflightArgs {
  restApiId: pulumi.Input<string>;
  resourceId: pulumi.Input<string>;
  /** The methods the API serves on this resource (besides `OPTIONS`). */
  methods: readonly string[];
  /** Browser origins allowed (`*` for any); at least one. */
  allowedOrigins: readonly string[];
}

/** The `OPTIONS` method of one resource and its `MOCK` answer; returns what the deployment snapshots. */
export function createPreflight(name: string, args: PreflightArgs, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": quoted(defaultOrigin(args.allowedOrigins)),
    "Access-Control-Allow-Methods": quoted([...args.methods, "OPTIONS"].join(", ")),
    "Access-Control-Allow-Headers": quoted(CORS_ALLOW_HEADERS),
    "Access-Control-Max-Age": quoted(String(CORS_MAX_AGE_SECONDS)),
    Vary: quoted("Origin"),
  };
  const method = new apigateway.Method(
    name,
    { restApi: args.restApiId, resourceId: args.resourceId, httpMethod: "OPTIONS", authorization: "NONE" },
    opts,
  );
  const integration = new apigateway.Integration(
    name,
    {
      restApi: args.restApiId,
      resourceId: args.resourceId,
      httpMethod: method.httpMethod,
      type: "MOCK",
      requestTemplates: { "application/json": '{"statusCode": 204}' },
    },
    opts,
  );
  const methodResponse = new apigateway.MethodResponse(
    name,
    {
      restApi: args.restApiId,
      resourceId: args.resourceId,
      httpMethod: method.httpMethod,
      statusCode: "204",
      responseParameters: Object.fromEntries(Object.keys(headers).map((header) => [HEADER(header), true])),
    },
    opts,
  );
  const template = originTemplate(args.allowedOrigins);
  const integrationResponse = new apigateway.IntegrationResponse(
    name,
    {
      restApi: args.restApiId,
      resourceId: args.resourceId,
      httpMethod: method.httpMethod,
      statusCode: methodResponse.statusCode,
      responseParameters: Object.fromEntries(Object.entries(headers).map(([header, value]) => [HEADER(header), value])),
      ...(template === "" ? {} : { responseTemplates: { "application/json": template } }),
    },
    { ...opts, dependsOn: [integration] },
  );
  return [method, integration, methodResponse, integrationResponse];
}
