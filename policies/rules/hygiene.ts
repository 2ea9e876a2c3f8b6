/**
 * Hygiene guardrails: data that can be restored, an API that leaves a trail and lets no
 * anonymous caller in, functions on a runtime AWS still patches.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { field, isSet, known } from "./reading";
import { TYPES } from "./resource-types";

/** Lambda runtimes AWS supports (nodejs20.x was deprecated on 2026-04-30). */
export const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;

export const dynamodbPitrEnabled: ResourceValidationPolicy = {
  name: "dynamodb-pitr-enabled",
  description: "DynamoDB tables have point-in-time recovery on.",
  remediationSteps: "Set pointInTimeRecovery: { enabled: true } (LoyaltyStore's default).",
  validateResource: (args, report) => {
    if (args.type !== TYPES.table) return;
    const pitr = field(args.props, "pointInTimeRecovery");
    if (pitr.state === "unknown") return;
    if (pitr.state === "absent" || known(pitr.value, "enabled") !== true) {
      report("Point-in-time recovery is off: a bad write could not be undone. Set pointInTimeRecovery.enabled: true.");
    }
  },
};

export const apiStageAccessLogging: ResourceValidationPolicy = {
  name: "api-stage-access-logging",
  description: "API Gateway stages write access logs.",
  remediationSteps: "Set accessLogSettings: { destinationArn: <log group ARN>, format: <JSON format> } on the stage.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.apiStage) return;
    const settings = field(args.props, "accessLogSettings");
    if (settings.state === "unknown") return;
    if (settings.state === "absent" || !isSet(settings.value, "destinationArn") || !isSet(settings.value, "format")) {
      report("The stage writes no access logs: set accessLogSettings.destinationArn and format.");
    }
  },
};

export const apiMethodsAuthorized: ResourceValidationPolicy = {
  name: "api-methods-authorized",
  description: "API Gateway methods require authorization (CORS preflight OPTIONS excepted).",
  remediationSteps:
    'Use auth { type: "cognito" } or { type: "iam" } for the stack\'s API; { type: "none", openToTheInternet: true } is for throwaway experiments only.',
  validateResource: (args, report) => {
    if (args.type !== TYPES.apiMethod) return;
    // Browsers send preflight requests without credentials.
    if (known(args.props, "httpMethod") === "OPTIONS") args.notApplicable("CORS preflight cannot carry credentials");
    if (known(args.props, "authorization") === "NONE") {
      report(`${String(known(args.props, "httpMethod"))} is open to anyone: set authorization to COGNITO_USER_POOLS or AWS_IAM.`);
    }
  },
};

/**
 * What cannot be recreated without losing data: the ledger, the queues holding messages (events
 * not yet credited, dead letters waiting for a redrive), and the keys they are encrypted with.
 */
export const statefulResourcesProtected: StackValidationPolicy = {
  name: "stateful-resources-protected",
  description:
    "DynamoDB tables, SQS queues, and the KMS keys that encrypt them, are protected from deletion and replacement (Pulumi's protect).",
  remediationSteps: "Set the resource option protect: true (the components do with deletionProtection).",
  validateStack: (args, report) => {
    const holders = args.resources.filter((r) => r.type === TYPES.table || r.type === TYPES.queue);
    const keys = new Set(
      holders.flatMap((holder) =>
        [...(holder.propertyDependencies.serverSideEncryption ?? []), ...(holder.propertyDependencies.kmsMasterKeyId ?? [])]
          .filter((s) => s.type === TYPES.kmsKey)
          .map((s) => s.urn),
      ),
    );
    const noun = { [TYPES.table]: "Table", [TYPES.queue]: "Queue" } as Record<string, string>;
    for (const resource of args.resources) {
      const stateful = resource.type === TYPES.table || resource.type === TYPES.queue || keys.has(resource.urn);
      if (stateful && !resource.opts.protect) {
        report(
          `${noun[resource.type] ?? "Key"} "${resource.name}" is not protected: a destroy or a replacing change would delete it and what it holds. Set protect: true.`,
          resource.urn,
        );
      }
    }
  },
};

export const lambdaRuntimeSupported: ResourceValidationPolicy = {
  name: "lambda-runtime-supported",
  description: `Lambda functions run on a supported runtime (${SUPPORTED_RUNTIMES.join(", ")}).`,
  remediationSteps: `Set runtime to one of ${SUPPORTED_RUNTIMES.join(", ")}.`,
  validateResource: (args, report) => {
    if (args.type !== TYPES.lambdaFunction) return;
    if (known(args.props, "packageType") === "Image") args.notApplicable("container images bring their own runtime");
    const runtime = field(args.props, "runtime");
    if (runtime.state === "unknown") return;
    const value = runtime.state === "known" ? String(runtime.value) : "(none)";
    if (!SUPPORTED_RUNTIMES.some((supported) => supported === value)) {
      report(`Runtime ${value} is not supported: set runtime to one of ${SUPPORTED_RUNTIMES.join(", ")}.`);
    }
  },
};

export const hygienePolicies = [
  dynamodbPitrEnabled,
  apiStageAccessLogging,
  apiMethodsAuthorized,
  lambdaRuntimeSupported,
  statefulResourcesProtected,
];
