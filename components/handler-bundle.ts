/**
 * Bundles a handler module into one minified CommonJS file plus its source map, the way the
 * Lambda functions ship it. Deterministic: the same sources always give the same bytes, so an
 * unchanged handler never shows a diff in `pulumi preview`.
 */
import * as path from "node:path";
import { build } from "esbuild";

/** The project root: handler paths and source-map paths are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

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
