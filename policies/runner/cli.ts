/**
 * `npm run policy [-- --stack dev|prod] [-- --program <file>]`: the policy pack, enforced
 * with no Pulumi CLI, no cloud and no credentials. Runs the program under Pulumi mocks twice
 * per stack — as a first-time preview (values computed from other resources unknown) and with
 * every value known — checks every captured resource with the pack's own policies and the
 * stack's pack config, prints what it found, and exits 1 on any mandatory violation
 * (`stack-checks.ts`, which the policy tests share).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { checkStacks, PROJECT_PROGRAM, projectStacks, report } from "./stack-checks";

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stack: { type: "string", multiple: true }, program: { type: "string" } },
  });
  const program = values.program ? path.resolve(values.program) : PROJECT_PROGRAM;
  const stacks = values.stack ?? (values.program ? ["policy-check"] : projectStacks());
  const { text, failures } = report(program, await checkStacks(program, stacks));
  console.log(text);
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
