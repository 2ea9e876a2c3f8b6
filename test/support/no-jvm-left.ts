/**
 * The check every test file that starts DynamoDB Local ends with: no JVM it started is still
 * running. Fails loudly, naming the pids, so a leak is found at its source.
 */
import { jvmsStillRunning } from "../../local/dynamo-local";

export function assertNoJvmLeft(): void {
  const left = jvmsStillRunning();
  if (left.length > 0) throw new Error(`DynamoDB Local JVM(s) left running by this test file: pid ${left.join(", pid ")}`);
}
