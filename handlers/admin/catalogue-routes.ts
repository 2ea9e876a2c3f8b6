/**
 * The catalogue as admins change it:
 *   PUT  /rewards/{rewardId}        → create (201) or replace (200) a reward's definition
 *   POST /rewards/{rewardId}/codes  → add single-use codes to a pool reward, idempotently
 */
import { CodesUploadSchema, RewardDefinitionSchema, redeemableAt } from "../domain/rewards";
import { unlessBusy } from "../http/busy-answer";
import { mayActAsAdmin } from "../http/caller";
import { parseJsonBody } from "../http/json-body";
import { ClientError, catalogueRoute, type CatalogueRouteHandler } from "../http/proxy-router";
import { jsonResponse } from "../http/responses";
import { type CodesUploadAnswer, rewardAnswer } from "../http/reward-answers";
import { rewardIdOf, rewardNotFound } from "../http/reward-id";
import { API_ROUTES } from "../http/routes";
import type { DynamoRewards } from "../ledger/dynamo-rewards";
import type { Logger } from "../runtime/log";
import { callerIdentity } from "../http/caller";

/** An upload whose chunks concurrent redemptions kept writing under (`LedgerBusyError`): nothing is lost by sending it again. */
const UPLOAD_BUSY = "the reward's codes are being redeemed right now; upload again: it adds only the codes still missing";

export interface CatalogueAdminDeps {
  rewards: DynamoRewards;
  logger: Logger;
  adminGroup?: string;
  now: () => Date;
}

export function catalogueAdminRoutes({ rewards, logger, adminGroup, now }: CatalogueAdminDeps): CatalogueRouteHandler[] {
  const authorize = (event: Parameters<typeof mayActAsAdmin>[0]) => mayActAsAdmin(event, adminGroup);
  const forbidden = "only the admin group and listed IAM principals may change the catalogue";
  return [
    catalogueRoute({
      route: API_ROUTES.putReward,
      authorize,
      forbidden,
      handle: async (event, headers) => {
        const rewardId = rewardIdOf(event);
        const definition = parseJsonBody(
          event,
          RewardDefinitionSchema,
          "{title, pointsCost, kind, value?, activeFrom?, activeUntil?, stock?, perCustomerLimit?, codes?}",
        );
        const at = now();
        const result = await rewards.put(rewardId, definition, at);
        if (result.outcome === "codes-fixed") {
          throw new ClientError(
            400,
            "invalid_request",
            `codes: the reward's codes are "${result.codes}" for good; create another reward to hand out ${definition.codes === "pool" ? "codes" : "none"}`,
          );
        }
        logger.log("info", `reward ${result.outcome}`, {
          requestId: event.requestContext.requestId,
          rewardId,
          actor: callerIdentity(event),
        });
        const view = await rewards.get(rewardId);
        const available = view?.available ?? null;
        return jsonResponse(
          result.outcome === "created" ? 201 : 200,
          rewardAnswer(result.reward, available, redeemableAt(result.reward, available, at.getTime())),
          headers,
        );
      },
    }),
    catalogueRoute({
      route: API_ROUTES.uploadCodes,
      authorize,
      forbidden,
      handle: (event, headers) =>
        unlessBusy(
          async () => {
            const rewardId = rewardIdOf(event);
            const { codes } = parseJsonBody(event, CodesUploadSchema, "{codes: [...]}");
            const result = await rewards.uploadCodes(rewardId, codes, now());
            switch (result.outcome) {
              case "not-found":
                throw rewardNotFound(rewardId);
              case "takes-no-codes":
                throw new ClientError(400, "invalid_request", `codes: reward ${rewardId} hands out no codes (its codes are "none")`);
              case "uploaded": {
                logger.log("info", "codes uploaded", {
                  requestId: event.requestContext.requestId,
                  rewardId,
                  added: result.added,
                  actor: callerIdentity(event),
                });
                const answer: CodesUploadAnswer = { added: result.added, duplicates: result.duplicates, available: result.available };
                return jsonResponse(200, answer, headers);
              }
            }
          },
          headers,
          UPLOAD_BUSY,
        ),
    }),
  ];
}
