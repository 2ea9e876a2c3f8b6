/**
 * API Gateway REST proxy events (payload v1) as the Lambda proxy integration delivers them.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import { requestContextFor } from "../../local/api-gateway";

export interface ApiRequest {
  /** The resource template, e.g. `/points/{userId}/history`. */
  resource: string;
  pathParameters?: Record<string, string>;
  method?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Cognito claims, as a Cognito user pool authorizer passes them. */
  claims?: Record<string, string>;
  body?: string;
}

export function apiEvent(request: ApiRequest): APIGatewayProxyEvent {
  const params = request.pathParameters ?? {};
  const path = request.resource.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
  const method = request.method ?? "GET";
  return {
    resource: request.resource,
    path,
    httpMethod: method,
    // A client sends its JSON body as JSON (the functions refuse any other media type).
    headers: { ...(request.body === undefined ? {} : { "content-type": "application/json" }), ...request.headers },
    multiValueHeaders: {},
    queryStringParameters: request.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: false,
    requestContext: requestContextFor({
      method,
      path,
      resource: request.resource,
      stage: "v1",
      sourceIp: "127.0.0.1",
      userAgent: "test",
      ...(request.claims ? { claims: request.claims } : {}),
    }),
  };
}

export const balanceRequest = (userId: string, extra: Omit<ApiRequest, "resource"> = {}) =>
  apiEvent({ resource: "/points/{userId}", pathParameters: { userId }, ...extra });

export const historyRequest = (userId: string, extra: Omit<ApiRequest, "resource"> = {}) =>
  apiEvent({ resource: "/points/{userId}/history", pathParameters: { userId }, ...extra });
