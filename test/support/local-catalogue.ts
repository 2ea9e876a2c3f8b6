/**
 * Rewards put in a running local runtime's catalogue through its API, as the local admin (no
 * claims): what a test that redeems against `npm start` does first, as redemptions spend on rewards
 * of the catalogue only. Ids are the test's own, as a run shares one runtime between files.
 */
export async function putRewards(endpoint: string, rewards: Record<string, Record<string, unknown>>): Promise<void> {
  for (const [rewardId, definition] of Object.entries(rewards)) {
    const response = await fetch(`${endpoint}/rewards/${rewardId}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(definition),
    });
    if (response.status !== 201 && response.status !== 200)
      throw new Error(`PUT /rewards/${rewardId}: ${response.status} ${await response.text()}`);
  }
}

/** A reward that costs `points` and hands out nothing. */
export const priced = (points: number) => ({ title: `${points} points`, pointsCost: points, kind: "product" });
