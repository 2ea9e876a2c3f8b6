/**
 * The policy check of a program's stacks, apart from how it is printed: `npm run policy` prints
 * it and exits by it, and the policy tests assert on the same runs, so the suite runs the program
 * for each stack once for both. Each stack runs twice: as a first-time preview (values computed
 * from other resources unknown) and with every value known.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../../config/stack-file";
import { runProgram, type ProgramRun } from "../../harness/mock-program";
import { loadProgram } from "../../harness/stack-run";
import { loyaltyPolicies } from "../loyalty-policies";
import { evaluatePolicies, mandatoryViolations, type Diagnostic } from "./evaluate";
import { packConfigFor } from "./pack-config";

const ROOT = path.resolve(__dirname, "../..");

/** The program `npm run policy` checks unless told another. */
export const PROJECT_PROGRAM = path.join(ROOT, "index.ts");

/** The stacks of the project: one per `Pulumi.<stack>.yaml`. */
export const projectStacks = (): string[] =>
  readdirSync(ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();

export interface StackCheck {
  stack: string;
  preview: boolean;
  run: ProgramRun;
  /** Every finding, at the level the stack's pack config gives it. */
  diagnostics: Diagnostic[];
  milliseconds: number;
}

/** Runs `program` under mocks for each stack, with its stack file when it has one, and judges each run with the pack. */
export async function checkStacks(program: string, stacks: readonly string[]): Promise<StackCheck[]> {
  const checks: StackCheck[] = [];
  for (const stack of stacks) {
    const config = existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) ? readStackFile(stack) : {};
    for (const preview of [true, false]) {
      const started = Date.now();
      const run = await runProgram(() => loadProgram(program), { stack, config, preview });
      const diagnostics = await evaluatePolicies(run.resources, loyaltyPolicies, packConfigFor(stack));
      checks.push({ stack, preview, run, diagnostics, milliseconds: Date.now() - started });
    }
  }
  return checks;
}

function table(diagnostics: Diagnostic[]): string {
  const rows = diagnostics.map((d) => [d.policy, d.urn?.split("::").pop() ?? "(stack)", d.level, d.message]);
  const header = ["policy", "resource", "level", "message"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(Math.min(w, 40)))), ...rows.map(line)].join("\n");
}

/** What `npm run policy` prints, and how many mandatory violations fail it. */
export function report(program: string, checks: readonly StackCheck[]): { text: string; failures: number } {
  const parts: string[] = [];
  let failures = 0;
  for (const { stack, preview, run, diagnostics, milliseconds } of checks) {
    const mandatory = mandatoryViolations(diagnostics).length;
    failures += mandatory;
    const mode = preview ? "first preview (unknowns)" : "all values known";
    parts.push(
      `\n${path.relative(ROOT, program)} · stack ${stack} · ${mode}: ${run.resources.length} resources, ` +
        `${loyaltyPolicies.length} policies, ${mandatory} mandatory and ${diagnostics.length - mandatory} other findings ` +
        `(${milliseconds} ms)`,
    );
    if (diagnostics.length > 0) parts.push(table(diagnostics));
  }
  parts.push(failures === 0 ? "\npolicy check passed" : `\npolicy check FAILED: ${failures} mandatory violation(s)`);
  return { text: parts.join("\n"), failures };
}
