/**
 * The spending side of the points API (the reader stays read-only):
 *   POST /points/{userId}/redemptions                          → spend a reward's price on it, once
 *   POST /points/{userId}/redemptions/{redemptionId}/cancel    → give them back, once (admins)
 * `redemptionId` is the client's idempotency key: the same request again gets its first answer
 * (as 200), a different request with the same id a 409. An erased customer is answered as one the
 * ledger never knew, as the reader answers them (balance 0, no redemptions).
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { describeIssues } from "../domain/describe-issues";
import type { RedemptionCancelEntry, RedemptionEntry } from "../domain/ledger-entries";
import { erasedPk } from "../domain/ledger-keys";
import { RedemptionRequestSchema } from "../domain/redemption";
import type { DynamoRedemptions } from "../ledger/dynamo-redemptions";
import { retryWithSame, unlessBusy } from "../http/busy-answer";
import { mayActAsAdmin, mayActForUser } from "../http/caller";
import type { InsufficientPointsAnswer, PriceChangedAnswer } from "../http/error-answers";
import { parseJsonBody } from "../http/json-body";
import { createProxyRouter, customerRoute } from "../http/proxy-router";
import { errorResponse, jsonResponse, type Headers } from "../http/responses";
import { rewardNotFound } from "../http/reward-id";
import { API_ROUTES } from "../http/routes";
import { systemClock, type Clock } from "../runtime/clock";
import type { Logger } from "../runtime/log";
import type { CancelAnswer, RedemptionAnswer } from "./answers";

export interface RedeemApiDeps {
  redemptions: DynamoRedemptions;
  logger: Logger;
  allowedOrigins: readonly string[];
  /** Cognito group that may spend for anyone and cancel redemptions. */
  adminGroup?: string;
  /** The clock that stamps entries; tests pin it, the local runtime moves it. */
  now?: Clock;
}

const redemptionAnswer = (userId: string, entry: RedemptionEntry): RedemptionAnswer => ({
  userId,
  redemptionId: entry.redemptionId,
  rewardId: entry.rewardId,
  points: entry.points,
  balance: entry.balanceAfter,
  redeemedAt: entry.occurredAt,
  ...(entry.reward ? { reward: entry.reward } : {}),
  ...(entry.code === undefined ? {} : { code: entry.code }),
});

const cancelAnswer = (userId: string, entry: RedemptionCancelEntry): CancelAnswer => ({
  userId,
  redemptionId: entry.redemptionId,
  pointsReturned: entry.points,
  balance: entry.balanceAfter,
  cancelledAt: entry.occurredAt,
});

const insufficientPoints = (balance: number, headers: Headers) => {
  const answer: InsufficientPointsAnswer = {
    error: { code: "insufficient_points", message: "the balance does not cover these points", balance },
  };
  return jsonResponse(409, answer, headers);
};

const priceChanged = (pointsCost: number, headers: Headers) => {
  const answer: PriceChangedAnswer = {
    error: { code: "price_changed", message: "the reward's price is not the one sent: show it and ask again", pointsCost },
  };
  return jsonResponse(409, answer, headers);
};

const redemptionNotFound = (redemptionId: string, headers: Headers) =>
  errorResponse(404, "redemption_not_found", `no redemption ${redemptionId} for this user`, headers);

/** The spendable balance of a customer the ledger does not know: what an erased customer is shown. */
const UNKNOWN_CUSTOMER_BALANCE = 0;

/**
 * A request refused because its customer was erased while it ran. The line names the tombstone
 * (a digest of the id), never the id, so the logs keep no copy of it.
 */
function logErased(logger: Logger, event: APIGatewayProxyEvent, userId: string, redemptionId: string, message: string): void {
  logger.log("info", message, { requestId: event.requestContext.requestId, tombstone: erasedPk(userId), redemptionId, outcome: "erased" });
}

export function createRedeemApi({ redemptions, logger, allowedOrigins, adminGroup, now = systemClock }: RedeemApiDeps) {
  return createProxyRouter({
    logger,
    allowedOrigins,
    routes: [
      {
        route: API_ROUTES.redeem,
        authorize: (event, userId) => mayActForUser(event, userId, adminGroup),
        forbidden: "you may only spend your own points",
        handle: (userId, event, headers) =>
          unlessBusy(
            async () => {
              const request = parseJsonBody(event, RedemptionRequestSchema, "{redemptionId, rewardId, points?}");
              const result = await redemptions.redeem(userId, request, now);
              switch (result.outcome) {
                case "redeemed":
                  return jsonResponse(201, redemptionAnswer(userId, result.entry), headers);
                case "replayed":
                  return jsonResponse(200, redemptionAnswer(userId, result.entry), headers);
                case "conflict":
                  return errorResponse(409, "idempotency_conflict", "this redemptionId was already used for a different request", headers);
                case "insufficient":
                  return insufficientPoints(result.balance, headers);
                case "reward-not-found":
                  throw rewardNotFound(request.rewardId);
                case "price-changed":
                  return priceChanged(result.pointsCost, headers);
                case "unavailable":
                  return errorResponse(409, "reward_unavailable", "the reward is outside its window or has no units left", headers);
                case "limit-reached":
                  return errorResponse(409, "reward_limit_reached", "you have redeemed this reward as often as it allows", headers);
                case "erased":
                  logErased(logger, event, userId, request.redemptionId, "redemption refused: customer erased");
                  return insufficientPoints(UNKNOWN_CUSTOMER_BALANCE, headers);
              }
            },
            headers,
            retryWithSame("redemptionId"),
          ),
      },
      customerRoute({
        route: API_ROUTES.cancelRedemption,
        authorize: (event) => mayActAsAdmin(event, adminGroup),
        forbidden: "only the admin group may cancel redemptions",
        handle: (userId, event, headers) =>
          unlessBusy(
            async () => {
              const redemptionId = v.safeParse(IdSchema, event.pathParameters?.redemptionId);
              if (!redemptionId.success) {
                return errorResponse(400, "invalid_request", describeIssues(redemptionId.issues, "redemptionId"), headers);
              }
              const result = await redemptions.cancel(userId, redemptionId.output, now);
              switch (result.outcome) {
                case "cancelled":
                case "already-cancelled":
                  return jsonResponse(200, cancelAnswer(userId, result.entry), headers);
                case "not-found":
                  return redemptionNotFound(redemptionId.output, headers);
                case "erased":
                  logErased(logger, event, userId, redemptionId.output, "cancel refused: customer erased");
                  return redemptionNotFound(redemptionId.output, headers);
              }
            },
            headers,
            retryWithSame("redemptionId"),
          ),
      }),
    ],
  });
}
