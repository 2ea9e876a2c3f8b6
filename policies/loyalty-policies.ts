/**
 * Every policy of the pack, in one list: the pack (`index.ts`) and the in-process runner both
 * take it from here, so the CLI and CI judge with the same code.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { alarmMetricDocumented } from "./rules/alarm-metrics";
import { apiAdminTreeRestricted } from "./rules/api-access";
import { deadLetterPolicies } from "./rules/dead-letters";
import { encryptionPolicies } from "./rules/encryption";
import { eventDeliveryPolicies } from "./rules/event-delivery";
import { hygienePolicies } from "./rules/hygiene";
import { ledgerSettingsAgree } from "./rules/ledger-settings";
import { servicePrincipalsHeldToAccount } from "./rules/service-principals";

export const PACK_NAME = "otrium-loyalty";

/** The level of every policy that neither sets its own nor is set by the stack's pack config. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const loyaltyPolicies: Policies = [
  ...encryptionPolicies,
  ...deadLetterPolicies,
  ...eventDeliveryPolicies,
  ...hygienePolicies,
  alarmMetricDocumented,
  apiAdminTreeRestricted,
  servicePrincipalsHeldToAccount,
  ledgerSettingsAgree,
];
