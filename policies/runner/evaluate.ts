/**
 * Evaluates policies over captured resources the way the policy server does: the enforcement
 * level from the pack config, then the policy's own, then the pack's; a policy that reads a
 * value unknown during preview yields an advisory "can't run during preview"; a policy that
 * declares itself not applicable yields nothing.
 */
import {
  UnknownValueError,
  type EnforcementLevel,
  type Policies,
  type PolicyPackConfig,
  type ReportViolation,
} from "@pulumi/policy";
import type { CapturedResource } from "../../harness/mock-program";
import { NotApplicableError, resourceArgs, stackArgs, type PolicyConfigLookup } from "./validation-args";

export interface Diagnostic {
  policy: string;
  level: EnforcementLevel;
  /** The resource the violation is about; absent for a stack-wide one. */
  urn?: string;
  message: string;
}

type Policy = Policies[number];

function levelOf(policy: Policy, config: PolicyPackConfig, packLevel: EnforcementLevel): EnforcementLevel {
  const configured = config[policy.name] ?? config.all;
  const fromConfig = typeof configured === "string" ? configured : configured?.enforcementLevel;
  return fromConfig ?? policy.enforcementLevel ?? packLevel;
}

const configLookup = (config: PolicyPackConfig): PolicyConfigLookup => (name) => {
  const entry = config[name];
  if (entry === undefined || typeof entry === "string") return {};
  const { enforcementLevel: _level, ...rest } = entry;
  return rest;
};

/** Runs one validation; the policy server's handling of its outcome. */
async function judge(
  policy: Policy,
  level: EnforcementLevel,
  run: (report: ReportViolation) => Promise<void> | void,
  diagnostics: Diagnostic[],
  urn?: string,
): Promise<void> {
  const report: ReportViolation = (message, violationUrn) => {
    diagnostics.push({ policy: policy.name, level, urn: violationUrn ?? urn, message });
  };
  try {
    await run(report);
  } catch (error) {
    if (error instanceof UnknownValueError) {
      const reason = error instanceof Error ? error.message : String(error);
      diagnostics.push({ policy: policy.name, level: "advisory", urn, message: `can't run policy '${policy.name}' during preview: ${reason}` });
    } else if (!(error instanceof NotApplicableError)) {
      throw error;
    }
  }
}

export async function evaluatePolicies(
  resources: CapturedResource[],
  policies: Policies,
  config: PolicyPackConfig = {},
  packLevel: EnforcementLevel = "mandatory",
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const lookup = configLookup(config);
  for (const policy of policies) {
    const level = levelOf(policy, config, packLevel);
    if (level === "disabled") continue;
    // As the server does, a violation at "remediate" is reported as mandatory.
    const reported = level === "remediate" ? "mandatory" : level;
    if ("validateResource" in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const resource of resources) {
        for (const validate of validations) {
          await judge(policy, reported, (report) => validate(resourceArgs(resource, policy.name, lookup), report), diagnostics, resource.urn);
        }
      }
    }
    if ("validateStack" in policy) {
      await judge(policy, reported, (report) => policy.validateStack(stackArgs(resources, policy.name, lookup), report), diagnostics);
    }
  }
  return diagnostics;
}

/** The diagnostics that fail a run. */
export const mandatoryViolations = (diagnostics: Diagnostic[]): Diagnostic[] =>
  diagnostics.filter((diagnostic) => diagnostic.level === "mandatory");
