/**
 * Cold-start proxy of each Lambda bundle: its size (raw and gzip, what Lambda downloads) and
 * the median time a fresh Node process takes to `require` it (what init pays before the first
 * event) — as shipped (AWS SDK inside, pinned) and with the SDK left to the Lambda runtime.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { bundleHandler, PROJECT_ROOT } from "../components/handler-bundle";

const RUNS = 15;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Times `require(file)` in a fresh process, with the environment a deployed function has. */
function coldRequireMs(file: string): number {
  const script =
    "const t=process.hrtime.bigint();require(process.argv[1]);" +
    "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const env = { ...process.env, TABLE_NAME: "bench-ledger", EARN_RULES: '{"EUR": 1}', AWS_REGION: "eu-west-1" };
  const stdio: ["ignore", "pipe", "ignore"] = ["ignore", "pipe", "ignore"];
  return Number(execFileSync(process.execPath, ["-e", script, file], { env, encoding: "utf8", stdio }));
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
    for (const handler of ["writer", "reader"]) {
      for (const externalAwsSdk of [false, true]) {
        const { code } = await bundleHandler(`handlers/${handler}.ts`, { externalAwsSdk });
        const file = path.join(dir, `${handler}${externalAwsSdk ? "-external" : ""}.js`);
        writeFileSync(file, code);
        const times = Array.from({ length: RUNS }, () => coldRequireMs(file));
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
