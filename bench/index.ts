/**
 * `npm run bench`: the project's measurements, printed as Markdown tables. Never part of
 * the tests: timings depend on the machine.
 */
import { measureBundles } from "./bundles";
import { measureLocalRuntime } from "./local-runtime";

async function main(): Promise<void> {
  console.log(`Node ${process.version} on ${process.platform}/${process.arch}, ${new Date().toISOString()}\n`);
  console.log("## Lambda bundles (minified, AWS SDK included)\n");
  console.log("| handler | bytes | gzip bytes | cold require (median of 15) |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const row of await measureBundles()) {
    console.log(`| ${row.handler} | ${row.bytes} | ${row.gzipBytes} | ${row.coldRequireMs} ms |`);
  }
  const local = await measureLocalRuntime();
  console.log("\n## Local runtime (dev stack settings: batch 10, 2 concurrent writers)\n");
  console.log("| start-up | events | users | end-to-end time | events/s |");
  console.log("| ---: | ---: | ---: | ---: | ---: |");
  console.log(`| ${local.startupMs} ms | ${local.events} | ${local.users} | ${local.seconds.toFixed(1)} s | ${local.eventsPerSecond} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
