/**
 * DynamoDB Local for one test file: started before its tests, stopped after them, and then
 * checked gone — one hook, so the check cannot run before the stop (ava runs hooks of one kind
 * concurrently). The returned object reads the running instance when used, inside tests.
 */
import test from "ava";
import { startDynamoLocal, type DynamoLocal } from "../../local/dynamo-local";
import { assertNoJvmLeft } from "./no-jvm-left";

export function useDynamoLocal(): DynamoLocal {
  let started: DynamoLocal | undefined;
  test.before(async () => {
    started = await startDynamoLocal();
  });
  test.after.always(async () => {
    await started?.stop();
    assertNoJvmLeft();
  });
  const running = (): DynamoLocal => {
    if (!started) throw new Error("DynamoDB Local is used before the test file's before hook started it");
    return started;
  };
  return {
    get endpoint() {
      return running().endpoint;
    },
    get pid() {
      return running().pid;
    },
    get unexpectedExit() {
      return running().unexpectedExit;
    },
    stop: () => running().stop(),
  };
}
