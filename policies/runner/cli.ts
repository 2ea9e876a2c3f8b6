/**
 * `npm run policy [-- --stack dev|prod] [-- --program <file>]`: the policy pack, enforced
 * with no Pulumi CLI, no cloud and no credentials. Runs the program under Pulumi mocks twice
 * per stack — as a first-time preview (values computed from other resources unknown) and with
 * every value known — checks every captured resource with the pack's own policies and the
 * stack's pack config, prints what it found, and exits 1 on any mandatory violation.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readStackFile } from "../../config/stack-file";
import { loyaltyPolicies } from "../loyalty-policies";
import { evaluatePolicies, mandatoryViolations, type Diagnostic } from "./evaluate";
import { packConfigFor } from "./pack-config";
import { runProgram } from "../../harness/mock-program";
import { loadProgram } from "../../harness/stack-run";

const ROOT = path.resolve(__dirname, "../..");

/** The stacks of the project: one per `Pulumi.<stack>.yaml`. */
const projectStacks = (): string[] =>
  readdirSync(ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();

function table(diagnostics: Diagnostic[]): string {
  const rows = diagnostics.map((d) => [d.policy, d.urn?.split("::").pop() ?? "(stack)", d.level, d.message]);
  const header = ["policy", "resource", "level", "message"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(Math.min(w, 40)))), ...rows.map(line)].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stack: { type: "string", multiple: true }, program: { type: "string" } },
  });
  const program = path.resolve(values.program ?? path.join(ROOT, "index.ts"));
  const stacks = values.stack ?? (values.program ? ["policy-check"] : projectStacks());
  let failures = 0;
  for (const stack of stacks) {
    const config = existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) ? readStackFile(stack) : {};
    for (const preview of [true, false]) {
      const started = Date.now();
      const run = await runProgram(() => loadProgram(program), { stack, config, preview });
      const diagnostics = await evaluatePolicies(run.resources, loyaltyPolicies, packConfigFor(stack));
      const mandatory = mandatoryViolations(diagnostics).length;
      failures += mandatory;
      const mode = preview ? "first preview (unknowns)" : "all values known";
      console.log(
        `\n${path.relative(ROOT, program)} · stack ${stack} · ${mode}: ${run.resources.length} resources, ` +
          `${loyaltyPolicies.length} policies, ${mandatory} mandatory and ${diagnostics.length - mandatory} other findings (${Date.now() - started} ms)`,
      );
      if (diagnostics.length > 0) console.log(table(diagnostics));
    }
  }
  console.log(failures === 0 ? "\npolicy check passed" : `\npolicy check FAILED: ${failures} mandatory violation(s)`);
  return failures === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
