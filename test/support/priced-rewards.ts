/**
 * Rewards of the catalogue by their price, for tests whose subject is the points a redemption
 * spends rather than the reward: `reward-<points>` costs `points`, put once per table through the
 * harness's uncounted client, so the redemptions measured around it send only their own requests.
 */
import type { Harness } from "./dynamo-harness";

export function pricedRewards(harness: Harness): (points: number) => Promise<string> {
  const put = new Map<number, Promise<string>>();
  return (points) => {
    const rewardId = `reward-${points}`;
    const once =
      put.get(points) ??
      harness.catalogue
        .put(rewardId, { title: rewardId, pointsCost: points, kind: "product", codes: "none" }, new Date(0))
        .then(() => rewardId);
    put.set(points, once);
    return once;
  };
}
