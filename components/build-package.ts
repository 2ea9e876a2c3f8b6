/**
 * `npm run build` (run by `prepack`): the package as consumers get it. The components compiled to
 * CommonJS with `.d.ts` in `lib/`, and every handler's bundle beside them (`lib/bundles`), so
 * a consumer runs plain `node` with neither TypeScript, a loader nor esbuild. The bundles come
 * through the bundle cache, so a pack inside a test run takes those the run has built (the same
 * bytes, checked against every input's content); anywhere else they are built here.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { HANDLER_ENTRIES, PROJECT_ROOT, shippedBundleFiles } from "./handler-bundle";
import { handlerBundles } from "./handler-bundle-cache";

const LIB = path.join(PROJECT_ROOT, "lib");

async function main(): Promise<void> {
  rmSync(LIB, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  });
  for (const entry of HANDLER_ENTRIES) {
    const bundle = await handlerBundles.bundle(entry);
    const files = shippedBundleFiles(path.join(LIB, "bundles"), entry);
    mkdirSync(path.dirname(files.code), { recursive: true });
    writeFileSync(files.code, bundle.code);
    writeFileSync(files.sourceMap, bundle.sourceMap);
  }
  console.log(`build: lib/ with ${HANDLER_ENTRIES.length} handler bundles`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
