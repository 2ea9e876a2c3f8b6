/**
 * A command a test runs in a process group of its own (so whatever it starts stops with it),
 * killed with its group in teardown if it is still running, and its output collected.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { ExecutionContext } from "ava";

export interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GroupRun {
  child: ChildProcessWithoutNullStreams;
  /** The exit code and everything printed, once the process has closed its output. */
  ended: Promise<Ended>;
  /** What it has printed so far. */
  stdout: () => string;
}

export function runInGroup(
  t: ExecutionContext,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): GroupRun {
  const child = spawn(command, args, { ...options, detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ended = new Promise<Ended>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await ended;
  });
  return { child, ended, stdout: () => stdout };
}
