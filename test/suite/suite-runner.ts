/**
 * What `npm test` runs: the suite's steps, with what the test files share started once for the
 * whole run (see `shared-services.ts`) and named to the steps through the environment. The steps
 * that need none of it (the type check, the policy check) run beside the others from the start,
 * so that neither holds a core idle at the start or the end of the run; their output is held and
 * printed whole when each ends, so it never interleaves with the tests'. The first step to fail
 * ends the run; the services are stopped however it ends: success, a failed step, a step that
 * crashes, SIGINT or SIGTERM (passed on to the running steps first), or an error here. If this
 * process is killed outright, the watchdogs stop the services and the running steps' groups.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import * as path from "node:path";
import { watchdogFor } from "../../local/watchdog";
import type { ServiceStarter, SharedService } from "./shared-services";

/** A command of the suite: it passes when it exits 0. */
export interface Step {
  command: string;
  args: readonly string[];
}

export interface SuitePlan {
  /** Started at once, each once, and stopped when the run ends. */
  services: readonly ServiceStarter[];
  /** Run from the start, beside everything else: they need none of the services. Their output is held, then printed whole. */
  fromTheStart?: readonly Step[];
  /** Run one after another once the services are up, each with their environment; their output comes as it is printed. */
  steps: readonly Step[];
  /** Run beside `steps` once the services are up, with their environment. Their output is held, then printed whole. */
  besideSteps?: readonly Step[];
  /** The working directory of every step. */
  cwd: string;
  /** Told once what the steps are given and which processes serve them. */
  onShared?: (shared: { env: Record<string, string>; pids: number[] }) => void;
}

const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? 128 + (signal === null ? 1 : constants.signals[signal]);

const nameOf = (step: Step): string => [path.basename(step.command), ...step.args].join(" ");

/**
 * Runs the plan; resolves with the exit code `npm test` should end with (the first failed step's,
 * or 128 + the signal's number when stopped by one), after every step has ended and everything
 * shared has stopped.
 */
export async function runSuite(plan: SuitePlan): Promise<number> {
  // Aborted by a signal or by a failed step: nothing more starts, and the running steps are stopped.
  const interrupted = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  let failedWith: number | undefined;
  const running = new Set<(signal: NodeJS.Signals) => void>();
  const stopEverything = (signal: NodeJS.Signals) => {
    interrupted.abort();
    for (const stop of running) stop(signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    stopEverything(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  /** The first failure ends the run; what fails after it (stopped by it, mostly) changes nothing. */
  const failed = (step: Step, code: number) => {
    if (interrupted.signal.aborted) return;
    failedWith = code;
    if (running.size > 0) console.error(`npm test: ${nameOf(step)} failed (exit ${code}): stopping the other steps`);
    stopEverything("SIGTERM");
  };

  const services: SharedService[] = [];
  /** Runs a step in a process group of its own; `held` keeps its output until it ends, then prints it in one piece. */
  const run = async (step: Step, env: NodeJS.ProcessEnv, held: boolean): Promise<number> => {
    if (interrupted.signal.aborted) return 1;
    // Its own process group, so a signal and the watchdog reach whatever the step started.
    const child = spawn(step.command, [...step.args], {
      cwd: plan.cwd,
      env,
      stdio: held ? ["ignore", "pipe", "pipe"] : "inherit",
      detached: true,
    });
    const output: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const pid = child.pid;
    const watchdog = pid === undefined ? undefined : watchdogFor(pid, { group: true });
    const stop = (signal: NodeJS.Signals) => {
      try {
        if (pid !== undefined) process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    running.add(stop);
    const code = await new Promise<number>((resolve) => {
      child.once("error", () => resolve(127));
      child.once("exit", (exitCode, signal) => resolve(exitCodeOf(exitCode, signal)));
    });
    const stopped = interrupted.signal.aborted;
    // Whatever the step left in its group goes with it.
    stop("SIGKILL");
    watchdog?.release();
    running.delete(stop);
    if (held) {
      if (pid !== undefined) await closed;
      const verdict = code === 0 ? "passed" : stopped ? `stopped (exit ${code})` : `failed (exit ${code})`;
      process.stdout.write(`\n── ${nameOf(step)}: ${verdict} ──\n${Buffer.concat(output).toString()}`);
    }
    if (code !== 0) failed(step, code);
    return code;
  };
  const runHeld = (steps: readonly Step[] | undefined, env: NodeJS.ProcessEnv) => (steps ?? []).map((step) => run(step, env, true));

  try {
    const starting = plan.services.map((start) =>
      start(interrupted.signal).then((service) => {
        services.push(service);
        return service;
      }),
    );
    const fromTheStart = runHeld(plan.fromTheStart, process.env);
    const afterStart = (async () => {
      const started = await Promise.allSettled(starting);
      // A service given up on because the run was stopped is no failure of its own.
      if (interrupted.signal.aborted) return;
      for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
      const given: Record<string, string> = {};
      for (const service of services) Object.assign(given, service.env);
      plan.onShared?.({ env: given, pids: services.flatMap((service) => service.pids) });
      const env = { ...process.env, ...given };
      const beside = runHeld(plan.besideSteps, env);
      for (const step of plan.steps) if ((await run(step, env, false)) !== 0) break;
      await Promise.all(beside);
    })().catch((error: unknown) => {
      stopEverything("SIGTERM");
      throw error;
    });
    const [mainOutcome] = await Promise.allSettled([afterStart, ...fromTheStart]);
    if (mainOutcome?.status === "rejected") throw mainOutcome.reason;
    if (stoppedBy) return exitCodeOf(null, stoppedBy);
    return failedWith ?? 0;
  } finally {
    // Stopped together; one that fails to stop does not keep the others running.
    const stopped = await Promise.allSettled(services.map((service) => service.stop()));
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // A service that did not stop fails the run whatever the steps did: a JVM left behind is a bug.
    // biome-ignore lint/correctness/noUnsafeFinally: that failure must win over the steps' outcome
    for (const outcome of stopped) if (outcome.status === "rejected") throw outcome.reason;
  }
}
