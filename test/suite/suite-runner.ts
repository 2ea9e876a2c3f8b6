/**
 * What `npm test` runs: the steps of the suite one after another, with what the test files share
 * started once for the whole run (see `shared-services.ts`) — started alongside the first step (the type check), named to the later steps through
 * the environment, and stopped however the run ends: success, a failed step, a step that
 * crashes, SIGINT or SIGTERM (passed on to the running step first), or an error here. If this
 * process is killed outright, the watchdogs stop the services and the running step's group.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { watchdogFor } from "../../local/watchdog";
import type { ServiceStarter, SharedService } from "./shared-services";

/** A command of the suite: it passes when it exits 0. */
export interface Step {
  command: string;
  args: readonly string[];
}

export interface SuitePlan {
  /** Started alongside the first step, each once, and stopped when the run ends. */
  services: readonly ServiceStarter[];
  /** Runs while the shared services start (it needs none of them). */
  alongsideStart?: Step;
  /** Run one after another once the services are up, each with their environment; the first that fails ends the run. */
  steps: readonly Step[];
  /** The working directory of every step. */
  cwd: string;
  /** Told once what the steps are given and which processes serve them. */
  onShared?: (shared: { env: Record<string, string>; pids: number[] }) => void;
}

const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? 128 + (signal === null ? 1 : constants.signals[signal]);

/**
 * Runs the plan; resolves with the exit code `npm test` should end with (the failed step's, or
 * 128 + the signal's number when stopped by one), after everything shared has stopped.
 */
export async function runSuite(plan: SuitePlan): Promise<number> {
  const interrupted = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  let running: { stop(signal: NodeJS.Signals): void } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    running?.stop(signal);
    interrupted.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const services: SharedService[] = [];
  const run = (step: Step, env: NodeJS.ProcessEnv): Promise<number> => {
    if (interrupted.signal.aborted) return Promise.resolve(1);
    // Its own process group, so a signal and the watchdog reach whatever the step started.
    const child = spawn(step.command, [...step.args], { cwd: plan.cwd, env, stdio: "inherit", detached: true });
    const pid = child.pid;
    const watchdog = pid === undefined ? undefined : watchdogFor(pid, { group: true });
    const stop = (signal: NodeJS.Signals) => {
      try {
        if (pid !== undefined) process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    running = { stop };
    return new Promise<number>((resolve) => {
      child.once("error", () => resolve(127));
      child.once("exit", (code, signal) => resolve(exitCodeOf(code, signal)));
    }).finally(() => {
      // Whatever the step left in its group goes with it.
      stop("SIGKILL");
      watchdog?.release();
      running = undefined;
    });
  };

  try {
    const starting = plan.services.map((start) =>
      start(interrupted.signal).then((service) => {
        services.push(service);
        return service;
      }),
    );
    const [first, ...started] = await Promise.allSettled([
      plan.alongsideStart ? run(plan.alongsideStart, process.env) : Promise.resolve(0),
      ...starting,
    ]);
    if (first?.status === "rejected") throw first.reason;
    if (stoppedBy) return exitCodeOf(null, stoppedBy);
    if (first && first.value !== 0) return first.value;
    for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
    const given: Record<string, string> = {};
    for (const service of services) Object.assign(given, service.env);
    plan.onShared?.({ env: given, pids: services.flatMap((service) => service.pids) });
    const env = { ...process.env, ...given };
    for (const step of plan.steps) {
      const code = await run(step, env);
      if (stoppedBy) return exitCodeOf(null, stoppedBy);
      if (code !== 0) return code;
    }
    return 0;
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
