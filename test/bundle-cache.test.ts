/**
 * Handler bundles kept by content: served again while every file they were built from is
 * unchanged, built again as soon as any of them changes — the handler, a module it imports, or a
 * module that module imports — in this process and across the processes sharing a directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import test from "ava";
import { bundleHandler, type BundleOptions } from "../components/handler-bundle";
import { BundleCache } from "../components/handler-bundle-cache";

/** A handler in a directory of its own: `entry.ts` → `./greeting` → `./word`. */
function handlerSources() {
  const dir = mkdtempSync(path.join(tmpdir(), "bundle-cache-"));
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  write("entry.ts", 'import { greeting } from "./greeting";\nexport const handler = async () => greeting();\n');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text is a TypeScript file that holds a template literal
  write("greeting.ts", 'import { WORD } from "./word";\nexport const greeting = () => `hello ${WORD}`;\n');
  write("word.ts", 'export const WORD = "one";\n');
  return { dir, entry: path.join(dir, "entry.ts"), write };
}

/** A cache whose builds are the real `bundleHandler`, counted. */
function countingCache(dir?: string) {
  const built: string[] = [];
  const cache = new BundleCache(async (entry: string, options: BundleOptions) => {
    built.push(entry);
    return bundleHandler(entry, options);
  }, dir);
  return { cache, built };
}

test("a kept bundle is served while its sources are unchanged, and rebuilt when any file it was built from changes", async (t) => {
  const sources = handlerSources();
  t.teardown(() => rmSync(sources.dir, { recursive: true, force: true }));
  const { cache, built } = countingCache();

  const first = await cache.bundle(sources.entry);
  t.regex(first.code, /"one"/);
  t.true(
    first.inputs.some((file) => file.endsWith("word.ts")),
    "the import of an import is an input",
  );
  t.deepEqual(await cache.bundle(sources.entry), first, "served again");
  t.is(built.length, 1);

  // A module two imports away: the bundle must never be stale.
  sources.write("word.ts", 'export const WORD = "two";\n');
  const second = await cache.bundle(sources.entry);
  t.is(built.length, 2);
  t.regex(second.code, /"two"/);
  t.notRegex(second.code, /"one"/);

  sources.write("entry.ts", 'import { greeting } from "./greeting";\nexport const handler = async () => greeting().toUpperCase();\n');
  t.regex((await cache.bundle(sources.entry)).code, /toUpperCase/);
  t.is(built.length, 3);

  // The same content again is the same bundle, whichever way it came back.
  sources.write("word.ts", 'export const WORD = "two";\n');
  await cache.bundle(sources.entry);
  t.is(built.length, 3);

  // Other options are another bundle.
  await cache.bundle(sources.entry, { externalAwsSdk: true });
  t.is(built.length, 4);
});

test("concurrent asks for one bundle build it once", async (t) => {
  const sources = handlerSources();
  t.teardown(() => rmSync(sources.dir, { recursive: true, force: true }));
  const { cache, built } = countingCache();
  const [a, b] = await Promise.all([cache.bundle(sources.entry), cache.bundle(sources.entry)]);
  t.is(a.code, b.code);
  t.is(built.length, 1);
});

test("processes sharing a directory serve each other's bundles, and a change made after one kept it still rebuilds", async (t) => {
  const sources = handlerSources();
  const shared = mkdtempSync(path.join(tmpdir(), "bundle-cache-shared-"));
  t.teardown(() => {
    rmSync(sources.dir, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  });
  const one = countingCache(shared);
  const other = countingCache(shared);

  const kept = await one.cache.bundle(sources.entry);
  t.deepEqual(await other.cache.bundle(sources.entry), kept);
  t.is(other.built.length, 0, "served from the directory");

  sources.write("word.ts", 'export const WORD = "three";\n');
  t.regex((await other.cache.bundle(sources.entry)).code, /"three"/);
  t.is(other.built.length, 1);
  t.regex(
    (await one.cache.bundle(sources.entry)).code,
    /"three"/,
    "and the first process, which kept the old one in memory, never serves it again",
  );

  one.cache.forget();
  const third = countingCache(shared);
  await third.cache.bundle(sources.entry);
  t.is(third.built.length, 1, "forgotten bundles are built afresh");
});

test("forgetting some entries rebuilds those alone, here and for the processes sharing the directory", async (t) => {
  const [forgotten, kept] = [handlerSources(), handlerSources()];
  const shared = mkdtempSync(path.join(tmpdir(), "bundle-cache-shared-"));
  t.teardown(() => {
    for (const dir of [forgotten.dir, kept.dir, shared]) rmSync(dir, { recursive: true, force: true });
  });
  const one = countingCache(shared);
  await one.cache.bundle(forgotten.entry);
  await one.cache.bundle(kept.entry);
  await one.cache.bundle(forgotten.entry, { externalAwsSdk: true });

  one.cache.forget([forgotten.entry]);
  await one.cache.bundle(forgotten.entry);
  await one.cache.bundle(kept.entry);
  t.deepEqual(one.built, [forgotten.entry, kept.entry, forgotten.entry, forgotten.entry], "this process rebuilt the forgotten entry alone");

  const other = countingCache(shared);
  await other.cache.bundle(kept.entry);
  await other.cache.bundle(forgotten.entry, { externalAwsSdk: true });
  t.deepEqual(
    other.built,
    [forgotten.entry],
    "the directory kept the other entry, and lost the forgotten one's bundles with either option",
  );
});
