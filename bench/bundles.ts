/**
 * Cold-start proxy of each Lambda bundle: its size (raw and gzip, what Lambda downloads) and
 * the median time a fresh Node process takes to `require` it (what init pays before the
 * first event).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { bundleHandler } from "../components/handler-bundle";

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
  const env = {
    ...process.env,
    TABLE_NAME: "bench-ledger",
    EARN_RULES: '{"EUR": 1}',
    AWS_REGION: "eu-west-1",
  };
  const stdio: ["ignore", "pipe", "ignore"] = ["ignore", "pipe", "ignore"];
  return Number(execFileSync(process.execPath, ["-e", script, file], { env, encoding: "utf8", stdio }));
}

export interface BundleFigures {
  handler: string;
  bytes: number;
  gzipBytes: number;
  coldRequireMs: number;
}

export async function measureBundles(): Promise<BundleFigures[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "loyalty-bench-"));
  try {
    const figures: BundleFigures[] = [];
    for (const handler of ["writer", "reader"]) {
      const { code } = await bundleHandler(`handlers/${handler}.ts`);
      const file = path.join(dir, `${handler}.js`);
      writeFileSync(file, code);
      const times = Array.from({ length: RUNS }, () => coldRequireMs(file));
      figures.push({
        handler,
        bytes: Buffer.byteLength(code),
        gzipBytes: gzipSync(code).length,
        coldRequireMs: Math.round(median(times) * 10) / 10,
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
