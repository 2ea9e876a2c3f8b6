/**
 * The real program (`index.ts`) run under mocks with a stack's real `Pulumi.<stack>.yaml`,
 * or with config given by the test.
 */
import * as path from "node:path";
import { readStackFile } from "../config/stack-file";
import { runProgram, type ProgramRun } from "./mock-program";

const PROGRAM = path.resolve(__dirname, "../index.ts");

/** Loads a program file afresh: Node caches modules, and each run must register anew. */
export function loadProgram(file: string = PROGRAM): Record<string, unknown> {
  delete require.cache[require.resolve(file)];
  return require(file) as Record<string, unknown>;
}

export function runStack(stack: string, options: { preview?: boolean } = {}): Promise<ProgramRun> {
  return runProgram(() => loadProgram(), { stack, config: readStackFile(stack), ...options });
}

export function runWithConfig(config: Record<string, string>, stack = "test"): Promise<ProgramRun> {
  return runProgram(() => loadProgram(), { stack, config });
}
