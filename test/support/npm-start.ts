/**
 * `npm start` as a user runs it, for tests: the real npm, its real process tree, signals sent
 * to the npm process itself. Whatever happens to the test, nothing it started survives it: the
 * tree is stopped in the test's teardown, and a watchdog stops it if the test process dies.
 * A test that only needs a running loop asks `runningLoop`: under `npm test` that is the run's
 * one `npm start` (each file uses customers of its own), otherwise one started for the test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { ExecutionContext } from "ava";
import { isRunning } from "../../local/dynamo-local";
import { watchdogFor } from "../../local/watchdog";
import { SHARED_DYNAMODB_ENDPOINT, SHARED_NPM_START_ENDPOINT } from "./suite-env";

const ROOT = path.resolve(__dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface NpmStart {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves when the output contains `text`; rejects after `timeoutMs` or if npm exits first. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** How npm ended. Output it wrote just before may not have been read yet: see `closed`. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once all of npm's output has been read (its pipes closed by npm and everything that shares them). */
  closed: Promise<void>;
}

/**
 * The environment a user's shell gives a command: the test runner's own, without what the
 * runner sets for the tests alone (so the commands' own handling of it is what is tested).
 */
export function asAUserRunsIt(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _testsOnly, ...shell } = process.env;
  return { ...shell, ...env };
}

export function npmStart(t: ExecutionContext, args: string[] = [], env: NodeJS.ProcessEnv = {}): NpmStart {
  const run = launchNpmStart(args, env);
  t.teardown(() => run.kill());
  return run;
}

/** An `npm start` and how to end it: `stop` asks it to finish (SIGTERM), `kill` does not ask. */
export interface LaunchedNpmStart extends NpmStart {
  /** SIGTERM to the tree, then SIGKILL if it is still there after `graceMs`; resolves once npm has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the tree; resolves once npm has exited. */
  kill(): Promise<void>;
}

/** `npm start` in its own process group, watched so that it dies with this process. */
export function launchNpmStart(args: string[] = [], env: NodeJS.ProcessEnv = {}): LaunchedNpmStart {
  const child = spawn(NPM, ["start", ...args], {
    cwd: ROOT,
    env: asAUserRunsIt({ PORT: "0", ...env }),
    // Its own process group, so that teardown and the watchdog can stop the whole tree.
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("npm did not start");
  const watchdog = watchdogFor(pid, { group: true });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const signalTree = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const kill = async () => {
    signalTree("SIGKILL");
    await exited;
    watchdog.release();
  };
  const stop = async (graceMs = 20_000) => {
    signalTree("SIGTERM");
    const timer = setTimeout(() => signalTree("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    // Whatever is left of the tree goes too.
    signalTree("SIGKILL");
    watchdog.release();
  };

  return {
    child,
    stop,
    kill,
    output: () => output,
    exited,
    closed,
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const found = () => (typeof text === "string" ? output.includes(text) : text.test(output));
        const check = () => {
          if (!found()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`npm start did not print ${String(text)} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`npm start exited before printing ${String(text)}:\n${output}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.removeListener("exit", onExit);
        };
        listeners.add(check);
        child.once("exit", onExit);
        check();
      }),
  };
}

/** Where a started `npm start` listens, from the line it printed. */
export function endpointOf(runtime: NpmStart): { endpoint: string; port: string } {
  const port = /API \+ EventBridge PutEvents\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(runtime.output())?.[1];
  if (!port) throw new Error(`npm start printed no endpoint:\n${runtime.output()}`);
  return { endpoint: `http://127.0.0.1:${port}`, port };
}

/**
 * The environment that puts an `npm start` on the run's DynamoDB Local (or the one given) with a
 * ledger table of its own: a runtime of the test's own without a JVM of its own. Empty for a file
 * run alone, whose runtime then starts its own JVM.
 */
export function onTheRunsDynamo(endpoint = process.env[SHARED_DYNAMODB_ENDPOINT] || undefined): NodeJS.ProcessEnv {
  return endpoint === undefined ? {} : { DYNAMODB_ENDPOINT: endpoint, DYNAMODB_TABLE: `loyalty-ledger-${randomUUID()}` };
}

/**
 * A running loop to talk to: the run's shared `npm start` under `npm test`, or, for a file run
 * alone, one started for this test and stopped in its teardown.
 */
export async function runningLoop(t: ExecutionContext): Promise<{ endpoint: string; port: string }> {
  const shared = process.env[SHARED_NPM_START_ENDPOINT];
  if (shared) return { endpoint: shared, port: new URL(shared).port };
  const runtime = npmStart(t);
  await runtime.waitFor("stops it cleanly");
  return endpointOf(runtime);
}

/** The running DynamoDB Local JVMs whose command line contains `marker` (e.g. a data dir). */
export function jvmsWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (commandLine.includes("DynamoDBLocal.jar") && commandLine.includes(marker) && isRunning(Number(entry))) {
        found.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The parent of a process, from /proc (Linux). */
export function parentOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
}

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes; returns its last answer. */
export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
