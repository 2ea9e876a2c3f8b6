/**
 * The read side of the points API, behind API Gateway's REST Lambda proxy integration:
 *   GET /points/{userId}          → the balance (0 for a user with no entries), with tiers the level held
 *   GET /points/{userId}/history  → entries newest first, paged by an opaque cursor
 *   GET /rewards, GET /rewards/{rewardId} → the catalogue (`catalogue-routes`)
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import type { DynamoLedger } from "../ledger/dynamo-ledger";
import type { DynamoRewards } from "../ledger/dynamo-rewards";
import { catalogueReadRoutes } from "./catalogue-routes";
import { InvalidCursorError } from "../ledger/history-cursor";
import { mayActForUser } from "../http/caller";
import { ClientError, createProxyRouter } from "../http/proxy-router";
import { errorResponse, jsonResponse } from "../http/responses";
import { API_ROUTES } from "../http/routes";
import { systemClock, type Clock } from "../runtime/clock";
import type { Logger } from "../runtime/log";
import type { BalanceAnswer, HistoryPage } from "./answers";
import { HistoryQuerySchema } from "./history-query";
import { historyItem } from "./history-view";

export interface ReadApiDeps {
  ledger: DynamoLedger;
  /** The rewards catalogue, read-only. */
  rewards: DynamoRewards;
  logger: Logger;
  /** Origins that may call from a browser (`*` for any); none means no CORS headers. */
  allowedOrigins: readonly string[];
  /** Cognito group whose members may read any user's points. */
  adminGroup?: string;
  /** The clock balances are computed at; tests pin it, the local runtime moves it. */
  now?: Clock;
}

export function createReadApi({ ledger, rewards, logger, allowedOrigins, adminGroup, now = systemClock }: ReadApiDeps) {
  const authorize = (event: Parameters<typeof mayActForUser>[0], userId: string) => mayActForUser(event, userId, adminGroup);
  const forbidden = "you may only read your own points";
  return createProxyRouter({
    logger,
    allowedOrigins,
    routes: [
      {
        route: API_ROUTES.balance,
        authorize,
        forbidden,
        handle: async (userId, _event, headers) => {
          const answer: BalanceAnswer = await ledger.getBalance(userId, now());
          return jsonResponse(200, answer, headers);
        },
      },
      {
        route: API_ROUTES.history,
        authorize,
        forbidden,
        handle: async (userId, event, headers) => {
          const query = v.safeParse(HistoryQuerySchema, event.queryStringParameters ?? {});
          if (!query.success) return errorResponse(400, "invalid_query", describeIssues(query.issues), headers);
          try {
            const page = await ledger.getHistory(userId, query.output.limit, query.output.cursor);
            const answer: HistoryPage = { items: page.entries.map(historyItem), nextCursor: page.nextCursor };
            return jsonResponse(200, answer, headers);
          } catch (error) {
            if (error instanceof InvalidCursorError) throw new ClientError(400, "invalid_cursor", error.message);
            throw error;
          }
        },
      },
      ...catalogueReadRoutes({ rewards, adminGroup, now }),
    ],
  });
}
