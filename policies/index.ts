/**
 * The otrium-loyalty policy pack, for `pulumi preview --policy-pack policies`. It only
 * assembles: constructing a PolicyPack starts the policy server and keeps the process alive,
 * so nothing else (the runner, the tests) may import this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { loyaltyPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./loyalty-policies";

new PolicyPack(PACK_NAME, {
  description: "Encryption and dead-letter guardrails of the Otrium loyalty program",
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies: loyaltyPolicies,
});
