/**
 * What the suite's runner starts once and the test files share, each named to them through the
 * environment (see `test/support/suite-env.ts`): DynamoDB Local, `npm start` (on that DynamoDB
 * Local) for the files that only need a running loop to talk to, and the directory where handler
 * bundles are kept.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BUNDLE_CACHE_DIR } from "../../components/handler-bundle-cache";
import { startDynamoLocal } from "../../local/dynamo-local";
import { required } from "../../harness/required";
import { endpointOf, launchNpmStart, onTheRunsDynamo } from "../support/npm-start";
import { SHARED_DYNAMODB_ENDPOINT, SHARED_NPM_START_ENDPOINT } from "../support/suite-env";

export interface SharedService {
  /** What the steps are told of it. */
  env: Record<string, string>;
  /** The processes that must be gone once it is stopped. */
  pids: number[];
  stop(): Promise<void>;
}

/** Starts a service; gives up (stopping what it started) when `signal` aborts. */
export type ServiceStarter = (signal: AbortSignal) => Promise<SharedService>;

export const sharedDynamoLocal: ServiceStarter = async (signal) => {
  const dynamo = await startDynamoLocal({ signal });
  return { env: { [SHARED_DYNAMODB_ENDPOINT]: dynamo.endpoint }, pids: [dynamo.pid], stop: () => dynamo.stop() };
};

/** `npm start` on the DynamoDB Local at `endpoint`, with a table of its own (no JVM of its own). */
async function npmStartOn(endpoint: string, signal: AbortSignal): Promise<SharedService> {
  const runtime = launchNpmStart([], onTheRunsDynamo(endpoint));
  const stop = () => runtime.stop();
  signal.addEventListener("abort", () => void stop(), { once: true });
  try {
    await runtime.waitFor("stops it cleanly", 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = runtime.child.pid;
  return { env: { [SHARED_NPM_START_ENDPOINT]: endpointOf(runtime).endpoint }, pids: pid === undefined ? [] : [pid], stop };
}

/**
 * The run's DynamoDB Local, then the run's `npm start` on it (a JVM fewer than a runtime of its
 * own: bench/SUITE-COST.md); stopped in the reverse order, the runtime before the JVM it reads.
 */
export const sharedDynamoLocalAndNpmStart: ServiceStarter = async (signal) => {
  const dynamo = await sharedDynamoLocal(signal);
  let loop: SharedService;
  try {
    loop = await npmStartOn(required(dynamo.env[SHARED_DYNAMODB_ENDPOINT], "the run's DynamoDB Local"), signal);
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  return {
    env: { ...dynamo.env, ...loop.env },
    pids: [...dynamo.pids, ...loop.pids],
    stop: async () => {
      try {
        await loop.stop();
      } finally {
        await dynamo.stop();
      }
    },
  };
};

/** The run's handler bundles, kept by content (see `components/handler-bundle-cache.ts`); removed at the end. */
export const sharedBundleDir: ServiceStarter = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "loyalty-test-bundles-"));
  return { env: { [BUNDLE_CACHE_DIR]: dir }, pids: [], stop: async () => rmSync(dir, { recursive: true, force: true }) };
};
