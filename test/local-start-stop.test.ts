/**
 * Starting and stopping `npm start` the way people and machines do: signals to the npm process
 * itself (systemd, Docker and CI runners send SIGTERM there), Ctrl-C to the whole terminal
 * group, a signal in the middle of start-up, the runtime killed outright, DynamoDB Local dying
 * under it, and the mistakes a user makes starting it. Whatever happens, no JVM is left behind.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import test, { type ExecutionContext } from "ava";
import { required } from "../harness/required";
import { freePort, isRunning, LOCAL_AWS, startDynamoLocal } from "../local/dynamo-local";
import { sharedDynamoEndpoint } from "./support/dynamo-local-per-file";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { endpointOf, jvmsWith, npmStart, parentOf, until } from "./support/npm-start";

const BANNER_END = "stops it cleanly";

/** A data directory of the test's own: it appears in the JVM's command line, so we find it. */
function dataDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), "loyalty-start-stop-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stack trace's frames: a user's mistake must be answered without one. */
const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;

test.serial("SIGTERM to the npm process: npm exits 0, and the runtime and its JVM are gone", async (t) => {
  const dir = dataDir(t);
  const run = npmStart(t, ["--", "--data-dir", dir]);
  await run.waitFor(BANNER_END);
  const [jvm] = jvmsWith(dir);
  t.truthy(jvm, "DynamoDB Local runs with the data directory");
  t.regex(run.output(), new RegExp(`\\(pid ${jvm}\\)`), "the banner names the JVM");
  t.notRegex(run.output(), /NodeVersionSupportWarning/, "the SDK's own warning is silenced…");
  if (Number(process.versions.node.split(".")[0]) < 22) {
    t.is(run.output().match(/AWS SDK releases after early January 2027 need Node\.js 22/g)?.length, 1, "…and said once, in the banner");
  }
  t.true(
    readFileSync(`/proc/${jvm}/environ`, "utf8").split("\0").includes("DDB_LOCAL_TELEMETRY=0"),
    "DynamoDB Local is told to send no telemetry",
  );
  const runtime = parentOf(jvm ?? 0);

  process.kill(run.child.pid ?? 0, "SIGTERM");
  t.deepEqual(await run.exited, { code: 0, signal: null }, run.output());
  t.regex(run.output(), /SIGTERM: finishing in-flight batches, then stopping/);
  t.deepEqual(jvmsWith(dir), [], "no JVM left");
  t.false(isRunning(runtime), `the runtime (pid ${runtime}) is gone`);
});

test.serial("Ctrl-C in a terminal (SIGINT to the whole group): exit 0, no JVM left", async (t) => {
  const dir = dataDir(t);
  const run = npmStart(t, ["--", "--data-dir", dir]);
  await run.waitFor(BANNER_END);
  t.is(jvmsWith(dir).length, 1);

  process.kill(-(run.child.pid ?? 0), "SIGINT");
  t.deepEqual(await run.exited, { code: 0, signal: null }, run.output());
  t.deepEqual(jvmsWith(dir), []);
});

test.serial("a signal during start-up stops what has started: exit 0, no JVM left", async (t) => {
  const dir = dataDir(t);
  const run = npmStart(t, ["--", "--data-dir", dir]);
  // The JVM is up as a process but DynamoDB Local is not serving yet: the runtime is starting.
  t.true(await until(() => jvmsWith(dir).length === 1, 60_000), run.output());
  t.false(run.output().includes(BANNER_END), "still starting");

  process.kill(run.child.pid ?? 0, "SIGTERM");
  t.deepEqual(await run.exited, { code: 0, signal: null }, run.output());
  t.regex(run.output(), /SIGTERM during start-up: stopping what has started/);
  t.deepEqual(jvmsWith(dir), []);
});

test.serial("the runtime killed outright (SIGKILL, no handler runs): its JVM still goes", async (t) => {
  const dir = dataDir(t);
  const run = npmStart(t, ["--", "--data-dir", dir]);
  await run.waitFor(BANNER_END);
  const [jvm] = jvmsWith(dir);
  const runtime = parentOf(jvm ?? 0);

  process.kill(runtime, "SIGKILL");
  t.true(await until(() => jvmsWith(dir).length === 0, 10_000), `JVM ${jvm} outlived its runtime`);
});

/** The processes whose parent is `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parentOf(Number(entry)) === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

test.serial("DynamoDB Local dying under the runtime: one line saying so, everything stopped, exit 1", async (t) => {
  const dir = dataDir(t);
  const run = npmStart(t, ["--", "--data-dir", dir]);
  await run.waitFor(BANNER_END);
  // The pid the banner reports is the JVM's.
  const jvm = Number(/DynamoDB Local .*\(pid (\d+)\)/.exec(run.output())?.[1]);
  t.deepEqual(jvmsWith(dir), [jvm]);
  const runtime = parentOf(jvm);
  const children = childrenOf(runtime);
  t.true(children.length > 1, "the JVM and its watchdog, at least");
  const before = run.output().length;

  process.kill(jvm, "SIGKILL");
  t.deepEqual(await run.exited, { code: 1, signal: null }, run.output());
  const after = run.output().slice(before);
  t.deepEqual(
    after.split("\n").filter((line) => /DynamoDB Local/.test(line)),
    [`local runtime: DynamoDB Local (pid ${jvm}) exited, killed by SIGKILL: stopping the runtime`],
    after,
  );
  t.notRegex(after, STACK_FRAME, "no stack trace");
  t.false(isRunning(runtime), `the runtime (pid ${runtime}) is gone`);
  t.deepEqual(children.filter(isRunning), [], "nothing the runtime started is left");
  t.deepEqual(jvmsWith(dir), []);
});

test.serial("a port in use: one line naming it and what to do, exit 1, nothing left running", async (t) => {
  const dir = dataDir(t);
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.teardown(() => holder.close());
  const address = holder.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const run = npmStart(t, ["--", "--data-dir", dir], { PORT: String(port) });
  const { code } = await run.exited;
  t.is(code, 1);
  t.regex(run.output(), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*PORT=3001 npm start`));
  t.notRegex(run.output(), STACK_FRAME);
  t.deepEqual(jvmsWith(dir), [], "the JVM started before the port was tried is stopped");
});

/** Every process under `pid`, from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return [...children, ...children.flatMap(descendantsOf)];
}

const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return ""; // ended while we looked
  }
};

test.serial(
  "DYNAMODB_ENDPOINT: npm start uses that DynamoDB Local with DYNAMODB_TABLE, starts no JVM, and leaves it serving",
  async (t) => {
    // The run's DynamoDB Local under `npm test`; alone, one started here for the test.
    const shared = sharedDynamoEndpoint();
    const own = shared === undefined ? await startDynamoLocal() : undefined;
    t.teardown(async () => {
      await own?.stop();
      assertNoJvmLeft();
    });
    const endpoint = shared ?? required(own, "the test's DynamoDB Local").endpoint;
    const tableName = `loyalty-ledger-${randomUUID()}`;
    const run = npmStart(t, [], { DYNAMODB_ENDPOINT: `${endpoint}/`, DYNAMODB_TABLE: tableName });
    await run.waitFor(BANNER_END);
    t.regex(
      run.output(),
      new RegExp(`DynamoDB Local +${endpoint} +table ${tableName} +\\(DYNAMODB_ENDPOINT's: not started, nor stopped, by this runtime\\)`),
    );
    const npm = run.child.pid ?? 0;
    t.deepEqual(
      descendantsOf(npm).filter((pid) => commandLineOf(pid).includes("DynamoDBLocal.jar")),
      [],
      "no JVM of its own",
    );
    const answer = await fetch(`${endpointOf(run).endpoint}/admin/points/u-given/adjustments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ adjustmentId: "given-1", points: 5, reason: "On the given DynamoDB Local" }),
    });
    t.is(answer.status, 201, await answer.text());

    process.kill(npm, "SIGTERM");
    t.deepEqual(await run.exited, { code: 0, signal: null }, run.output());
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
    t.teardown(() => client.destroy());
    const { Count } = await client.send(new ScanCommand({ TableName: tableName, Select: "COUNT" }));
    t.true((Count ?? 0) > 0, "the ledger's entries are in the named table of the given DynamoDB Local, which still serves");
  },
);

test("a DYNAMODB_ENDPOINT that does not answer: one line naming it, exit 1, no stack trace", async (t) => {
  const port = await freePort();
  const run = npmStart(t, [], { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
  const { code } = await run.exited;
  await run.closed;
  t.is(code, 1, run.output());
  t.regex(
    run.output(),
    new RegExp(
      `DynamoDB Local at http://127\\.0\\.0\\.1:${port} \\(DYNAMODB_ENDPOINT\\) does not answer \\(.+\\)\\. Start it, or unset DYNAMODB_ENDPOINT`,
    ),
  );
  t.notRegex(run.output(), STACK_FRAME);
});

for (const [title, args, env, expected] of [
  ["a PORT that is not a port", [], { PORT: "http" }, /PORT must be a whole number from 0 to 65535 \(found "http"\)/],
  ["a PORT out of range", [], { PORT: "70000" }, /PORT must be a whole number from 0 to 65535 \(found "70000"\)/],
  [
    "options before `--` (npm would swallow them)",
    ["--data-dir", "kept"],
    {},
    /npm start takes its options after `--`: npm start -- --data-dir <dir>/,
  ],
  ["the `--data-dir=dir` form before `--`", ["--data-dir=kept"], {}, /npm start takes its options after `--`/],
  ["an unknown option", ["--", "--verbose"], {}, /Unknown option '--verbose'/],
  [
    "a POINTS_LIFECYCLE that is not JSON",
    [],
    { POINTS_LIFECYCLE: "30 days" },
    /POINTS_LIFECYCLE: must be JSON like \{"pendingDays": 30, "expiryDays": 365\}/,
  ],
  [
    "a POINTS_LIFECYCLE out of range",
    [],
    { POINTS_LIFECYCLE: '{"pendingDays":400,"expiryDays":0}' },
    /POINTS_LIFECYCLE\.pendingDays: must be at most 365/,
  ],
  [
    "a TIERS whose levels are out of order",
    [],
    { TIERS: '{"levels":[{"name":"Member","threshold":0},{"name":"Gold","threshold":50},{"name":"Silver","threshold":20}]}' },
    /TIERS\.levels: must be in ascending order of threshold, no two alike/,
  ],
  [
    "a DYNAMODB_ENDPOINT that is no URL",
    [],
    { DYNAMODB_ENDPOINT: "127.0.0.1:8000" },
    /DYNAMODB_ENDPOINT must be a URL like http:\/\/127\.0\.0\.1:8000 \(found "127\.0\.0\.1:8000"\)/,
  ],
  [
    "a DYNAMODB_TABLE that DynamoDB would refuse",
    [],
    { DYNAMODB_TABLE: "my ledger" },
    /DYNAMODB_TABLE must be 3 to 255 letters, digits, '_', '-' or '\.' \(found "my ledger"\)/,
  ],
  [
    "an EXPIRING_SOON_DAYS that is no number of days",
    [],
    { EXPIRING_SOON_DAYS: "a month" },
    /EXPIRING_SOON_DAYS: must be a whole number of days/,
  ],
] as const) {
  test(`${title}: one line and the usage, exit 2, no stack trace`, async (t) => {
    const run = npmStart(t, [...args], env);
    const { code } = await run.exited;
    await run.closed;
    t.is(code, 2, run.output());
    t.regex(run.output(), expected);
    t.regex(run.output(), /usage: npm start \[-- --data-dir <dir>\]/);
    t.notRegex(run.output(), STACK_FRAME);
  });
}

test("a usage error is answered from the argument check alone: neither the runtime nor the AWS SDK is loaded", async (t) => {
  // Lists, as the process exits, every module it loaded (node's CommonJS cache, where tsx puts the project's files too).
  const reportLoaded =
    'data:text/javascript,import { createRequire } from "node:module";' +
    'const loaded = createRequire(process.cwd() + "/").cache;' +
    'process.on("exit", () => console.error("loaded: " + Object.keys(loaded).join(" ")));';
  const error = await t.throwsAsync(
    promisify(execFile)(process.execPath, ["--import=tsx", `--import=${reportLoaded}`, "local/index.ts"], {
      cwd: path.resolve(__dirname, ".."),
      env: { ...process.env, PORT: "http" },
    }),
  );
  const failed = error as Error & { code?: number; stderr?: string };
  t.is(failed.code, 2, failed.stderr);
  const loaded = /^loaded: (.*)$/m.exec(failed.stderr ?? "")?.[1]?.split(" ") ?? [];
  t.true(
    loaded.some((file) => file.endsWith(path.join("local", "cli-input.ts"))),
    `the report sees the argument check: ${loaded.join(" ")}`,
  );
  const needless = loaded.filter((file) => file.endsWith(path.join("local", "runtime.ts")) || file.includes("@aws-sdk"));
  t.deepEqual(needless, [], "loaded only to print a usage error");
});

test("without a Java runtime, npm start says what to install and exits 1", async (t) => {
  // A PATH that has node but no java.
  const bin = mkdtempSync(path.join(tmpdir(), "loyalty-no-java-"));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(process.execPath, path.join(bin, "node"));
  const error = await t.throwsAsync(
    promisify(execFile)(process.execPath, ["--import=tsx", "local/index.ts"], {
      cwd: path.resolve(__dirname, ".."),
      env: { ...process.env, PATH: bin, PORT: "0" },
    }),
  );
  const failed = error as Error & { code?: number; stderr?: string };
  t.is(failed.code, 1);
  t.regex(failed.stderr ?? "", /DynamoDB Local needs a Java runtime \(17 or newer\).*apt-get install openjdk-17-jre-headless/s);
  t.notRegex(failed.stderr ?? "", STACK_FRAME);
});
