/**
 * What the API (`LoyaltyApi`; the stack config's `api` keys) gets when a setting is not given:
 * IAM auth, the secure choice. The stack config schema, the component's argument schema and its
 * fallbacks read these; the README's stack config table is held to them by a test.
 */
import { FUNCTION_DEFAULTS } from "./function-defaults";
import { noEntries } from "./no-entries";

export const API_DEFAULTS = {
  auth: { type: "iam" },
  stageName: "v1",
  /** No IAM caller is an admin unless listed. */
  adminPrincipals: noEntries,
  /** No browser origin: no CORS headers, no preflight methods. */
  allowedOrigins: noEntries,
  throttle: { rateLimit: 50, burstLimit: 100 },
  /** The region's API Gateway logging role is left to the stack that manages it. */
  manageAccountLogRole: false,
  logLevel: FUNCTION_DEFAULTS.logLevel,
  logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
  /** The alarms exist but notify nobody. */
  alarmActions: noEntries,
} as const;
