/**
 * `npm run bench:suite -- --breakdown`: where one whole `npm test`'s CPU goes, by kind of process.
 * `bench/suite-cost.ts` measures each file alone; this runs the suite as it is run (four files at a
 * time, the shared services, the type check and the linter beside them) under `cpu-of-tree.py`,
 * whose total counts every process of the tree, orphans included, and samples `/proc` twice a
 * second meanwhile. Each process seen is charged its last CPU reading to the nearest ava worker
 * among its ancestors (that worker's file), or to the run itself, and sorted by kind from its
 * command line. What a sample cannot see (a process that lived less than half a second, the CPU a
 * process made after its last sample) is estimated from the reaped children's time of its parent
 * and the remainder is told as such.
 *
 * ava tells its workers their file over IPC only, so each worker names it in its command line
 * (`ava-worker-title.cjs`, loaded through `NODE_OPTIONS` for this run only); a worker under
 * another's (`npm-test.test.ts` runs suites of its own) is charged to the outer one's file.
 * Linux only (/proc). Arguments after `--breakdown` go to `npm test`; `--raw <file>` also writes
 * every process seen as JSON.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 500;

interface Seen {
  pid: number;
  /** The parent when first seen: an orphan's later parent is the subreaper, not who started it. */
  parent: number;
  start: number;
  command: string;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: the children it waited for. */
  reaped: number;
}

function readStat(pid: number): { parent: number; start: number; own: number; reaped: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      parent: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
      start: Number(fields[19]),
    };
  } catch {
    return undefined; // ended while we looked
  }
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Every process under `root`, by the parents of this sample and those seen before. */
function sample(root: number, seen: Map<number, Seen>): void {
  const parents = new Map<number, number>();
  const stats = new Map<number, NonNullable<ReturnType<typeof readStat>>>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    stats.set(Number(entry), stat);
    parents.set(Number(entry), stat.parent);
  }
  const inTree = (pid: number): boolean => {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = seen.get(at)?.parent ?? parents.get(at)) {
      if (at === root) return true;
    }
    return false;
  };
  for (const [pid, stat] of stats) {
    const known = seen.get(pid);
    // A pid reused by another process is a new process.
    if (known !== undefined && known.start === stat.start) {
      known.own = stat.own;
      known.reaped = stat.reaped;
      const command = readCommand(pid);
      if (command !== "") known.command = command; // `exec` replaces a shell's command line
      continue;
    }
    if (!inTree(pid)) continue;
    if (known !== undefined) seen.set(-pid * 1000 - seen.size, { ...known, pid: -known.pid }); // keep the old one's CPU
    seen.set(pid, {
      pid,
      parent: stat.parent,
      start: stat.start,
      command: readCommand(pid),
      own: stat.own,
      reaped: stat.reaped,
    });
  }
}

const WORKER = "ava/lib/worker/base.js";
const TITLED_WORKER = /^ava-worker (\S+)/;

/** The kind of a process, from its command line. */
function kindOf(command: string): string {
  if (command.includes(WORKER) || TITLED_WORKER.test(command)) return "ava worker";
  if (command.includes("DynamoDBLocal")) return "DynamoDB Local JVM";
  if (/(^|\/)java /.test(command)) return "other JVM";
  if (command.includes("local/index.ts")) return "npm start (the runtime)";
  if (command.includes("test/suite/run.ts")) return "npm test's runner";
  if (/\.bin\/ava|ava\/entrypoints/.test(command)) return "ava main";
  if (/bin\/tsc|typescript\/lib\/tsc/.test(command)) return "tsc";
  if (command.includes("biome")) return "biome";
  if (/(^|\/)(npm|npx)( |$)|npm-cli\.js|npx-cli\.js/.test(command)) return "npm/npx wrapper";
  if (/^(\/bin\/)?(sh|bash) /.test(command)) return "shell";
  if (command.includes("chrom")) return "Chromium";
  if (/(^|\/)node /.test(command)) {
    const script = command.split(" ").find((arg) => /\.(ts|js|mjs|cjs)$/.test(arg));
    return `other node (${script === undefined ? "?" : path.relative(ROOT, script)})`;
  }
  return `other (${command.split(" ")[0] ?? "?"})`;
}

const seconds = (ticks: number): string => (ticks / TICKS_PER_SECOND).toFixed(1);

export async function breakdown(args: readonly string[]): Promise<void> {
  const rawAt = args.indexOf("--raw");
  const rawFile = rawAt === -1 ? undefined : args[rawAt + 1];
  const npmTestArgs = rawAt === -1 ? args : [...args.slice(0, rawAt), ...args.slice(rawAt + 2)];
  const selfAtStart = process.cpuUsage();
  const loadAtStart = loadavg();
  const startedAt = new Date();
  const child = spawn("python3", [path.join(__dirname, "cpu-of-tree.py"), "npm", "test", "--", ...npmTestArgs], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require=${path.join(__dirname, "ava-worker-title.cjs")}`.trim(),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const root = child.pid;
  if (root === undefined) throw new Error("cpu-of-tree.py did not start");
  const seen = new Map<number, Seen>();
  const timer = setInterval(() => sample(root, seen), SAMPLE_MS);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearInterval(timer);
  const loadAtEnd = loadavg();
  const [user = Number.NaN, system = Number.NaN, wall = Number.NaN] = (stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);

  const processes = [...seen.values()];
  const workers = processes.filter((p) => kindOf(p.command) === "ava worker");
  const fileOf = new Map(workers.map((worker) => [worker.pid, TITLED_WORKER.exec(worker.command)?.[1] ?? `worker ${worker.pid}`]));
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  /** The outermost worker's file among a process's ancestors. */
  const groupOf = (p: Seen): string => {
    let group = "the run";
    for (let at: Seen | undefined = p; at !== undefined; at = byPid.get(at.parent)) group = fileOf.get(at.pid) ?? group;
    return group;
  };
  /**
   * What a process's seen descendants add up to: a child's last sample may predate the end of its
   * own children, whose CPU its parent's reaped time then holds though the samples saw it.
   */
  const childrenOf = new Map<number, Seen[]>();
  for (const p of processes) childrenOf.set(p.parent, [...(childrenOf.get(p.parent) ?? []), p]);
  const subtree = (p: Seen): number =>
    Math.max(p.own + p.reaped, p.own + (childrenOf.get(p.pid) ?? []).reduce((sum, child) => sum + subtree(child), 0));
  // Children a process waited for but no sample saw: its reaped time less what its seen children add up to.
  const charges = new Map<string, Map<string, number>>();
  const charge = (group: string, kind: string, ticks: number) => {
    const kinds = charges.get(group) ?? new Map<string, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + ticks);
    charges.set(group, kinds);
  };
  for (const p of processes) {
    charge(groupOf(p), kindOf(p.command), p.own);
    const unseen = p.reaped - (childrenOf.get(p.pid) ?? []).reduce((sum, child) => sum + subtree(child), 0);
    if (unseen > 0) charge(groupOf(p), `short-lived children of ${kindOf(p.command)}`, unseen);
  }
  const total = (kinds: Map<string, number>) => [...kinds.values()].reduce((sum, ticks) => sum + ticks, 0);
  const self = process.cpuUsage(selfAtStart);
  const sampled = [...charges.values()].reduce((sum, kinds) => sum + total(kinds), 0);

  console.log(`npm test ${npmTestArgs.join(" ")}: exit ${code}, started ${startedAt.toISOString()}`);
  console.log(
    `wall ${wall.toFixed(0)} s; CPU ${(user + system).toFixed(1)} s (${user.toFixed(1)} user + ${system.toFixed(1)} system), whole tree; ` +
      `load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at the start, ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")} at the end`,
  );
  console.log(`${processes.length} processes seen, ${workers.length} ava workers (those of the suites \`npm-test.test.ts\` runs included)`);
  if (rawFile !== undefined)
    writeFileSync(rawFile, JSON.stringify(processes.map((p) => ({ ...p, group: groupOf(p), kind: kindOf(p.command) }))));
  console.log(`\n## The run (not under an ava worker)\n\n| kind | CPU s |\n| --- | ---: |`);
  const run = charges.get("the run") ?? new Map<string, number>();
  for (const [kind, ticks] of [...run].sort((a, b) => b[1] - a[1])) console.log(`| ${kind} | ${seconds(ticks)} |`);
  console.log(`| **all** | **${seconds(total(run))}** |`);
  console.log(`\n## Per ava file (the worker and every process under it)\n\n| file | worker | its JVMs | its other processes | all |`);
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const perFile = [...charges].filter(([group]) => group !== "the run").sort((a, b) => total(b[1]) - total(a[1]));
  let workersTicks = 0;
  let jvmTicks = 0;
  for (const [file, kinds] of perFile) {
    const worker = kinds.get("ava worker") ?? 0;
    const jvm = [...kinds].filter(([kind]) => kind.includes("JVM")).reduce((sum, [, ticks]) => sum + ticks, 0);
    workersTicks += worker;
    jvmTicks += jvm;
    const others = [...kinds]
      .filter(([kind]) => kind !== "ava worker" && !kind.includes("JVM"))
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ticks]) => `${kind} ${seconds(ticks)}`)
      .join("; ");
    console.log(`| ${file} | ${seconds(worker)} | ${seconds(jvm)} | ${others} | ${seconds(total(kinds))} |`);
  }
  const filesTicks = perFile.reduce((sum, [, kinds]) => sum + total(kinds), 0);
  console.log(`| **all files** | **${seconds(workersTicks)}** | **${seconds(jvmTicks)}** | | **${seconds(filesTicks)}** |`);
  console.log(
    `\nSeen by the samples: ${seconds(sampled)} CPU s; not seen (processes of less than a sample that nobody waited for, ` +
      `the last half-second of each process): ${(user + system - sampled / TICKS_PER_SECOND).toFixed(1)}. ` +
      `The sampling itself (not in the tree): ${((self.user + self.system) / 1e6).toFixed(1)} CPU s.`,
  );
}
