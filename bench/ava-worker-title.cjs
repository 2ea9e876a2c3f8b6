/**
 * Loaded into every node process of a measured `npm test` (`NODE_OPTIONS`, `suite-breakdown.ts`):
 * ava tells a worker its file over IPC only, so a worker names its file in its command line
 * (`process.title`, which `/proc/<pid>/cmdline` shows) for the sampler to charge it. The listener
 * goes once the file is known, so the channel is referenced as ava alone would have it.
 */
const path = require("node:path");

if (process.argv[1]?.endsWith(path.join("ava", "lib", "worker", "base.js")) && process.send !== undefined) {
  const named = (message) => {
    const file = message?.ava?.type === "options" ? message.ava.options?.file : undefined;
    if (typeof file !== "string") return;
    process.off("message", named);
    process.title = `ava-worker ${path.relative(process.cwd(), file.startsWith("file:") ? new URL(file).pathname : file)}`;
  };
  process.on("message", named);
}
