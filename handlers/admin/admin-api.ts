/**
 * Customer service's side of the points API, for admins only:
 *   POST   /points/{userId}/adjustments → grant or take points by hand, with a reason, once per `adjustmentId`
 *   DELETE /points/{userId}             → erase everything the ledger holds about the customer
 *   PUT /rewards/{rewardId}, POST /rewards/{rewardId}/codes → the catalogue (`catalogue-routes`)
 * Every change records who made it (the caller's Cognito `sub` or IAM principal ARN).
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import { AdjustmentRequestSchema } from "../domain/adjustment";
import { LedgerLimitError } from "../domain/errors";
import type { AdjustmentEntry } from "../domain/ledger-entries";
import { retryWithSame, unlessBusy } from "../http/busy-answer";
import { callerIdentity, mayActAsAdmin } from "../http/caller";
import type { InsufficientPointsAnswer } from "../http/error-answers";
import { parseJsonBody } from "../http/json-body";
import { ClientError, createProxyRouter } from "../http/proxy-router";
import { errorResponse, jsonResponse } from "../http/responses";
import { API_ROUTES } from "../http/routes";
import type { DynamoAdjustments } from "../ledger/dynamo-adjustments";
import type { DynamoErasure } from "../ledger/dynamo-erasure";
import { systemClock, type Clock } from "../runtime/clock";
import type { DynamoRewards } from "../ledger/dynamo-rewards";
import { catalogueAdminRoutes } from "./catalogue-routes";
import type { Logger } from "../runtime/log";
import type { AdjustmentAnswer, ErasureAnswer } from "./answers";

export interface AdminApiDeps {
  adjustments: DynamoAdjustments;
  /** The rewards catalogue, which admins change. */
  rewards: DynamoRewards;
  erasure: DynamoErasure;
  logger: Logger;
  allowedOrigins: readonly string[];
  /** Cognito group whose members are admins. */
  adminGroup?: string;
  /** The clock that stamps entries; tests pin it, the local runtime moves it. */
  now?: Clock;
}

const adjustmentAnswer = (userId: string, entry: AdjustmentEntry): AdjustmentAnswer => ({
  userId,
  adjustmentId: entry.adjustmentId,
  points: entry.direction === "grant" ? entry.points : -entry.points,
  reason: entry.reason,
  actor: entry.actor,
  balance: entry.balanceAfter,
  expiresAt: entry.expiresAt ?? null,
  adjustedAt: entry.occurredAt,
});

export function createAdminApi({ adjustments, rewards, erasure, logger, allowedOrigins, adminGroup, now = systemClock }: AdminApiDeps) {
  const authorize = (event: APIGatewayProxyEvent) => mayActAsAdmin(event, adminGroup);
  return createProxyRouter({
    logger,
    allowedOrigins,
    routes: [
      {
        route: API_ROUTES.adjust,
        authorize,
        forbidden: "only the admin group and listed IAM principals may adjust points",
        handle: (userId, event, headers) =>
          unlessBusy(
            async () => {
              const request = parseJsonBody(event, AdjustmentRequestSchema, "{adjustmentId, points, reason}");
              // An admin is always someone: claims with a `sub`, or a listed signer.
              const actor = callerIdentity(event) ?? "unknown";
              const result = await adjustments.adjust(userId, request, actor, now).catch((error: unknown) => {
                if (error instanceof LedgerLimitError) throw new ClientError(400, "invalid_request", error.message);
                throw error;
              });
              switch (result.outcome) {
                case "adjusted":
                  logger.log("info", "points adjusted", {
                    requestId: event.requestContext.requestId,
                    userId,
                    adjustmentId: request.adjustmentId,
                    points: request.points,
                    actor,
                  });
                  return jsonResponse(201, adjustmentAnswer(userId, result.entry), headers);
                case "replayed":
                  return jsonResponse(200, adjustmentAnswer(userId, result.entry), headers);
                case "conflict":
                  return errorResponse(409, "idempotency_conflict", "this adjustmentId was already used for a different request", headers);
                case "erased":
                  return errorResponse(409, "customer_erased", "this customer was erased: nothing is recorded for them again", headers);
                case "insufficient": {
                  const answer: InsufficientPointsAnswer = {
                    error: {
                      code: "insufficient_points",
                      message: 'the spendable balance does not cover this take; send "allowNegative": true to let it go below zero',
                      balance: result.balance,
                    },
                  };
                  return jsonResponse(409, answer, headers);
                }
              }
            },
            headers,
            retryWithSame("adjustmentId"),
          ),
      },
      {
        route: API_ROUTES.erase,
        authorize,
        forbidden: "only the admin group and listed IAM principals may erase customers",
        handle: async (userId, event, headers) => {
          const report = await erasure.erase(userId, now());
          // No id in the log: the tombstone's digest traces it. Its insert on the table's stream
          // publishes `Points Erased` (the transform, `domain/entry-events.ts`).
          logger.log("info", "customer erased", {
            requestId: event.requestContext.requestId,
            tombstone: report.tombstone,
            pointsRemoved: report.pointsRemoved,
            itemsDeleted: report.itemsDeleted,
            erasedAt: report.erasedAt,
            actor: callerIdentity(event),
          });
          const answer: ErasureAnswer = { userId, erased: true, pointsRemoved: report.pointsRemoved, erasedAt: report.erasedAt };
          return jsonResponse(200, answer, headers);
        },
      },
      ...catalogueAdminRoutes({ rewards, logger, adminGroup, now }),
    ],
  });
}
