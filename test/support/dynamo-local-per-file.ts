/**
 * DynamoDB Local for one test file. Under `npm test` the suite's runner has started one for the
 * whole run and names it in `TEST_DYNAMODB_ENDPOINT`: every file uses that one (each test makes
 * tables of its own, so files never share data), and only the runner starts and stops the JVM.
 * A file run alone (`npx ava test/x.test.ts`) starts its own before its tests, stops it after
 * them, and then checks it gone — one hook, so the check cannot run before the stop (ava runs
 * hooks of one kind concurrently). The returned object reads the instance when used, inside tests.
 */
import test from "ava";
import { startDynamoLocal, type DynamoLocal } from "../../local/dynamo-local";
import { assertNoJvmLeft } from "./no-jvm-left";
import { SHARED_DYNAMODB_ENDPOINT } from "./suite-env";

/** The endpoint of the run's shared DynamoDB Local, or `undefined` when the file runs alone. */
export const sharedDynamoEndpoint = (): string | undefined => process.env[SHARED_DYNAMODB_ENDPOINT] || undefined;

/** The parts of a DynamoDB Local a test file uses: the runner's JVM is not the file's to stop. */
export type DynamoEndpoint = Pick<DynamoLocal, "endpoint">;

export function useDynamoLocal(): DynamoEndpoint {
  const shared = sharedDynamoEndpoint();
  if (shared !== undefined) return { endpoint: shared };
  let started: DynamoLocal | undefined;
  test.before(async () => {
    started = await startDynamoLocal();
  });
  test.after.always(async () => {
    await started?.stop();
    assertNoJvmLeft();
  });
  return {
    get endpoint() {
      if (!started) throw new Error("DynamoDB Local is used before the test file's before hook started it");
      return started.endpoint;
    },
  };
}
