/**
 * `npm run bench:suite`: what each part of `npm test` costs in CPU seconds, measured one part at a
 * time on the services `npm test` shares (one DynamoDB Local, one `npm start`, one bundle
 * directory, the test JVMs' options): each ava file alone, the type check, the lint and the policy
 * check. A part's CPU is its own process tree's, orphans included (`cpu-of-tree.py`), plus what
 * the shared services spent while it ran. CPU time rather than wall time: other work on the
 * machine stretches the wall clock, far less the CPU a part needs. Prints a Markdown table, most
 * expensive first; `bench/SUITE-COST.md` keeps the figures with what each part spends them on.
 * Linux only (/proc, prctl). Arguments: the ava files to measure (all of them by default), or
 * `--breakdown` for one whole `npm test` by kind of process (`suite-breakdown.ts`).
 */
import "../cli/quiet-sdk-warning";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as services from "../test/suite/shared-services";
import { breakdown } from "./suite-breakdown";
import testJvm = require("../test/suite/test-jvm.json");

const ROOT = path.resolve(__dirname, "..");
const TICKS_PER_SECOND = 100;

/** CPU seconds of `pids` and every live descendant, with the reaped children each has counted. */
function treeCpu(pids: readonly number[]): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended while we looked
    }
    // The fields after the command name (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(fields[1]);
    ticks.set(
      Number(entry),
      [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at]), 0),
    );
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  let total = 0;
  const seen = new Set<number>();
  const todo = [...pids];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += ticks.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total / TICKS_PER_SECOND;
}

interface Cost {
  part: string;
  cpu: number;
  shared: number;
  wall: number;
  code: number;
}

/** Runs `command` under `cpu-of-tree.py`; its output goes to this process's stderr only on failure. */
function measured(part: string, command: string[], env: NodeJS.ProcessEnv, sharedPids: number[]): Promise<Cost> {
  const before = treeCpu(sharedPids);
  const child = spawn("python3", [path.join(__dirname, "cpu-of-tree.py"), ...command], { cwd: ROOT, env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) =>
    child.once("close", () => {
      const last = output.trim().split("\n").at(-1) ?? "";
      const [user = NaN, system = NaN, wall = NaN, code = NaN] = last.split(" ").map(Number);
      if (code !== 0) process.stderr.write(`${part} failed:\n${output}\n`);
      resolve({ part, cpu: user + system, shared: treeCpu(sharedPids) - before, wall, code });
    }),
  );
}

async function main(): Promise<void> {
  process.env.JDK_JAVA_OPTIONS ??= testJvm.JDK_JAVA_OPTIONS;
  const files =
    process.argv.length > 2
      ? process.argv.slice(2)
      : readdirSync(path.join(ROOT, "test"), { recursive: true, encoding: "utf8" })
          .filter((file) => file.endsWith(".test.ts"))
          .map((file) => path.join("test", file))
          .sort();
  const signal = new AbortController().signal;
  const startedAt = process.cpuUsage();
  const shared = await Promise.all([services.sharedDynamoLocalAndNpmStart, services.sharedBundleDir].map((start) => start(signal)));
  try {
    const pids = shared.flatMap((service) => service.pids);
    const startCpu = treeCpu(pids);
    const env = { ...process.env, ...Object.assign({}, ...shared.map((service) => service.env)) };
    const costs: Cost[] = [];
    const ava = path.join(ROOT, "node_modules", ".bin", "ava");
    for (const file of files) costs.push(await measured(file, [ava, file], env, pids));
    const npm = (script: string) => ["npm", "run", "--silent", script];
    for (const step of ["typecheck", "lint", "policy"]) costs.push(await measured(`npm run ${step}`, npm(step), process.env, pids));
    costs.sort((a, b) => b.cpu + b.shared - (a.cpu + a.shared));
    console.log("| part | CPU s (own) | CPU s (shared services meanwhile) | CPU s | wall s |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const cost of costs) {
      const failed = cost.code === 0 ? "" : ` (exit ${cost.code})`;
      console.log(
        `| ${cost.part}${failed} | ${cost.cpu.toFixed(1)} | ${cost.shared.toFixed(1)} | ${(cost.cpu + cost.shared).toFixed(1)} | ${cost.wall.toFixed(1)} |`,
      );
    }
    const sum = (pick: (cost: Cost) => number) => costs.reduce((total, cost) => total + pick(cost), 0).toFixed(1);
    const self = process.cpuUsage(startedAt);
    console.log(`| all | ${sum((c) => c.cpu)} | ${sum((c) => c.shared)} | ${sum((c) => c.cpu + c.shared)} | ${sum((c) => c.wall)} |`);
    console.log(
      `\nThe shared services took ${startCpu.toFixed(1)} CPU s to start; this process ${((self.user + self.system) / 1e6).toFixed(1)}.`,
    );
  } finally {
    await Promise.all(shared.map((service) => service.stop()));
  }
}

(process.argv[2] === "--breakdown" ? breakdown(process.argv.slice(3)) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
