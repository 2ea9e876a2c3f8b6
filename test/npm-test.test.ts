/**
 * `npm test` itself: it checks the machine's prerequisites before anything starts, and the one
 * DynamoDB Local it shares with the test files is gone however the run ends.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import test, { type ExecutionContext } from "ava";
import { isRunning } from "../local/dynamo-local";
import { chromiumPath } from "./support/chromium";
import { until } from "./support/npm-start";
import { runInGroup } from "./support/process-group";
import { onPath } from "./suite/prerequisites";

const ROOT = path.resolve(__dirname, "..");

/** Runs a TypeScript entry as `npm test` runs its runner (`node --import tsx …`), stopped in teardown. */
function runEntry(t: ExecutionContext, entry: string, args: string[], env: NodeJS.ProcessEnv) {
  return runInGroup(t, process.execPath, ["--import", "tsx", entry, ...args], { cwd: ROOT, env });
}

/** A running process's command line, as one string ("" once it is gone). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** A stand-in the runner failed to stop is stopped here, so that a failing test leaves nothing behind. */
function stopIfLeft(t: ExecutionContext, pid: number): void {
  t.teardown(() => {
    if (pid > 0 && isRunning(pid)) process.kill(pid, "SIGKILL");
  });
}

/** A PATH of one directory holding links to the tools the machine has, except `without`; `java` may be a stand-in script. */
function toolsDir(t: ExecutionContext, without: string, java?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "npm-test-path-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const tool of ["java", "curl", "aws"]) {
    if (tool === without) continue;
    const found = onPath(tool, process.env);
    if (tool === "java" && java !== undefined) {
      writeFileSync(path.join(dir, "java"), java);
      chmodSync(path.join(dir, "java"), 0o755);
    } else if (found) symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

const INSTALLS: Array<[tool: string, named: RegExp]> = [
  ["java", /^npm test: Java 17 or newer \(for DynamoDB Local\) is not on the PATH\. Install it: apt-get install openjdk-17-jre-headless$/],
  ["curl", /^npm test: curl \(for the README's walkthrough\) is not on the PATH\. Install it: apt-get install curl$/],
  ["aws", /^npm test: the AWS CLI \(for the README's walkthrough\) is not on the PATH\. Install it: apt-get install awscli$/],
  [
    "chromium",
    /^npm test: Chromium \(for the API reference page\) is not at \/nonexistent\/chromium \(CHROMIUM_PATH names another browser\)\. Install it: apt-get install chromium$/,
  ],
];

for (const [tool, named] of INSTALLS) {
  test(`without ${tool}, npm test stops before starting anything: one line naming it and the command that installs it`, async (t) => {
    const env = { ...process.env, PATH: toolsDir(t, tool), CHROMIUM_PATH: tool === "chromium" ? "/nonexistent/chromium" : chromiumPath() };
    const run = await runEntry(t, "test/suite/run.ts", [], env).ended;
    t.is(run.code, 1);
    t.is(run.stdout, "");
    t.is(run.stderr.split("\n").filter(Boolean).length, 1, run.stderr);
    t.regex(run.stderr.trim(), named);
  });
}

test("a Java older than 17 is named with its version", async (t) => {
  const java11 = "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n";
  const env = { ...process.env, PATH: toolsDir(t, "none", java11), CHROMIUM_PATH: chromiumPath() };
  const run = await runEntry(t, "test/suite/run.ts", [], env).ended;
  t.is(run.code, 1);
  t.regex(
    run.stderr.trim(),
    /^npm test: Java 17 or newer \(for DynamoDB Local\) is needed, and \S+\/java is Java 11\. Install it: apt-get install openjdk-17-jre-headless$/,
  );
});

/** The shared service's pid (a JVM's, or a stand-in's) and the step's, from what the runner and the step printed. */
function pidsOf(stdout: string) {
  const shared = /shared service (\d+) endpoint (\S+)/.exec(stdout);
  const step = /step pid (\d+) endpoint (\S+)/.exec(stdout);
  return { service: Number(shared?.[1]), endpoint: shared?.[2], step: Number(step?.[1]), stepEndpoint: step?.[2] };
}

const SUITE_WITH = "test/fixtures/suite-with-step.ts";

/**
 * The runner stops its services in one place however a run ends. Each way it can end — a step's
 * exit, a signal, the runner killed — is proven on a real DynamoDB Local once; the other cases of
 * the same way use a stand-in process as the service, which must be gone all the same.
 */
const SERVICE = {
  jvm: { args: [], named: "the shared DynamoDB Local is gone" },
  "stand-in": { args: ["--stand-in"], named: "the shared service (a stand-in process) is gone" },
} as const;

for (const [mode, expected, service] of [
  ["pass", 0, "jvm"],
  ["fail", 3, "stand-in"],
  ["crash", 128 + 11, "stand-in"],
] as const) {
  test(`a step that ${mode === "pass" ? "passes" : mode === "fail" ? "fails" : "crashes"}: the run ends with ${expected}, and ${SERVICE[service].named}`, async (t) => {
    const run = await runEntry(t, SUITE_WITH, [mode, ...SERVICE[service].args], process.env).ended;
    t.is(run.code, expected, run.stdout + run.stderr);
    const { service: pid, endpoint, stepEndpoint } = pidsOf(run.stdout);
    stopIfLeft(t, pid);
    t.true(pid > 0, run.stdout);
    t.is(stepEndpoint, endpoint, "the step was given the shared endpoint");
    if (service === "jvm") t.regex(endpoint ?? "", /^http:\/\/127\.0\.0\.1:\d+$/, "the service proven gone served DynamoDB");
    t.false(isRunning(pid), `${service === "jvm" ? "JVM" : "stand-in"} ${pid} outlived the run`);
  });
}

for (const [signal, expected, service] of [
  ["SIGINT", 130, "stand-in"],
  ["SIGTERM", 143, "jvm"],
] as const) {
  test(`${signal} to the runner: the running step is stopped, the run ends with ${expected}, and ${SERVICE[service].named}`, async (t) => {
    const run = runEntry(t, SUITE_WITH, ["wait", ...SERVICE[service].args], process.env);
    t.true(await until(() => /step pid \d+/.test(run.stdout()), 60_000), run.stdout());
    const { service: pid, step } = pidsOf(run.stdout());
    stopIfLeft(t, pid);
    if (service === "jvm") t.regex(commandLine(pid), /DynamoDBLocal\.jar/, "the service proven gone is a real DynamoDB Local");
    run.child.kill(signal);
    const ended = await run.ended;
    t.is(ended.code, expected, ended.stdout + ended.stderr);
    t.false(isRunning(step), "the step is stopped");
    t.false(isRunning(pid), `${service === "jvm" ? "JVM" : "stand-in"} ${pid} outlived the run`);
  });
}

test("the runner killed outright (SIGKILL, no handler runs): the watchdogs stop the step and the JVM", async (t) => {
  const run = runEntry(t, SUITE_WITH, ["wait"], process.env);
  t.true(await until(() => /step pid \d+/.test(run.stdout()), 60_000), run.stdout());
  const { service: jvm, step } = pidsOf(run.stdout());
  t.regex(commandLine(jvm), /DynamoDBLocal\.jar/, "the service proven gone is a real DynamoDB Local");
  // The step leads a group of its own, out of reach of this file's teardown: stopped here if the watchdog failed.
  t.teardown(() => {
    if (isRunning(step)) process.kill(step, "SIGKILL");
  });
  run.child.kill("SIGKILL");
  t.true(await until(() => !isRunning(step) && !isRunning(jvm), 15_000), `step ${step} or JVM ${jvm} outlived the runner`);
});

test("a step run beside the tests prints its output in one piece, after the name of the step and its verdict", async (t) => {
  const run = await runEntry(t, SUITE_WITH, ["chatty", "slow-lines", "--no-service"], process.env).ended;
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(
    run.stdout,
    /\n── node -e .+: passed ──\nstep pid \d+ endpoint \S+\nbeside 1\nbeside 2\nbeside 3\nbeside 4\nbeside 5\n/,
    "the beside step's lines, together",
  );
  t.regex(run.stdout, /^tests 200$/m, "the tests' step ran to its end");
});

test("a step beside the tests that fails ends the run with its code, and the tests' step is stopped", async (t) => {
  const run = await runEntry(t, SUITE_WITH, ["wait", "fail-later", "--no-service"], process.env).ended;
  t.is(run.code, 5, run.stdout + run.stderr);
  const [testsOutput = "", besideOutput = ""] = run.stdout.split("\n── ");
  t.regex(besideOutput, /^node -e .+: failed \(exit 5\) ──\nstep pid \d+/);
  t.regex(run.stderr, /npm test: node -e .+ failed \(exit 5\): stopping the other steps/);
  const { step } = pidsOf(testsOutput);
  t.true(step > 0, testsOutput);
  t.false(isRunning(step), "the tests' step is stopped");
});
