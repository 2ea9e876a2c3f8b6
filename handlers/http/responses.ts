/**
 * JSON answers of the points API as API Gateway's Lambda proxy integration expects them.
 * Every answer is JSON, never cached (balances change), and carries CORS headers when the
 * request's origin is allowed.
 */
import type { APIGatewayProxyResult } from "aws-lambda";

/** Error codes clients can branch on; `message` is for people. */
/** Every `error.code` the functions answer with; the README's error list names each. */
export const ERROR_CODES = [
  "invalid_user_id",
  "invalid_query",
  "invalid_cursor",
  "invalid_request",
  "unsupported_media_type",
  "forbidden",
  "not_found",
  "redemption_not_found",
  "reward_not_found",
  "method_not_allowed",
  "idempotency_conflict",
  "insufficient_points",
  "price_changed",
  "reward_unavailable",
  "reward_limit_reached",
  "customer_erased",
  "busy",
  "internal_error",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type Headers = Record<string, string>;

export function jsonResponse(statusCode: number, body: unknown, headers: Headers = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** `{"error": {"code", "message"}}`, the one error shape of the API. */
export function errorResponse(statusCode: number, code: ErrorCode, message: string, headers: Headers = {}): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error: { code, message } }, headers);
}

/** The request headers browsers may send on the API's routes, as the preflight names them. */
export const CORS_ALLOW_HEADERS = "Authorization, Content-Type";
/** Seconds a browser may cache a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * CORS headers for a request from `origin`: echoed back when it is allowed (`*` allows any),
 * none otherwise. `Vary: Origin` keeps shared caches from mixing origins.
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[], method = "GET"): Headers {
  if (origin === undefined || allowedOrigins.length === 0) return {};
  const allowed = allowedOrigins.includes("*") || allowedOrigins.includes(origin);
  if (!allowed) return { Vary: "Origin" };
  return {
    "Access-Control-Allow-Origin": allowedOrigins.includes("*") ? "*" : origin,
    "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
    "Access-Control-Allow-Methods": `${method}, OPTIONS`,
    "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
    Vary: "Origin",
  };
}
