import testJvm from "./test/suite/test-jvm.json" with { type: "json" };

/**
 * ava's settings. The suite keeps about two cores busy; its wall time is set by the files that run
 * longest, so those start first (each boots processes of its own: runtimes, JVMs, an npm pack),
 * and the many short files fill the gaps beside them.
 */
// By their wall time alone (bench/SUITE-COST.md).
const LONGEST_FIRST = [
  "test/local-start-stop.test.ts",
  "test/local-runtime.test.ts",
  "test/package.test.ts",
  "test/components.test.ts",
  // Pulumi's component analyzer: ~13 CPU s on one core, started early.
  "test/schema.test.ts",
  "test/backfill-local.test.ts",
  "test/npm-test.test.ts",
  "test/local-clock.test.ts",
  "test/policies.test.ts",
  "test/openapi-lint.test.ts",
  "test/model/ledger-model.test.ts",
  "test/program.test.ts",
];

const rank = (file) => {
  const at = LONGEST_FIRST.findIndex((known) => file.endsWith(known));
  return at === -1 ? LONGEST_FIRST.length : at;
};

export default {
  files: ["test/**/*.test.ts"],
  extensions: { ts: "commonjs" },
  // A checkout resolves the package's own name to its sources (the `source` export condition), as the type check does.
  nodeArguments: ["--import=tsx", "--conditions=source"],
  workerThreads: false,
  concurrency: 4,
  timeout: "2m",
  environmentVariables: {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    /**
     * Every DynamoDB Local a test starts (its own, a runtime's, an `npm start`'s) runs with C1 only and
     * the serial GC: on two cores the C2 compiler's threads and the parallel GC cost more CPU than they
     * give back to a JVM that lives seconds or minutes (bench/SUITE-COST.md: half the CPU, start and
     * load alike). `npm test` sets the same for the JVMs it shares (test/suite/run.ts). A JDK_JAVA_OPTIONS
     * of the caller's own is kept.
     */
    JDK_JAVA_OPTIONS: process.env.JDK_JAVA_OPTIONS ?? testJvm.JDK_JAVA_OPTIONS,
  },
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b, [], { numeric: true }),
};
