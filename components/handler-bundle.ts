/**
 * Bundles a handler module into one minified CommonJS file plus its source map, the way the
 * Lambda functions ship it. Deterministic: the same sources always give the same bytes, so an
 * unchanged handler never shows a diff in `pulumi preview`.
 *
 * The npm package ships each handler's bundle, built from the sources when it is packed; a
 * consumer's program reads those files and never loads esbuild. Only a source checkout (this
 * program, the tests, the benchmarks) bundles with esbuild as the program runs.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The project root: handler paths and source-map paths are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Every handler a component deploys, relative to the project root. */
export const HANDLER_ENTRIES = [
  "handlers/writer.ts",
  "handlers/reader.ts",
  "handlers/redeemer.ts",
  "handlers/admin.ts",
  "handlers/settle.ts",
  "handlers/publisher.ts",
] as const;
export type HandlerEntry = (typeof HANDLER_ENTRIES)[number];

/**
 * Where the package's shipped bundles live, beside its compiled components (`lib/bundles`). From
 * the sources this names `bundles/` at the root, which never exists, so a checkout bundles anew.
 */
export const SHIPPED_BUNDLES_DIR = path.resolve(__dirname, "..", "bundles");

/** The file names of one shipped bundle (`<dir>/<handler>/index.js` and its map). */
export const shippedBundleFiles = (dir: string, entry: string) => {
  const folder = path.join(dir, path.basename(entry, ".ts"));
  return { code: path.join(folder, "index.js"), sourceMap: path.join(folder, "index.js.map") };
};

/**
 * The handler's bundle as the package shipped it, or else, from a source checkout, bundled from
 * the sources now (or served by the run's cache while none of its sources changed).
 */
export async function handlerBundle(entry: HandlerEntry): Promise<HandlerBundle> {
  const shipped = shippedBundleFiles(SHIPPED_BUNDLES_DIR, entry);
  if (existsSync(shipped.code)) {
    // Built when the package was packed, from sources a consumer cannot change: nothing to watch.
    return { code: readFileSync(shipped.code, "utf8"), sourceMap: readFileSync(shipped.sourceMap, "utf8"), inputs: [] };
  }
  // Loaded only here: the cache needs esbuild, which an installed package never loads.
  const { handlerBundles } = await import("./handler-bundle-cache.js");
  return handlerBundles.bundle(entry);
}

export interface HandlerBundle {
  /** `index.js`: the handler and everything it imports, AWS SDK included (pinned, not the runtime's). */
  code: string;
  /** `index.js.map`, for readable stack traces with `--enable-source-maps`. */
  sourceMap: string;
  /** Every file the bundle was built from, relative to the project root (what a cache must watch). */
  inputs: string[];
}

export interface BundleOptions {
  /**
   * Leave `@aws-sdk/*` out and use the SDK the Lambda runtime ships (smaller, but its version
   * is AWS's choice and changes under us). Only the benchmarks compare it.
   * @default false
   */
  externalAwsSdk?: boolean;
}

/** Bundles `entry` (relative to the project root, e.g. `handlers/writer.ts`). */
export async function bundleHandler(entry: string, options: BundleOptions = {}): Promise<HandlerBundle> {
  const outfile = path.join(PROJECT_ROOT, ".bundle", path.basename(entry, ".ts"), "index.js");
  // Loaded only here: an installed package never reaches this line.
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // Prefer the ESM builds of dependencies: they tree-shake far better.
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
    external: options.externalAwsSdk ? ["@aws-sdk/*"] : [],
  });
  const file = (suffix: string) => {
    const found = result.outputFiles.find((output) => output.path === `${outfile}${suffix}`);
    if (!found) throw new Error(`esbuild produced no ${path.basename(outfile)}${suffix} for ${entry}`);
    return found.text;
  };
  return { code: file(""), sourceMap: file(".map"), inputs: Object.keys(result.metafile.inputs) };
}
