/**
 * `tsx bench/hot-reward-cli.ts` (`npm run bench:hot-reward`): the hot reward alone (section 9 of
 * `npm run bench`), each shard count on a DynamoDB Local of its own; prints the section's
 * Markdown. `BENCH_QUICK=1` shrinks it.
 */
import "../cli/quiet-sdk-warning";
import { hotRewardMarkdown, measureHotRewards } from "./hot-reward";

async function main(): Promise<void> {
  console.log(hotRewardMarkdown(await measureHotRewards()).join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
