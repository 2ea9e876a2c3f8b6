/**
 * The program: one whole run under Pulumi mocks per stack (the first includes loading the SDKs),
 * and the project's `tsc --noEmit`.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { runStack } from "../harness/stack-run";

export interface ProgramFigures {
  runs: Array<{ stack: string; resources: number; ms: number }>;
  typecheckMs: number;
}

export async function measureProgram(): Promise<ProgramFigures> {
  const runs = [];
  for (const stack of ["dev", "prod", "dev", "prod"]) {
    const started = process.hrtime.bigint();
    const run = await runStack(stack);
    runs.push({ stack, resources: run.resources.length, ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6) });
  }
  const root = path.resolve(__dirname, "..");
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root], { stdio: "ignore" });
  return { runs, typecheckMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
}
