/**
 * What the machine must have before `npm test` can pass, checked before anything starts: a Java
 * runtime 17 or newer (DynamoDB Local), curl and the AWS CLI (the README's walkthrough), and
 * Chromium (the API reference page). A missing one is told in one line with the command that
 * installs it, within the run's first second — not as a failure minutes into the suite.
 * Node built-ins only, so the check itself loads in milliseconds.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import * as path from "node:path";
import { chromiumPath } from "../support/chromium";

/** The Java release DynamoDB Local 3.x needs. */
export const JAVA_MAJOR = 17;

/** The full path of `command` on `env`'s PATH, as a shell would find it, or `undefined`. */
export function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The major version `java -version` reports (`"17.0.15"` → 17, the old `"1.8.0_402"` → 8). */
export function javaMajorOf(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

function javaProblem(env: NodeJS.ProcessEnv): string | undefined {
  const java = onPath("java", env);
  if (java === undefined) return `Java ${JAVA_MAJOR} or newer (for DynamoDB Local) is not on the PATH`;
  const probe = spawnSync(java, ["-version"], { encoding: "utf8", env, timeout: 5_000 });
  const major = javaMajorOf(`${probe.stderr ?? ""}${probe.stdout ?? ""}`);
  if (major === undefined) return `Java ${JAVA_MAJOR} or newer (for DynamoDB Local) is needed, and \`${java} -version\` names no version`;
  if (major < JAVA_MAJOR) return `Java ${JAVA_MAJOR} or newer (for DynamoDB Local) is needed, and ${java} is Java ${major}`;
  return undefined;
}

interface Prerequisite {
  /** What is wrong, or `undefined` when the machine has it. */
  problem(env: NodeJS.ProcessEnv): string | undefined;
  /** The Debian command that installs it. */
  install: string;
}

const PREREQUISITES: readonly Prerequisite[] = [
  { problem: javaProblem, install: "apt-get install openjdk-17-jre-headless" },
  {
    problem: (env) => (onPath("curl", env) ? undefined : "curl (for the README's walkthrough) is not on the PATH"),
    install: "apt-get install curl",
  },
  {
    problem: (env) => (onPath("aws", env) ? undefined : "the AWS CLI (for the README's walkthrough) is not on the PATH"),
    install: "apt-get install awscli",
  },
  {
    problem: (env) =>
      isExecutableFile(chromiumPath(env))
        ? undefined
        : `Chromium (for the API reference page) is not at ${chromiumPath(env)} (CHROMIUM_PATH names another browser)`,
    install: "apt-get install chromium",
  },
];

/** One line per missing prerequisite, naming it and the command that installs it; empty when all are there. */
export function missingPrerequisites(env: NodeJS.ProcessEnv = process.env): string[] {
  return PREREQUISITES.flatMap(({ problem, install }) => {
    const found = problem(env);
    return found === undefined ? [] : [`npm test: ${found}. Install it: ${install}`];
  });
}
