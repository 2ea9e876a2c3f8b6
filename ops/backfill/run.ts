/**
 * One backfill run, start to end: check every line to be sent, send nothing if one is bad
 * (unless told to skip them), then publish the rest with progress, and say what happened.
 * The file is read twice, as a stream, rather than held in memory: a backfill may be millions
 * of orders. It must not change while the run lasts.
 */
import { UsageError } from "../../cli/usage-error";
import { MAX_ENTRIES } from "../../handlers/domain/put-events-limits";
import type { BackfillOptions } from "./arguments";
import { checkLines, isProblem, readLines, type BackfillEntry, type EntrySettings, type LineProblem } from "./backfill-file";
import { formatDuration, Progress, ratePerSecond, type ProgressOutput } from "./progress";
import { publish, type PutEvents } from "./publish";
import { batchSizeFor, rateLimiter, type Clock } from "./rate-limit";

/** How a run ends, as the process's exit code. */
export const EXIT_CODES = {
  /** Every event was sent. */
  sent: 0,
  /** Some were refused after retries, or the run stopped on an error: see the lines named. */
  notAllSent: 1,
  /** Bad arguments or bad lines: nothing was sent. */
  invalid: 2,
  /** Ctrl-C (or SIGTERM): stopped at once, naming the line to resume from (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** The invalid lines listed one by one; a file that is wrong throughout is summed up after these. */
const LISTED_PROBLEMS = 100;

export interface RunDependencies {
  putEvents: PutEvents;
  /** Where the report and the progress go (stdout). */
  out: ProgressOutput;
  clock: Clock;
  /** Names the destination in the report, e.g. `bus default at http://127.0.0.1:3000 (…)`. */
  destination: string;
  random?: () => number;
  signal?: AbortSignal;
}

type Run = Pick<BackfillOptions, "file" | "fromLine" | "skipInvalid" | "rate">;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Every line from `--from-line` on checked; a file that cannot be read is the operator's to fix. */
async function* checked(run: Run, settings: EntrySettings) {
  try {
    yield* checkLines(readLines(run.file), settings, run.fromLine);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : undefined;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") {
      throw new UsageError(
        `--file ${run.file} cannot be read (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : "permission denied"})`,
      );
    }
    throw error;
  }
}

async function* validEntries(run: Run, settings: EntrySettings): AsyncGenerator<BackfillEntry> {
  for await (const line of checked(run, settings)) if (!isProblem(line)) yield line;
}

export async function runBackfill(run: Run, settings: EntrySettings, deps: RunDependencies): Promise<number> {
  const say = (line: string) => deps.out.write(`${line}\n`);
  const from = run.fromLine > 1 ? ` from line ${run.fromLine}` : "";

  let valid = 0;
  let invalid = 0;
  const listed: LineProblem[] = [];
  for await (const line of checked(run, settings)) {
    if (deps.signal?.aborted) {
      say("interrupted while checking the file: nothing was sent");
      return EXIT_CODES.interrupted;
    }
    if (!isProblem(line)) {
      valid += 1;
      continue;
    }
    invalid += 1;
    if (listed.length < LISTED_PROBLEMS) listed.push(line);
  }
  say(`checked ${run.file}${from}: ${plural(valid, "event")} to send, ${plural(invalid, "invalid line")}`);
  for (const problem of listed) say(`  line ${problem.line}: ${problem.reason}`);
  if (invalid > listed.length) say(`  … and ${plural(invalid - listed.length, "more invalid line")}`);
  if (invalid > 0 && !run.skipInvalid) {
    say("nothing was sent: fix these lines, or pass --skip-invalid to send the others");
    return EXIT_CODES.invalid;
  }

  say(`sending to ${deps.destination}${run.rate === undefined ? "" : `, at most ${run.rate} events/s`}`);
  const started = deps.clock.now();
  const progress = new Progress(valid, deps.out, deps.clock.now);
  const report = await publish(validEntries(run, settings), {
    putEvents: deps.putEvents,
    clock: deps.clock,
    pace: rateLimiter(run.rate, deps.clock),
    batchSize: batchSizeFor(run.rate, MAX_ENTRIES),
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    onProgress: ({ sent, refused }) => progress.update(sent + refused),
    onRefused: ({ line, code, message, attempts }) =>
      progress.log(`  line ${line} refused (${plural(attempts, "attempt")}): ${code}: ${message}`),
  });
  progress.finish();

  const elapsed = deps.clock.now() - started;
  say(
    `summary: sent ${report.sent}, refused ${report.refused}, skipped ${invalid}` +
      ` in ${formatDuration(elapsed)} (${Math.round(ratePerSecond(report.sent, elapsed))} events/s)`,
  );
  if (report.stopped) {
    const { fromLine, reason, interrupted } = report.stopped;
    say(`${interrupted ? "interrupted" : `stopped: ${reason}`}; lines from ${fromLine} on were not all sent`);
    say(`resume with --from-line ${fromLine} (the ledger ignores an event it already has)`);
    return interrupted ? EXIT_CODES.interrupted : EXIT_CODES.notAllSent;
  }
  if (report.refused > 0) {
    say("refused lines are listed above; once their cause is fixed, run the file again (the ledger ignores what it already has)");
    return EXIT_CODES.notAllSent;
  }
  return EXIT_CODES.sent;
}
