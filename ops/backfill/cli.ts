/**
 * `npm run backfill -- --file orders.jsonl [--stack dev] [--endpoint URL] [--bus NAME] [--rate N]
 * [--from-line N] [--skip-invalid]`: publishes past orders and refunds through EventBridge
 * PutEvents, as the platform would have. Re-running a file is safe: the ledger takes each event
 * once. Exit codes: 0 all sent, 1 some refused (or stopped: resume with --from-line), 2 bad
 * arguments or lines (nothing sent), 130 interrupted (Ctrl-C or SIGTERM).
 */
import "../../cli/quiet-sdk-warning";
import { InvalidStackConfigError } from "../../config/stack-config";
import { UsageError } from "../../cli/usage-error";
import { parseBackfillArgs, USAGE } from "./arguments";
import { backfillTarget, describeTarget, eventBridgePublisher } from "./event-bus";
import { systemClock } from "./rate-limit";
import { EXIT_CODES, runBackfill } from "./run";

async function main(): Promise<number> {
  const options = parseBackfillArgs(process.argv.slice(2));
  if (options === "help") {
    console.log(USAGE);
    return EXIT_CODES.sent;
  }
  const target = backfillTarget(options);
  const publisher = eventBridgePublisher(target);
  // Ctrl-C stops at once and reports where to resume. npm passes the terminal's SIGINT on to its
  // script as well, so one Ctrl-C may arrive twice: aborting again is harmless.
  const interrupt = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt.abort());
  try {
    return await runBackfill(options, target, {
      putEvents: publisher.putEvents,
      out: process.stdout,
      clock: systemClock,
      destination: describeTarget(target),
      signal: interrupt.signal,
    });
  } finally {
    publisher.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof InvalidStackConfigError) {
      console.error(error.message);
      if (error instanceof UsageError) console.error(USAGE);
      process.exit(EXIT_CODES.invalid);
    }
    console.error(error);
    process.exit(EXIT_CODES.notAllSent);
  },
);
