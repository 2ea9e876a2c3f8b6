/**
 * API Gateway's REST Lambda proxy integration, locally: an HTTP request becomes the v1 proxy
 * event API Gateway would send (resource template, path parameters, query strings, headers),
 * and the handler's result becomes the HTTP answer.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { SERVED_ROUTES } from "../handlers/http/routes";
import { systemClock } from "../handlers/runtime/clock";
import type { LocalCaller } from "./local-caller";
import { parseRequestTarget } from "./request-target";

export interface HttpRequest {
  method: string;
  /** The request target in origin form (path and query), e.g. `/points/u-1/history?limit=5`. */
  url: string;
  headers: Record<string, string>;
  body: string;
  sourceIp: string;
  /** Who it acts as (see `local-caller.ts`); nobody when absent. */
  caller?: LocalCaller;
  /** When it arrived, in epoch milliseconds by the runtime's clock; real time when absent. */
  receivedAt?: number;
}

/** Each served resource's template (both trees) as a pattern that captures its path parameters. */
const MATCHERS = [...new Set(SERVED_ROUTES.map((served) => served.resource))].map((resource) => {
  const names: string[] = [];
  const source = resource.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { resource, names, pattern: new RegExp(`^${source}/?$`) };
});

/** A path segment as API Gateway passes it: URL-decoded; left as sent when it cannot be. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function match(pathname: string): { resource: string; pathParameters: Record<string, string> | null } {
  for (const { resource, names, pattern } of MATCHERS) {
    const found = pattern.exec(pathname);
    if (found) {
      const values = names.map((name, i) => [name, decodeSegment(found[i + 1] ?? "")]);
      return { resource, pathParameters: Object.fromEntries(values) };
    }
  }
  // No such resource: the gateway answers as API Gateway does (403 missing_authentication_token).
  return { resource: pathname, pathParameters: null };
}

export function toProxyEvent(request: HttpRequest, stage: string): APIGatewayProxyEvent {
  const target = parseRequestTarget(request.url);
  // The HTTP server refuses other target forms before it gets here.
  if (!target) throw new Error(`not an origin-form request target: ${request.url}`);
  const { path, query } = target;
  const { resource, pathParameters } = match(path);
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource,
    path,
    httpMethod: request.method,
    headers: request.headers,
    multiValueHeaders: Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, [value]])),
    queryStringParameters: hasQuery ? Object.fromEntries(Object.entries(query).map(([key, values]) => [key, values.at(-1) ?? ""])) : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    pathParameters,
    stageVariables: null,
    body: request.body === "" ? null : request.body,
    isBase64Encoded: false,
    requestContext: requestContextFor({
      method: request.method,
      path,
      resource,
      stage,
      sourceIp: request.sourceIp,
      userAgent: request.headers["user-agent"] ?? null,
      requestTimeEpoch: request.receivedAt,
      ...request.caller,
    }),
  };
}

export interface RequestContextArgs {
  method: string;
  path: string;
  resource: string;
  stage: string;
  sourceIp: string;
  userAgent: string | null;
  /** Cognito claims, as a Cognito user pool authorizer passes them; none without one. */
  claims?: Record<string, string>;
  /** The SigV4 signer, as an IAM-authorized method passes it; none without one. */
  userArn?: string;
  /** When the request arrived, in epoch milliseconds; real time when absent. */
  requestTimeEpoch?: number;
}

/** The `requestContext` API Gateway attaches to a proxy event. */
export function requestContextFor(args: RequestContextArgs): APIGatewayProxyEvent["requestContext"] {
  return {
    accountId: "000000000000",
    apiId: "local",
    authorizer: args.claims ? { claims: args.claims } : null,
    protocol: "HTTP/1.1",
    httpMethod: args.method,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: args.sourceIp,
      user: null,
      userAgent: args.userAgent,
      userArn: args.userArn ?? null,
    },
    path: `/${args.stage}${args.path}`,
    stage: args.stage,
    requestId: randomUUID(),
    requestTimeEpoch: args.requestTimeEpoch ?? systemClock().getTime(),
    resourceId: "local",
    resourcePath: args.resource,
  };
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
