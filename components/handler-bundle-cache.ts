/**
 * Handler bundles kept by content: a program run under mocks bundles every handler, and the
 * tests run the program dozens of times, so a bundle whose sources have not changed is served
 * again instead of being rebuilt. A kept bundle records the SHA-256 of every file esbuild read
 * for it (the handler, everything it imports, the dependencies' files); it is served only while
 * each of those files still has that content, so a change to any of them — a handler, the domain,
 * a dependency — rebuilds it. Kept in this process, and, when `HANDLER_BUNDLE_CACHE_DIR` names a
 * directory (the test runner makes one per run and removes it), in files there, shared by the
 * run's processes. Without the variable nothing is written anywhere.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { version as esbuildVersion } from "esbuild";
import * as v from "valibot";
import { bundleHandler, PROJECT_ROOT, type BundleOptions, type HandlerBundle } from "./handler-bundle";

/** The environment variable naming the directory shared by one run's processes. */
export const BUNDLE_CACHE_DIR = "HANDLER_BUNDLE_CACHE_DIR";

/** What builds a bundle when none can be served: `bundleHandler`, or a counting stand-in in tests. */
export type BundleBuilder = (entry: string, options: BundleOptions) => Promise<HandlerBundle>;

const KeptSchema = v.object({
  /** The content hash of each input file when the bundle was built, by path relative to the project root. */
  inputs: v.record(v.string(), v.string()),
  code: v.string(),
  sourceMap: v.string(),
});
type Kept = v.InferOutput<typeof KeptSchema>;

function contentHash(file: string): string | undefined {
  try {
    return createHash("sha256")
      .update(readFileSync(path.resolve(PROJECT_ROOT, file)))
      .digest("hex");
  } catch {
    // Gone: whatever was built from it is stale.
    return undefined;
  }
}

const existingNames = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** Where a bundle is kept: the project's root too, since an installed copy of the package bundles its own files. */
const slotOf = (entry: string, externalAwsSdk: boolean): string =>
  createHash("sha256")
    .update(JSON.stringify({ root: PROJECT_ROOT, entry, externalAwsSdk, esbuildVersion }))
    .digest("hex");

const stillCurrent = (kept: Kept): boolean => Object.entries(kept.inputs).every(([file, hash]) => contentHash(file) === hash);

export class BundleCache {
  private readonly kept = new Map<string, Kept>();
  private readonly building = new Map<string, Promise<HandlerBundle>>();

  constructor(
    private readonly build: BundleBuilder = bundleHandler,
    /** The directory shared with other processes; none keeps bundles in this process only. */
    private readonly dir: string | undefined = process.env[BUNDLE_CACHE_DIR] || undefined,
  ) {}

  /** The bundle of `entry`: a kept one whose every input is unchanged, or a new build. */
  bundle(entry: string, options: BundleOptions = {}): Promise<HandlerBundle> {
    const slot = slotOf(entry, options.externalAwsSdk ?? false);
    // Concurrent asks for one bundle (a program's functions are built at once) share one look.
    const pending = this.building.get(slot);
    if (pending) return pending;
    const looked = this.serve(slot, entry, options).finally(() => this.building.delete(slot));
    this.building.set(slot, looked);
    return looked;
  }

  /**
   * Forgets kept bundles, here and in the shared directory, so that the next asks build afresh:
   * those of `entries` (with either option), or every one. Forgetting only what a test rebuilds
   * leaves the other bundles to the processes sharing the directory.
   */
  forget(entries?: readonly string[]): void {
    const slots = entries?.flatMap((entry) => [slotOf(entry, false), slotOf(entry, true)]);
    for (const slot of slots ?? [...this.kept.keys()]) this.kept.delete(slot);
    if (!this.dir) return;
    const files = slots?.map((slot) => `${slot}.json`) ?? existingNames(this.dir).filter((name) => name.endsWith(".json"));
    for (const name of files) rmSync(path.join(this.dir, name), { force: true });
  }

  private async serve(slot: string, entry: string, options: BundleOptions): Promise<HandlerBundle> {
    const kept = this.kept.get(slot) ?? this.readShared(slot);
    if (kept && stillCurrent(kept)) {
      this.kept.set(slot, kept);
      return { code: kept.code, sourceMap: kept.sourceMap, inputs: Object.keys(kept.inputs) };
    }
    const built = await this.build(entry, options);
    const inputs: Record<string, string> = {};
    for (const file of built.inputs) {
      const hash = contentHash(file);
      // An input that vanished during the build: nothing safe to keep.
      if (hash === undefined) return built;
      inputs[file] = hash;
    }
    const fresh: Kept = { inputs, code: built.code, sourceMap: built.sourceMap };
    this.kept.set(slot, fresh);
    this.writeShared(slot, fresh);
    return built;
  }

  private readShared(slot: string): Kept | undefined {
    if (!this.dir) return undefined;
    try {
      const parsed = v.safeParse(KeptSchema, JSON.parse(readFileSync(path.join(this.dir, `${slot}.json`), "utf8")));
      return parsed.success ? parsed.output : undefined;
    } catch {
      return undefined;
    }
  }

  private writeShared(slot: string, kept: Kept): void {
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      // Written aside and renamed: another process reads the old file or the new one, never half of one.
      const aside = path.join(this.dir, `${slot}.${process.pid}.tmp`);
      writeFileSync(aside, JSON.stringify(kept));
      renameSync(aside, path.join(this.dir, `${slot}.json`));
    } catch {
      // Not shared this time (the run's directory went away): the other processes build their own.
    }
  }
}

/** This process's cache, used by every `HandlerFunction`. */
export const handlerBundles = new BundleCache();
