/**
 * A stack's policy pack config: `policies/config/<stack>.json`, the file CI passes to the CLI as
 * `--policy-pack-config`. The runner and the tests read it here, so both judge with the file.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";

const CONFIG_DIR = path.resolve(__dirname, "../config");

/** The stack's pack config; none (every policy at its own level) when the stack has no file. */
export function packConfigFor(stack: string): PolicyPackConfig {
  const file = path.join(CONFIG_DIR, `${stack}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig) : {};
}
