/**
 * The read side of the points API, behind API Gateway's REST Lambda proxy integration:
 *   GET /points/{userId}          → the balance (0 for a user with no entries)
 *   GET /points/{userId}/history  → entries newest first, paged by an opaque cursor
 * Every refusal is a 4xx JSON error; nothing internal (no stack trace) reaches a client.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { describeIssues } from "../domain/describe-issues";
import type { DynamoLedger } from "../ledger/dynamo-ledger";
import { InvalidCursorError } from "../ledger/history-cursor";
import { mayReadUser } from "../http/caller";
import { API_ROUTES } from "../http/routes";
import { corsHeaders, errorResponse, jsonResponse, type Headers } from "../http/responses";
import type { Logger } from "../runtime/log";
import { historyItem } from "./history-view";

export interface ReadApiDeps {
  ledger: DynamoLedger;
  logger: Logger;
  /** Origins that may call from a browser (`*` for any); none means no CORS headers. */
  allowedOrigins: readonly string[];
  /** Cognito group whose members may read any user's points. */
  adminGroup?: string;
}

/** Page size of the history: 1–100, 20 when not given. */
export const HISTORY_LIMIT = { min: 1, max: 100, default: 20 } as const;

const HistoryQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, `must be a whole number from ${HISTORY_LIMIT.min} to ${HISTORY_LIMIT.max}`),
      v.transform(Number),
      v.minValue(HISTORY_LIMIT.min, `must be at least ${HISTORY_LIMIT.min}`),
      v.maxValue(HISTORY_LIMIT.max, `must be at most ${HISTORY_LIMIT.max}`),
    ),
    String(HISTORY_LIMIT.default),
  ),
  cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024, "is too long"))),
});

type Route = (userId: string, event: APIGatewayProxyEvent, headers: Headers) => Promise<APIGatewayProxyResult>;

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

export function createReadApi({ ledger, logger, allowedOrigins, adminGroup }: ReadApiDeps) {
  const routes: Record<string, Route> = {
    [API_ROUTES.balance.resource]: async (userId, _event, headers) =>
      jsonResponse(200, await ledger.getBalance(userId), headers),

    [API_ROUTES.history.resource]: async (userId, event, headers) => {
      const query = v.safeParse(HistoryQuerySchema, event.queryStringParameters ?? {});
      if (!query.success) {
        return errorResponse(400, "invalid_query", describeIssues(query.issues), headers);
      }
      const page = await ledger.getHistory(userId, query.output.limit, query.output.cursor);
      return jsonResponse(200, { items: page.entries.map(historyItem), nextCursor: page.nextCursor }, headers);
    },
  };

  return async function readApi(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const headers = corsHeaders(headerOf(event, "origin"), allowedOrigins);
    const route = routes[event.resource];
    if (!route) {
      return errorResponse(404, "not_found", `no route ${event.httpMethod} ${event.path}`, headers);
    }
    if (event.httpMethod === "OPTIONS") return { statusCode: 204, headers, body: "" };
    if (event.httpMethod !== "GET") {
      return errorResponse(405, "method_not_allowed", `${event.httpMethod} is not allowed here`, {
        ...headers,
        Allow: "GET, OPTIONS",
      });
    }
    const userId = v.safeParse(IdSchema, event.pathParameters?.userId);
    if (!userId.success) {
      return errorResponse(400, "invalid_user_id", describeIssues(userId.issues, "userId"), headers);
    }
    if (!mayReadUser(event, userId.output, adminGroup)) {
      return errorResponse(403, "forbidden", "you may only read your own points", headers);
    }
    try {
      return await route(userId.output, event, headers);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        return errorResponse(400, "invalid_cursor", error.message, headers);
      }
      const requestId = event.requestContext.requestId;
      logger.log("error", "request failed", {
        requestId,
        resource: event.resource,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return errorResponse(500, "internal_error", `internal error (request ${requestId})`, headers);
    }
  };
}
