/**
 * `tsx bench/hot-reward-cli.ts`: the hot reward alone (section 9 of `npm run bench`), on a DynamoDB
 * Local of its own; prints the section's Markdown. `BENCH_QUICK=1` shrinks it.
 */
import "../cli/quiet-sdk-warning";
import { startDynamoLocal } from "../local/dynamo-local";
import { HOT_REWARD_RUN, HOT_REWARD_SHARDS, hotRewardMarkdown, measureHotReward } from "./hot-reward";
import { QUICK } from "./scale";

async function main(): Promise<void> {
  const dynamo = await startDynamoLocal();
  try {
    const options = QUICK ? { codes: 300, customers: 330, inFlight: 16, redeemers: 4 } : HOT_REWARD_RUN;
    const figures = [];
    for (const shards of HOT_REWARD_SHARDS) figures.push(await measureHotReward(dynamo.endpoint, shards, options));
    console.log(hotRewardMarkdown(figures).join("\n"));
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
