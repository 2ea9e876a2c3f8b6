/**
 * `npm start [-- --data-dir <dir>]`: runs the loyalty loop locally until Ctrl-C or SIGTERM.
 * `PORT` changes the port (3000 by default; 0 picks a free one); `POINTS_LIFECYCLE` (JSON
 * `{pendingDays, expiryDays}`) holds and expires points instead of the dev stack's immediate ones;
 * `DYNAMODB_ENDPOINT` uses a DynamoDB Local already running (and `DYNAMODB_TABLE` a table there)
 * instead of starting a JVM.
 *
 * The signal handlers are installed before anything starts, so a stop asked for at any moment —
 * during start-up included — stops exactly what has started, and the process exits 0. DynamoDB
 * Local dying under a running runtime is one line, a stop, and exit 1.
 */
import "../cli/quiet-sdk-warning";
import { parseArgs } from "node:util";
import { banner } from "./banner";
import { UsageError } from "../cli/usage-error";
import {
  assertNoMisplacedOptions,
  describeStartFailure,
  parseDynamoChoice,
  parseExpiringSoonDays,
  parseLifecycle,
  parsePort,
  parseTiers,
  USAGE,
} from "./cli-input";
import type { LocalRuntime } from "./runtime";

async function main(): Promise<void> {
  const shutdown = new AbortController();
  let runtime: LocalRuntime | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (!runtime) {
      console.log(`\n${signal} during start-up: stopping what has started…`);
      shutdown.abort(); // startLocalRuntime stops its parts and rejects; main exits 0 below
      return;
    }
    console.log(`\n${signal}: finishing in-flight batches, then stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  assertNoMisplacedOptions();
  let dataDir: string | undefined;
  try {
    const { values } = parseArgs({ options: { "data-dir": { type: "string" } }, allowPositionals: false });
    dataDir = values["data-dir"];
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const port = parsePort(process.env.PORT);
  const lifecycle = parseLifecycle();
  const expiringSoonDays = parseExpiringSoonDays();
  const tiers = parseTiers();
  const dynamo = parseDynamoChoice();

  const started = Date.now();
  try {
    // Loaded once the arguments are known good: a usage error costs only their check, not the runtime's imports (the AWS SDK, the handlers).
    const { startLocalRuntime } = await import("./runtime.js");
    shutdown.signal.throwIfAborted(); // a stop asked for while it loaded: nothing has started
    runtime = await startLocalRuntime(
      {
        port,
        dataDir,
        ...(lifecycle && { lifecycle }),
        ...(expiringSoonDays !== undefined && { expiringSoonDays }),
        ...(tiers && { tiers }),
        ...dynamo,
      },
      shutdown.signal,
    );
  } catch (error) {
    if (shutdown.signal.aborted) process.exit(0);
    throw error;
  }
  console.log(banner(runtime));
  console.log(`\n(started in ${Date.now() - started} ms)`);
  // Without DynamoDB Local every request fails: say so once and stop, as a supervisor expects.
  const running = runtime;
  void running.dynamoDied.then((what) => {
    if (stopping) return;
    stopping = true;
    console.error(`local runtime: ${what}: stopping the runtime`);
    running.stop().then(
      () => process.exit(1),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

main().catch((error: unknown) => {
  const known = describeStartFailure(error);
  console.error(known ?? error);
  if (error instanceof UsageError) console.error(USAGE);
  process.exit(error instanceof UsageError ? 2 : 1);
});
