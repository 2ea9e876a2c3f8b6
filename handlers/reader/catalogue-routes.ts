/**
 * The catalogue as the reader serves it, read-only:
 *   GET /rewards             → customers: the rewards they can redeem now; admins: every reward
 *   GET /rewards/{rewardId}  → one reward, with what it has available
 */
import { redeemableAt } from "../domain/rewards";
import { mayActAsAdmin, mayReadCatalogue } from "../http/caller";
import { catalogueRoute, type CatalogueRouteHandler } from "../http/proxy-router";
import { jsonResponse } from "../http/responses";
import { type RewardListAnswer, rewardAnswer } from "../http/reward-answers";
import { rewardIdOf, rewardNotFound } from "../http/reward-id";
import { API_ROUTES } from "../http/routes";
import type { DynamoRewards, RewardView } from "../ledger/dynamo-rewards";

export interface CatalogueReadDeps {
  rewards: DynamoRewards;
  adminGroup?: string;
  now: () => Date;
}

const answerOf = ({ reward, available }: RewardView, at: number) => rewardAnswer(reward, available, redeemableAt(reward, available, at));

export function catalogueReadRoutes({ rewards, adminGroup, now }: CatalogueReadDeps): CatalogueRouteHandler[] {
  const authorize = (event: Parameters<typeof mayReadCatalogue>[0]) => mayReadCatalogue(event, adminGroup);
  const forbidden = "only signed-in customers and admins read the catalogue";
  return [
    catalogueRoute({
      route: API_ROUTES.listRewards,
      authorize,
      forbidden,
      handle: async (event, headers) => {
        const at = now().getTime();
        const all = (await rewards.list()).map((view) => answerOf(view, at));
        const answer: RewardListAnswer = { items: mayActAsAdmin(event, adminGroup) ? all : all.filter((reward) => reward.active) };
        return jsonResponse(200, answer, headers);
      },
    }),
    catalogueRoute({
      route: API_ROUTES.getReward,
      authorize,
      forbidden,
      handle: async (event, headers) => {
        const rewardId = rewardIdOf(event);
        const view = await rewards.get(rewardId);
        if (!view) throw rewardNotFound(rewardId);
        return jsonResponse(200, answerOf(view, now().getTime()), headers);
      },
    }),
  ];
}
