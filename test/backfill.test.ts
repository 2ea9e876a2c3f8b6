/**
 * The backfill tool's parts, without a runtime: the file's checks (line numbers and reasons),
 * the arguments, batching and the retry of failed entries (a fake PutEvents, and a local HTTP
 * server answering as EventBridge does for the real client), resuming, the rate limit and the
 * progress display. Time is a fake clock throughout: nothing here waits for real.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { PutEventsRequestEntry, PutEventsResultEntry } from "@aws-sdk/client-eventbridge";
import test, { type ExecutionContext } from "ava";
import { UsageError } from "../cli/usage-error";
import { MAX_REQUEST_ENTRY_BYTES } from "../handlers/domain/put-events-limits";
import { parseBackfillArgs, USAGE } from "../ops/backfill/arguments";
import { checkLine, checkLines, isProblem, readLines, type BackfillEntry, type EntrySettings } from "../ops/backfill/backfill-file";
import { backfillTarget, eventBridgePublisher } from "../ops/backfill/event-bus";
import { formatDuration, Progress } from "../ops/backfill/progress";
import { BACKFILL_RETRY, batches, MAX_ATTEMPTS, publish, type PutEvents } from "../ops/backfill/publish";
import { pauseMs } from "../handlers/runtime/retry";
import { batchSizeFor, rateLimiter, systemClock, type Clock } from "../ops/backfill/rate-limit";
import { EXIT_CODES, runBackfill } from "../ops/backfill/run";

const ROOT = path.resolve(__dirname, "..");
const SETTINGS: EntrySettings = { source: "otrium.ecommerce", eventBusName: "default", earnRules: { EUR: 1, GBP: 1.25 } };

const order = (i: number, extra: Record<string, unknown> = {}) => ({
  "detail-type": "Order Completed",
  detail: {
    orderId: `o-${i}`,
    userId: `u-${i % 3}`,
    total: { amount: 1_000 + i, currency: "EUR" },
    completedAt: "2025-03-01T10:00:00Z",
    ...extra,
  },
});
const refund = (i: number) => ({
  "detail-type": "Order Refunded",
  detail: {
    orderId: `o-${i}`,
    userId: `u-${i % 3}`,
    refundId: `r-${i}`,
    refund: { amount: 500, currency: "EUR" },
    refundedAt: "2025-03-02T10:00:00+01:00",
  },
});

/** Time that moves only when something sleeps. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

function tempFile(t: ExecutionContext, lines: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "backfill-test-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "orders.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

async function* entriesOf(items: BackfillEntry[]): AsyncGenerator<BackfillEntry> {
  yield* items;
}

const entries = (count: number, firstLine = 1): BackfillEntry[] =>
  Array.from({ length: count }, (_, i) => {
    const checked = checkLine(JSON.stringify(order(i)), firstLine + i, SETTINGS);
    if (!checked || isProblem(checked)) throw new Error("a valid order");
    return checked;
  });

const lineOf = (entry: PutEventsRequestEntry): string => (JSON.parse(entry.Detail ?? "{}") as { orderId: string }).orderId;

/** A fake PutEvents: records every request, answers each entry as `answer` says (accepted by default). */
function fakePutEvents(answer: (orderId: string, call: number) => PutEventsResultEntry = () => ({ EventId: "e" })) {
  const calls: string[][] = [];
  const putEvents: PutEvents = async (sent) => {
    calls.push(sent.map(lineOf));
    return sent.map((entry) => answer(lineOf(entry), calls.length));
  };
  return { putEvents, calls };
}

/** What this Node.js's parser says about `text`. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function output() {
  let text = "";
  return {
    out: {
      write: (chunk: string) => {
        text += chunk;
      },
      isTTY: false,
    },
    text: () => text,
  };
}

// The file's checks

test("every bad line is named by its number with the reason; blank lines are skipped but counted", async (t) => {
  const lines = [
    JSON.stringify(order(1)),
    "",
    "{not json",
    JSON.stringify([order(2)]),
    JSON.stringify({ "detail-type": "Order Shipped", detail: order(3).detail }),
    JSON.stringify({ ...order(4), source: "otrium.marketing" }),
    JSON.stringify(order(5, { total: { amount: 12.5, currency: "EUR" }, userId: "has space" })),
    JSON.stringify({ "detail-type": "Order Completed" }),
    JSON.stringify(order(6, { total: { amount: 100, currency: "JPY" } })),
    JSON.stringify({ ...refund(7), detail: { ...refund(7).detail, refund: { amount: 0, currency: "GBP" } } }),
    "   ",
    JSON.stringify(refund(8)),
  ];
  const checked = [];
  for await (const line of checkLines(readLines(tempFile(t, lines)), SETTINGS)) checked.push(line);
  // The parser's own words differ between Node.js versions.
  const problems = checked.filter(isProblem).map((p) => (p.reason.startsWith("not JSON (") ? { ...p, reason: "not JSON (…)" } : p));
  t.deepEqual(problems, [
    { line: 3, reason: "not JSON (…)" },
    { line: 4, reason: 'must be a JSON object with "detail-type" and "detail"' },
    { line: 5, reason: 'detail-type: must be "Order Completed" or "Order Refunded"' },
    { line: 6, reason: `source: unknown key: a line holds only "detail-type" and "detail" (the source is the stack's)` },
    {
      line: 7,
      reason:
        "detail.userId: may only contain letters, digits and _ . : -; detail.total.amount: must be a whole number of minor units (integer, never a float)",
    },
    { line: 8, reason: "detail: is required" },
    { line: 9, reason: "detail.total.currency: no earn rule for JPY in the stack's earnRules (the writer would refuse the event)" },
    { line: 10, reason: "detail.refund.amount: must be at least 1 minor unit" },
  ]);
  t.deepEqual(
    checked.filter((line) => !isProblem(line)).map((line) => line.line),
    [1, 12],
  );
});

test("an entry carries the stack's source and bus, and the detail exactly as the line has it", (t) => {
  const detail = { ...refund(1).detail, channel: "ios", refundedAt: "2025-03-02T10:00:00+01:00" };
  const checked = checkLine(JSON.stringify({ "detail-type": "Order Refunded", detail }), 7, {
    ...SETTINGS,
    source: "otrium.platform",
    eventBusName: "orders",
  });
  t.deepEqual(checked, {
    line: 7,
    entry: { Source: "otrium.platform", DetailType: "Order Refunded", Detail: JSON.stringify(detail), EventBusName: "orders" },
  });
});

test("an entry over PutEvents' size limit is refused before anything is sent", (t) => {
  const base = JSON.stringify(order(1, { note: "" }));
  const fits = checkLine(JSON.stringify(order(1, { note: "x".repeat(MAX_REQUEST_ENTRY_BYTES - base.length) })), 1, SETTINGS);
  t.false(fits === undefined || isProblem(fits), "a large entry within the limit passes");
  const over = checkLine(JSON.stringify(order(1, { note: "x".repeat(MAX_REQUEST_ENTRY_BYTES) })), 2, SETTINGS);
  t.like(over, { line: 2 });
  t.regex(over && isProblem(over) ? over.reason : "", /^the entry is \d+ bytes, over EventBridge's limit of 1048576 bytes$/);
});

test("lines are read with Windows line ends and a byte order mark", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "backfill-test-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "orders.jsonl");
  writeFileSync(file, `\uFEFF${JSON.stringify(order(1))}\r\n${JSON.stringify(order(2))}\r\n`);
  const lines = [];
  for await (const line of checkLines(readLines(file), SETTINGS)) lines.push(line);
  t.deepEqual(
    lines.map((line) => (isProblem(line) ? line.reason : line.line)),
    [1, 2],
  );
});

// Arguments

test("arguments: the defaults, and every option", (t) => {
  t.deepEqual(parseBackfillArgs(["--file", "orders.jsonl"], {}), { file: "orders.jsonl", stack: "dev", fromLine: 1, skipInvalid: false });
  t.deepEqual(
    parseBackfillArgs(
      [
        "--file=o.jsonl",
        "--stack",
        "prod",
        "--endpoint",
        "http://127.0.0.1:3000",
        "--bus",
        "arn:aws:events:eu-west-1:444455556666:event-bus/orders",
        "--rate",
        "12.5",
        "--from-line",
        "1201",
        "--skip-invalid",
      ],
      {},
    ),
    {
      file: "o.jsonl",
      stack: "prod",
      endpoint: "http://127.0.0.1:3000",
      bus: "arn:aws:events:eu-west-1:444455556666:event-bus/orders",
      rate: 12.5,
      fromLine: 1201,
      skipInvalid: true,
    },
  );
  t.is(parseBackfillArgs(["--help"], {}), "help");
  t.is(parseBackfillArgs(["-h", "--rate", "x"], {}), "help");
});

test("arguments: every mistake is named by its flag, all at once", (t) => {
  const problems = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    t.throws(() => parseBackfillArgs(args, env), { instanceOf: UsageError })?.message.split("\n");
  t.deepEqual(problems([]), ["--file is required"]);
  t.deepEqual(problems(["--file"]), ["--file needs a value"]);
  t.deepEqual(problems(["--file", "--rate", "5"]), [
    "--file needs a value",
    'unexpected argument "5" (every value follows its option, e.g. --file <path>)',
  ]);
  t.deepEqual(
    problems(["--file", "a", "--rate", "0", "--from-line", "1.5", "--endpoint", "127.0.0.1:3000", "--bus", "no spaces", "--stack", "../x"]),
    [
      '--rate must be a number of events per second above 0 (found "0")',
      '--from-line must be a line number, 1 or more (found "1.5")',
      '--endpoint must be an http(s) URL like http://127.0.0.1:3000 (found "127.0.0.1:3000")',
      '--bus must be an event bus name or ARN (found "no spaces")',
      '--stack must be a stack name like dev or prod (found "../x")',
    ],
  );
  t.deepEqual(problems(["--file", "a", "--fast", "--skip-invalid=yes", "--file", "b", "orders.jsonl"]), [
    "unknown option --fast",
    '--skip-invalid takes no value (found "yes")',
    "--file is given twice",
    'unexpected argument "orders.jsonl" (every value follows its option, e.g. --file <path>)',
  ]);
  t.deepEqual(problems(["orders.jsonl"], { npm_config_file: "true", npm_config_skip_invalid: "true" }), [
    "npm run backfill takes its options after `--` (npm kept --file, --skip-invalid for itself): npm run backfill -- --file <orders.jsonl>",
  ]);
});

test("the command: a usage mistake is one line naming the flag, the usage line, exit code 2", async (t) => {
  const run = promisify(execFile)(process.execPath, ["--import=tsx", "ops/backfill/cli.ts", "--file", "orders.jsonl", "--rate", "fast"], {
    cwd: ROOT,
  });
  const error = await t.throwsAsync(run);
  t.like(error, {
    code: EXIT_CODES.invalid,
    stdout: "",
    stderr: `--rate must be a number of events per second above 0 (found "fast")\n${USAGE}\n`,
  });
});

test("the stack's config gives the source, bus, region and earn rules; --bus and its ARN's region win", (t) => {
  t.like(backfillTarget({ stack: "prod" }), {
    source: "otrium.ecommerce",
    eventBusName: "default",
    region: "eu-west-1",
    earnRules: { EUR: 1, GBP: 1.25, SEK: 0.1 },
  });
  t.like(backfillTarget({ stack: "dev", bus: "arn:aws:events:us-east-1:444455556666:event-bus/orders" }), {
    eventBusName: "arn:aws:events:us-east-1:444455556666:event-bus/orders",
    region: "us-east-1",
  });
  t.throws(() => backfillTarget({ stack: "staging" }), {
    instanceOf: UsageError,
    message: "--stack staging: there is no Pulumi.staging.yaml",
  });
});

// Batching and retries

test("batches: at most 10 entries, and never more than PutEvents' total size per request", async (t) => {
  const sizes: number[] = [];
  for await (const batch of batches(entriesOf(entries(25)))) sizes.push(batch.length);
  t.deepEqual(sizes, [10, 10, 5]);

  const big = (line: number): BackfillEntry => ({
    line,
    entry: { Source: "s", DetailType: "d", Detail: JSON.stringify({ pad: "x".repeat(MAX_REQUEST_ENTRY_BYTES / 3) }) },
  });
  const bigSizes: number[] = [];
  for await (const batch of batches(entriesOf([1, 2, 3, 4, 5].map(big)))) bigSizes.push(batch.length);
  t.deepEqual(bigSizes, [2, 2, 1]);
});

test("entries PutEvents fails for a passing reason are sent again, alone, after a backoff; the rest are not repeated", async (t) => {
  const clock = fakeClock();
  const flaky = new Map([
    ["o-3", 2],
    ["o-7", 1],
    ["o-12", 3],
  ]); // failures before success
  const { putEvents, calls } = fakePutEvents((orderId) => {
    const left = flaky.get(orderId) ?? 0;
    if (left === 0) return { EventId: `id-${orderId}` };
    flaky.set(orderId, left - 1);
    return orderId === "o-7"
      ? { ErrorCode: "InternalFailure", ErrorMessage: "Internal Failure" }
      : { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" };
  });
  const progress: number[] = [];
  const report = await publish(entriesOf(entries(15)), {
    putEvents,
    clock,
    random: () => 0.5,
    onProgress: ({ sent }) => progress.push(sent),
  });
  t.deepEqual(report, { sent: 15, refused: 0 });
  t.deepEqual(calls, [
    ["o-0", "o-1", "o-2", "o-3", "o-4", "o-5", "o-6", "o-7", "o-8", "o-9"],
    ["o-3", "o-7"],
    ["o-3"],
    ["o-10", "o-11", "o-12", "o-13", "o-14"],
    ["o-12"],
    ["o-12"],
    ["o-12"],
  ]);
  t.deepEqual(clock.sleeps, [
    pauseMs(BACKFILL_RETRY, 1, () => 0.5),
    pauseMs(BACKFILL_RETRY, 2, () => 0.5),
    pauseMs(BACKFILL_RETRY, 1, () => 0.5),
    pauseMs(BACKFILL_RETRY, 2, () => 0.5),
    pauseMs(BACKFILL_RETRY, 3, () => 0.5),
  ]);
  t.deepEqual(clock.sleeps, [100, 200, 100, 200, 400], "half of 200 ms doubling each retry");
  t.deepEqual(progress, [10, 15], "progress once per settled batch");
});

test("backoff grows exponentially with full jitter, capped at 10 s", (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => pauseMs(BACKFILL_RETRY, retry, () => 0.999999)),
    [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000],
  );
  t.is(
    pauseMs(BACKFILL_RETRY, 5, () => 0),
    0,
  );
});

test("an entry refused for good is not retried; one that keeps failing is refused after the last attempt", async (t) => {
  const clock = fakeClock();
  const { putEvents, calls } = fakePutEvents((orderId) =>
    orderId === "o-1"
      ? { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." }
      : orderId === "o-2"
        ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }
        : { EventId: "e" },
  );
  const refusals: unknown[] = [];
  const report = await publish(entriesOf(entries(3, 41)), { putEvents, clock, onRefused: (refusal) => refusals.push(refusal) });
  t.deepEqual(report, { sent: 1, refused: 2 });
  t.is(calls.length, MAX_ATTEMPTS);
  t.deepEqual(
    calls.slice(1),
    Array.from({ length: MAX_ATTEMPTS - 1 }, () => ["o-2"]),
  );
  t.deepEqual(refusals, [
    { line: 42, code: "MalformedDetail", message: "Detail is malformed.", attempts: 1 },
    { line: 43, code: "ThrottlingException", message: "Rate exceeded", attempts: MAX_ATTEMPTS },
  ]);
});

test("the real client against an HTTP server answering as EventBridge: FailedEntryCount entries are retried", async (t) => {
  const requests: Array<{ target: string | undefined; sources: string[]; orderIds: string[] }> = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const { Entries } = JSON.parse(body) as { Entries: Array<{ Source: string; Detail: string }> };
      const orderIds = Entries.map((entry) => (JSON.parse(entry.Detail) as { orderId: string }).orderId);
      requests.push({ target: request.headers["x-amz-target"]?.toString(), sources: Entries.map((entry) => entry.Source), orderIds });
      // The first request fails its even orders; later ones take everything.
      const results = orderIds.map((id, i) =>
        requests.length === 1 && i % 2 === 0
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }
          : { EventId: `evt-${id}` },
      );
      response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const target = backfillTarget({ stack: "dev", endpoint });
  const publisher = eventBridgePublisher(target);
  t.teardown(() => publisher.close());
  const file = tempFile(
    t,
    [0, 1, 2, 3].map((i) => JSON.stringify(order(i))),
  );
  const { out, text } = output();
  const code = await runBackfill({ file, fromLine: 1, skipInvalid: false }, target, {
    putEvents: publisher.putEvents,
    out,
    clock: fakeClock(),
    destination: "a fake EventBridge",
  });
  t.is(code, EXIT_CODES.sent, text());
  t.deepEqual(
    requests.map((request) => request.orderIds),
    [
      ["o-0", "o-1", "o-2", "o-3"],
      ["o-0", "o-2"],
    ],
  );
  t.true(
    requests.every(
      (request) => request.target === "AWSEvents.PutEvents" && request.sources.every((source) => source === "otrium.ecommerce"),
    ),
  );
  t.regex(text(), /summary: sent 4, refused 0, skipped 0 in /);
});

// Whole runs: validation, refusals, resuming

test("a bad line stops the run before anything is sent; --skip-invalid sends the others and counts them skipped", async (t) => {
  const file = tempFile(t, [
    JSON.stringify(order(1)),
    "oops",
    JSON.stringify(order(2)),
    JSON.stringify(order(3, { completedAt: "2025-02-30T10:00:00Z" })),
  ]);
  const strict = fakePutEvents();
  const first = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, {
      putEvents: strict.putEvents,
      out: first.out,
      clock: fakeClock(),
      destination: "bus",
    }),
    EXIT_CODES.invalid,
  );
  t.deepEqual(strict.calls, [], "nothing was sent");
  t.deepEqual(first.text().split("\n"), [
    `checked ${file}: 2 events to send, 2 invalid lines`,
    `  line 2: not JSON (${jsonError("oops")})`,
    "  line 4: detail.completedAt: must be a real date and time: has no day 30: 2025-02 has 28 days",
    "nothing was sent: fix these lines, or pass --skip-invalid to send the others",
    "",
  ]);

  const skipping = fakePutEvents();
  const second = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: true }, SETTINGS, {
      putEvents: skipping.putEvents,
      out: second.out,
      clock: fakeClock(),
      destination: "bus",
    }),
    EXIT_CODES.sent,
  );
  t.deepEqual(skipping.calls, [["o-1", "o-2"]]);
  t.regex(second.text(), /^summary: sent 2, refused 0, skipped 2 in 0 s \(0 events\/s\)$/m);
});

test("a file that is wrong throughout lists its first 100 bad lines and counts the rest", async (t) => {
  const file = tempFile(
    t,
    Array.from({ length: 105 }, () => "{}"),
  );
  const { putEvents } = fakePutEvents();
  const { out, text } = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, { putEvents, out, clock: fakeClock(), destination: "bus" }),
    EXIT_CODES.invalid,
  );
  const lines = text().split("\n");
  t.is(lines[0], `checked ${file}: 0 events to send, 105 invalid lines`);
  t.is(lines[100], '  line 100: detail-type: must be "Order Completed" or "Order Refunded"');
  t.is(lines[101], "  … and 5 more invalid lines");
});

test("refused entries are listed by line and the run exits 1", async (t) => {
  const file = tempFile(
    t,
    [1, 2, 3].map((i) => JSON.stringify(order(i))),
  );
  const { putEvents } = fakePutEvents((orderId) =>
    orderId === "o-2" ? { ErrorCode: "AccessDeniedException", ErrorMessage: "not allowed" } : { EventId: "e" },
  );
  const { out, text } = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, { putEvents, out, clock: fakeClock(), destination: "bus" }),
    EXIT_CODES.notAllSent,
  );
  t.regex(text(), /^ {2}line 2 refused \(1 attempt\): AccessDeniedException: not allowed$/m);
  t.regex(text(), /^summary: sent 2, refused 1, skipped 0 /m);
});

test("a run that stops names the line to resume from; --from-line resumes there and the two runs cover every line", async (t) => {
  const file = tempFile(
    t,
    Array.from({ length: 35 }, (_, i) => JSON.stringify(order(i + 1))),
  );
  let requests = 0;
  const sent: string[] = [];
  const failingThird: PutEvents = async (batch) => {
    requests += 1;
    if (requests === 3) throw new Error("connect ECONNREFUSED 127.0.0.1:3000");
    sent.push(...batch.map(lineOf));
    return batch.map(() => ({ EventId: "e" }));
  };
  const first = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, {
      putEvents: failingThird,
      out: first.out,
      clock: fakeClock(),
      destination: "bus",
    }),
    EXIT_CODES.notAllSent,
  );
  t.regex(first.text(), /^summary: sent 20, refused 0, skipped 0 /m);
  t.regex(first.text(), /^stopped: Error: connect ECONNREFUSED 127\.0\.0\.1:3000; lines from 21 on were not all sent$/m);
  t.regex(first.text(), /^resume with --from-line 21 \(the ledger ignores an event it already has\)$/m);

  const resumed = fakePutEvents();
  const second = output();
  t.is(
    await runBackfill({ file, fromLine: 21, skipInvalid: false }, SETTINGS, {
      putEvents: resumed.putEvents,
      out: second.out,
      clock: fakeClock(),
      destination: "bus",
    }),
    EXIT_CODES.sent,
  );
  t.regex(second.text(), /^checked .* from line 21: 15 events to send, 0 invalid lines$/m);
  t.deepEqual(resumed.calls.flat()[0], "o-21");
  t.deepEqual(
    [...sent, ...resumed.calls.flat()],
    Array.from({ length: 35 }, (_, i) => `o-${i + 1}`),
  );
});

test("--from-line also leaves the lines before it unchecked: a bad one there does not block the resume", async (t) => {
  const file = tempFile(t, ["oops", JSON.stringify(order(2)), JSON.stringify(order(3))]);
  const { putEvents, calls } = fakePutEvents();
  const { out } = output();
  t.is(
    await runBackfill({ file, fromLine: 3, skipInvalid: false }, SETTINGS, { putEvents, out, clock: fakeClock(), destination: "bus" }),
    EXIT_CODES.sent,
  );
  t.deepEqual(calls, [["o-3"]]);
});

test("Ctrl-C between requests stops before the next one, exit 130, naming the line to resume from", async (t) => {
  const file = tempFile(
    t,
    Array.from({ length: 30 }, (_, i) => JSON.stringify(order(i + 1))),
  );
  const interrupt = new AbortController();
  const { putEvents, calls } = fakePutEvents((_, call) => {
    if (call === 2) interrupt.abort();
    return { EventId: "e" };
  });
  const { out, text } = output();
  const code = await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, {
    putEvents,
    out,
    clock: fakeClock(),
    destination: "bus",
    signal: interrupt.signal,
  });
  t.is(code, EXIT_CODES.interrupted);
  t.is(calls.length, 2, "no request began after it");
  t.regex(text(), /^summary: sent 20, refused 0, skipped 0 /m);
  t.regex(text(), /^interrupted; lines from 21 on were not all sent\nresume with --from-line 21 /m);
});

test("Ctrl-C abandons the request in flight and the backoff: the batch's first line is where to resume", async (t) => {
  const interrupt = new AbortController();
  // The second request (lines 111–120) never answers until it is abandoned.
  const putEvents: PutEvents = async (batch, signal) => {
    if (batch[0] && lineOf(batch[0]) === "o-10") {
      const abandoned = new Promise<never>((_resolve, reject) =>
        signal?.addEventListener("abort", () => reject(new Error("Request aborted")), { once: true }),
      );
      interrupt.abort();
      return abandoned;
    }
    return batch.map(() => ({ EventId: "e" }));
  };
  const inFlight = publish(entriesOf(entries(25, 101)), { putEvents, clock: fakeClock(), signal: interrupt.signal });
  t.deepEqual(await inFlight, { sent: 10, refused: 0, stopped: { fromLine: 111, reason: "interrupted", interrupted: true } });

  const waiting = new AbortController();
  const sleeping = systemClock.sleep(600_000, waiting.signal);
  waiting.abort();
  await sleeping;
  t.pass("a backoff or a rate wait ends when the run is interrupted");
});

test("Ctrl-C while the file is being checked: nothing is sent", async (t) => {
  const file = tempFile(t, [JSON.stringify(order(1))]);
  const interrupt = new AbortController();
  interrupt.abort();
  const { putEvents, calls } = fakePutEvents();
  const { out, text } = output();
  t.is(
    await runBackfill({ file, fromLine: 1, skipInvalid: false }, SETTINGS, {
      putEvents,
      out,
      clock: fakeClock(),
      destination: "bus",
      signal: interrupt.signal,
    }),
    EXIT_CODES.interrupted,
  );
  t.deepEqual(calls, []);
  t.is(text(), "interrupted while checking the file: nothing was sent\n");
});

// The rate limit

test("--rate spaces the requests so that events go out at that rate on average, never in a burst after a pause", async (t) => {
  const clock = fakeClock();
  const startedAt: number[] = [];
  const putEvents: PutEvents = async (batch) => {
    startedAt.push(clock.now());
    return batch.map(() => ({ EventId: "e" }));
  };
  const report = await publish(entriesOf(entries(100)), {
    putEvents,
    clock,
    pace: rateLimiter(20, clock),
    batchSize: batchSizeFor(20, 10),
  });
  t.is(report.sent, 100);
  t.deepEqual(startedAt, [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500], "10 events every half second: 20 per second");

  const pace = rateLimiter(4, clock);
  const at: number[] = [];
  for (const events of [2, 2, 2]) {
    await pace(events);
    at.push(clock.now());
  }
  await clock.sleep(10_000); // idle: no credit builds up
  await pace(2);
  at.push(clock.now());
  await pace(2);
  at.push(clock.now());
  t.deepEqual(
    at.map((ms) => ms - (at[0] ?? 0)),
    [0, 500, 1000, 11_000, 11_500],
  );
});

test("under a slow rate, requests hold one second's worth of events at most", (t) => {
  t.is(batchSizeFor(undefined, 10), 10);
  t.is(batchSizeFor(250, 10), 10);
  t.is(batchSizeFor(4.5, 10), 4);
  t.is(batchSizeFor(0.5, 10), 1);
});

test("retries count against the rate as well", async (t) => {
  const clock = fakeClock();
  let first = true;
  const putEvents: PutEvents = async (batch) =>
    batch.map(() => {
      const answer = first ? { ErrorCode: "ThrottlingException" } : { EventId: "e" };
      first = false;
      return answer;
    });
  const paced: number[] = [];
  await publish(entriesOf(entries(3)), { putEvents, clock, random: () => 0, pace: async (events) => void paced.push(events) });
  t.deepEqual(paced, [3, 1]);
});

// Progress

test("progress: plain lines at each tenth when not on a terminal, with rate and time left", (t) => {
  const clock = fakeClock();
  const { out, text } = output();
  const progress = new Progress(200, out, clock.now);
  for (let done = 10; done <= 200; done += 10) {
    void clock.sleep(100);
    progress.update(done);
  }
  progress.finish();
  const lines = text().trimEnd().split("\n");
  t.is(lines.length, 10);
  t.is(lines[0], "progress: 20/200 (10%), 100 events/s, 2 s left");
  t.is(lines[4], "progress: 100/200 (50%), 100 events/s, 1 s left");
  t.is(lines[9], "progress: 200/200 (100%), 100 events/s, done");
});

test("progress: on a terminal, one line redrawn at most every 100 ms, cleared for a message and drawn again", (t) => {
  const clock = fakeClock();
  let text = "";
  const progress = new Progress(
    1000,
    {
      write: (chunk) => {
        text += chunk;
      },
      isTTY: true,
    },
    clock.now,
  );
  void clock.sleep(1000);
  progress.update(100);
  progress.update(110); // within 100 ms of the last draw: not drawn
  t.is(text, "\r\x1b[K[██░░░░░░░░░░░░░░░░░░░░░░] 100/1000 (10%), 100 events/s, 9 s left");
  text = "";
  progress.log("  line 7 refused (1 attempt): AccessDeniedException: no");
  t.is(
    text,
    "\r\x1b[K  line 7 refused (1 attempt): AccessDeniedException: no\n\r\x1b[K[██░░░░░░░░░░░░░░░░░░░░░░] 110/1000 (11%), 110 events/s, 8 s left",
  );
  text = "";
  void clock.sleep(100);
  progress.update(1000);
  progress.finish();
  t.is(text, "\r\x1b[K[████████████████████████] 1000/1000 (100%), 909 events/s, done\n");
});

test("durations read as a person would say them", (t) => {
  t.deepEqual([0, 4_400, 59_600, 125_000, 3_600_000 + 120_000].map(formatDuration), [
    "0 s",
    "4 s",
    "1 min 00 s",
    "2 min 05 s",
    "1 h 02 min",
  ]);
});
