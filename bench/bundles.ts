/**
 * Cold-start proxy of each Lambda bundle — every entry point in `handlers/*.ts`, found in the
 * folder so that a new function is measured without touching this file: its size (raw and gzip, what Lambda downloads) and
 * the median time a fresh Node process takes to `require` it (what init pays before the first
 * event) — as shipped (AWS SDK inside, pinned) and with the SDK left to the Lambda runtime.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { bundleHandler, PROJECT_ROOT } from "../components/handler-bundle";
import { SCALE } from "./scale";

/** Fresh processes per median. */
export const COLD_REQUIRE_RUNS = SCALE.coldRequireRuns;

/** The Lambda entry points: the `.ts` files directly in `handlers/` (their modules live in subfolders). */
export function handlerEntries(): string[] {
  return readdirSync(path.join(PROJECT_ROOT, "handlers"), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.basename(entry.name, ".ts"))
    .sort();
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Times `require(file)` in a fresh process, with the environment a deployed function has. */
function coldRequireMs(file: string): number {
  const script =
    "const t=process.hrtime.bigint();require(process.argv[1]);" + "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const env = { ...process.env, TABLE_NAME: "bench-ledger", EARN_RULES: '{"EUR": 1}', AWS_REGION: "eu-west-1" };
  // stderr is piped so that a failed load reports its error.
  const stdio: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"];
  const text = execFileSync(process.execPath, ["-e", script, file], { env, encoding: "utf8", stdio });
  // An empty answer would read as 0 ms: a bundle that failed to load must never look fast.
  const ms = Number(text);
  if (text.trim() === "" || !Number.isFinite(ms))
    throw new Error(`cold require of ${path.basename(file)} printed ${JSON.stringify(text)}, not a time`);
  return ms;
}

export interface BundleFigures {
  handler: string;
  sdk: "bundled" | "runtime's";
  bytes: number;
  gzipBytes: number;
  coldRequireMs: number;
}

export async function measureBundles(): Promise<BundleFigures[]> {
  // Inside the project, so that a bundle without the SDK finds it in node_modules, as in Lambda.
  const dir = path.join(PROJECT_ROOT, "node_modules", ".cache", "otrium-bench");
  mkdirSync(dir, { recursive: true });
  try {
    const figures: BundleFigures[] = [];
    for (const handler of handlerEntries()) {
      for (const externalAwsSdk of [false, true]) {
        const { code } = await bundleHandler(`handlers/${handler}.ts`, { externalAwsSdk });
        const file = path.join(dir, `${handler}${externalAwsSdk ? "-external" : ""}.js`);
        writeFileSync(file, code);
        const times = Array.from({ length: COLD_REQUIRE_RUNS }, () => coldRequireMs(file));
        figures.push({
          handler,
          sdk: externalAwsSdk ? "runtime's" : "bundled",
          bytes: Buffer.byteLength(code),
          gzipBytes: gzipSync(code).length,
          coldRequireMs: Math.round(median(times) * 10) / 10,
        });
      }
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
