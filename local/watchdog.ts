/**
 * Ties a process's life to this one's. A small watchdog process holds the read end of a pipe
 * that only this process writes to; when this process ends — exit, crash, a signal, even
 * SIGKILL — the kernel closes the pipe and the watchdog stops the watched process (SIGTERM, then
 * SIGKILL 5 s later). No exit handler has to run, which a process killed by a signal never does.
 */
import { spawn } from "node:child_process";

export interface Watchdog {
  /** Stands the watchdog down: the watched process was stopped the ordinary way. */
  release(): void;
}

export interface WatchdogOptions {
  /** Stop the process's whole group (it must lead one: spawned with `detached: true`). */
  group?: boolean;
}

// Node rather than a shell: `kill` of a process group is spelled differently by every shell.
const WATCHDOG = `
const target = Number(process.argv[1]);
const stop = (signal) => { try { process.kill(target, signal); } catch { process.exit(0); } };
process.stdin.on("data", () => {});
process.stdin.on("close", () => {
  stop("SIGTERM");
  setTimeout(() => { stop("SIGKILL"); process.exit(0); }, 5000);
});`;

export function watchdogFor(pid: number, options: WatchdogOptions = {}): Watchdog {
  const target = options.group ? -pid : pid;
  // `--`: a group's target is negative, and node would take "-<pid>" for an option of its own and exit.
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG, "--", String(target)], { stdio: ["pipe", "ignore", "ignore"] });
  // Nothing is ever written: only this process's end of the pipe closing wakes the watchdog.
  watchdog.stdin.on("error", () => {});
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  return { release: () => watchdog.kill("SIGKILL") };
}
