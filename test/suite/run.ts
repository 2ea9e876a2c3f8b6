/**
 * `npm test`: the machine's prerequisites first (a missing one stops the run at once, in one line
 * with the command that installs it), then the formatter and linter (Biome) and every ava test file,
 * sharing one DynamoDB Local and one `npm start`, with the type check beside them (see
 * `suite-runner.ts`). The policy check (`npm run policy`) is made by `test/policies.test.ts`, with
 * the runner's own code on the runs its tests assert on. Arguments go to ava:
 * `npm test -- test/writer.test.ts` runs one file the same way.
 */
import "../../cli/quiet-sdk-warning";
import * as path from "node:path";
import { missingPrerequisites } from "./prerequisites";

const missing = missingPrerequisites();
if (missing.length > 0) {
  for (const line of missing) console.error(line);
  process.exit(1);
}

// Loaded only once the check has passed: the AWS SDK it pulls in takes longer than the check.
import services = require("./shared-services");
import suite = require("./suite-runner");
import testJvm = require("./test-jvm.json");

// The JVM options ava.config.mjs gives the test files' JVMs, for the shared ones too (and, through the environment, every step's).
process.env.JDK_JAVA_OPTIONS ??= testJvm.JDK_JAVA_OPTIONS;

const ROOT = path.resolve(__dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

suite
  .runSuite({
    cwd: ROOT,
    services: [services.sharedDynamoLocalAndNpmStart, services.sharedBundleDir],
    // Beside the rest, so that it holds no core idle while the others wait (bench/SUITE-COST.md).
    fromTheStart: [{ command: NPM, args: ["run", "--silent", "typecheck"] }],
    steps: [
      // The formatter and the linter's rules first: under a second, and the commonest slip.
      { command: NPM, args: ["run", "--silent", "lint"] },
      { command: path.join(ROOT, "node_modules", ".bin", "ava"), args: process.argv.slice(2) },
    ],
  })
  .then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
