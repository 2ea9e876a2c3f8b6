/**
 * Which folder may import which: the operator tools never reach into the local runtime (what both
 * need lives in `cli/` and `handlers/domain/`), and the Lambda code imports nothing from outside
 * `handlers/`. Read from the sources' import statements, resolved as paths.
 */
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every relative module a file imports (or re-exports, or imports for its effect), as a path from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?["'](\.{1,2}\/[^"']+)["']/gm)].map((match) => match[1] ?? "");
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

/** `file imports target` for each import of the files under `folder` that leaves `allowed`. */
function importsLeaving(folder: string, allowed: (target: string) => boolean): string[] {
  return sourcesUnder(folder).flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target))
      .map((target) => `${file} imports ${target}`),
  );
}

test("the import reader sees the imports it must judge", (t) => {
  t.true(importsOf("ops/backfill/cli.ts").includes("cli/quiet-sdk-warning"), "an import for its effect");
  t.true(importsOf("ops/backfill/run.ts").includes("ops/backfill/publish"));
  t.true(
    importsOf("local/runtime.ts").some((target) => target.startsWith("handlers/")),
    "a path out of its folder",
  );
});

test("the operator tools import nothing of the local runtime", (t) => {
  t.deepEqual(
    importsLeaving("ops", (target) => !target.startsWith("local/")),
    [],
  );
});

test("the Lambda code imports nothing from outside handlers/", (t) => {
  t.deepEqual(
    importsLeaving("handlers", (target) => target.startsWith("handlers/")),
    [],
  );
});
