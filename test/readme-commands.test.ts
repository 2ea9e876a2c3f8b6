/**
 * The README works verbatim: every command in its `sh` blocks is run, in order, against a running
 * `npm start` of this file's own (on the run's DynamoDB Local under `npm test`: no JVM of its own),
 * because the walkthrough's demo moves the clock, which no other file sharing a runtime may see;
 * every command must succeed; where a `# → {…}` comment shows what a command prints, the
 * printed JSON must contain those fields. Only the commands listed in NOT_RUN_HERE are left out,
 * each for a stated reason, so a new command in the README is tested or explicitly excused.
 */
import { exec } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { asAUserRunsIt, endpointOf, npmStart, onTheRunsDynamo } from "./support/npm-start";
import { assertNoJvmLeft } from "./support/no-jvm-left";

const ROOT = path.resolve(__dirname, "..");

/** Commands this test cannot run, by their start, and why. */
const NOT_RUN_HERE: ReadonlyArray<readonly [prefix: string, reason: string]> = [
  ["npm ci", "installs dependencies: done before the tests run"],
  ["npm test", "is the test suite itself"],
  ["npm start", "started by this test"],
  ["pulumi ", "needs the Pulumi CLI and an AWS account"],
  ["curl --aws-sigv4", "signs for a deployed stack with AWS credentials"],
];

interface ReadmeCommand {
  line: number;
  command: string;
  /** Fields the printed JSON must contain, from a `# → {…}` comment. */
  expected?: Record<string, unknown>;
}

/** Every command of every `sh` block, with `\` continuations joined and comments split off. */
function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  const lines = markdown.split("\n");
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (text.startsWith("```")) {
      inBlock = !inBlock && text.trim() === "```sh";
      continue;
    }
    if (!inBlock) continue;
    const start = i;
    let command = text;
    while (command.trimEnd().endsWith("\\") && i + 1 < lines.length) command = `${command.trimEnd().slice(0, -1)} ${lines[++i] ?? ""}`;
    // A comment starts at a `#` after whitespace outside quotes; README commands quote no `#`.
    const comment = /\s#\s?(.*)$/.exec(command);
    const code = (comment ? command.slice(0, comment.index) : command.startsWith("#") ? "" : command).trim();
    if (code === "") continue;
    const arrow = comment?.[1] && /→\s*(\{.*\})\s*$/.exec(comment[1]);
    commands.push({
      line: start + 1,
      command: code,
      expected: arrow ? (JSON.parse(arrow[1] ?? "{}") as Record<string, unknown>) : undefined,
    });
  }
  return commands;
}

// Serial: ava runs hooks of one kind concurrently; this check must follow every other hook.
test.serial.after.always(assertNoJvmLeft);

test("every README command works as written", async (t) => {
  const commands = readmeCommands(readFileSync(path.join(ROOT, "README.md"), "utf8"));
  t.true(commands.length >= 10, "the README's commands were found");

  const runtime = npmStart(t, [], onTheRunsDynamo());
  await runtime.waitFor("stops it cleanly");
  const { port } = endpointOf(runtime);
  // The README speaks of the default port; this runtime has a free one.
  const local = (command: string) => command.replace(/(localhost|127\.0\.0\.1):3000/g, `127.0.0.1:${port}`);
  const env = asAUserRunsIt({ PORT: port });

  for (const { line, command, expected } of commands) {
    if (NOT_RUN_HERE.some(([prefix]) => command.startsWith(prefix))) continue;
    const exported = /^export\s+(.*)$/.exec(command);
    if (exported) {
      for (const [, name, value] of (exported[1] ?? "").matchAll(/(\w+)=(\S+)/g)) env[name ?? ""] = value;
      continue;
    }
    // The writer works asynchronously, as in AWS: a read that shows its result may need a moment.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const result = await promisify(exec)(local(command), { cwd: ROOT, env, shell: "/bin/bash" }).then(
        ({ stdout, stderr }) => ({ ok: true, stdout, stderr }),
        (error: { stdout?: string; stderr?: string; message: string }) => ({
          ok: false,
          stdout: error.stdout ?? "",
          stderr: error.stderr ?? error.message,
        }),
      );
      const shows = expected === undefined || containsFields(result.stdout, expected);
      if (result.ok && shows) {
        t.notRegex(result.stderr, /NodeVersionSupportWarning/, `README line ${line}: the SDK's warning is said once, by npm start`);
        break;
      }
      if (Date.now() > deadline) {
        return t.fail(
          `README line ${line}: ${command}\n${result.ok ? `printed ${result.stdout}, expected ${JSON.stringify(expected)}` : result.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
});

function containsFields(stdout: string, expected: Record<string, unknown>): boolean {
  try {
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => JSON.stringify(printed[key]) === JSON.stringify(value));
  } catch {
    return false;
  }
}
