/**
 * Evaluates policies over captured resources the way the policy server does: the enforcement
 * level from the pack config, then the policy's own, then the pack's; a policy that reads a
 * value unknown during preview yields an advisory "can't run during preview"; a policy that
 * declares itself not applicable yields nothing.
 */
import type { EnforcementLevel, Policies, PolicyPackConfig, ReportViolation } from "@pulumi/policy";
import type { CapturedResource } from "../../harness/mock-program";
import { PACK_ENFORCEMENT_LEVEL } from "../loyalty-policies";
import { cantRunDuringPreview, enforcementLevelOf, reportedLevel, UnknownValueError } from "../../harness/sdk-internals";
import { NotApplicableError, resourceArgs, stackArgs, type PolicyConfigLookup } from "./validation-args";

export interface Diagnostic {
  policy: string;
  level: EnforcementLevel;
  /** The resource the violation is about; absent for a stack-wide one. */
  urn?: string;
  message: string;
}

type Policy = Policies[number];

const configLookup =
  (config: PolicyPackConfig): PolicyConfigLookup =>
  (name) => {
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
      diagnostics.push({ policy: policy.name, level: "advisory", urn, message: cantRunDuringPreview(policy.name, error) });
    } else if (!(error instanceof NotApplicableError)) {
      throw error;
    }
  }
}

export async function evaluatePolicies(
  resources: CapturedResource[],
  policies: Policies,
  config: PolicyPackConfig = {},
  packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const lookup = configLookup(config);
  for (const policy of policies) {
    const level = enforcementLevelOf(policy, config, packLevel);
    if (level === "disabled") continue;
    const reported = reportedLevel(level);
    if ("validateResource" in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const resource of resources) {
        for (const validate of validations) {
          await judge(
            policy,
            reported,
            (report) => validate(resourceArgs(resource, policy.name, lookup), report),
            diagnostics,
            resource.urn,
          );
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
