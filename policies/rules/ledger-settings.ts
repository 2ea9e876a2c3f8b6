/**
 * One ledger, one set of rules: the functions of a ledger table read its tiers and its points
 * lifecycle from their environment (`TIERS`, `POINTS_LIFECYCLE`), and each reads them alone. A
 * writer earning by one set and a reader or settle answering by another would tell customers a
 * level, a multiplier or a release date the ledger does not keep; a value the handlers refuse
 * would fail every invocation at init. The components give every function the same settings; a
 * stack wiring its own functions to a ledger is held to the same.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { InvalidEnvironmentError, pointsLifecycleOf, tiersOf } from "../../handlers/runtime/env";
import { known } from "./reading";
import { TYPES } from "./resource-types";

/** The ledger settings every function of a table must agree on, each read as the handlers read it. */
const SETTINGS = {
  TIERS: (text: string) => tiersOf({ TIERS: text }),
  POINTS_LIFECYCLE: (text: string) => pointsLifecycleOf({ POINTS_LIFECYCLE: text }),
} as const;

/** The table a function works on: the table resource its environment came from, else its known `TABLE_NAME`. */
function tableOf(fn: PolicyResource): string | undefined {
  const table = (fn.propertyDependencies.environment ?? []).find((source) => source.type === TYPES.table);
  if (table) return table.urn;
  const name = known(known(known(fn.props, "environment"), "variables"), "TABLE_NAME");
  return typeof name === "string" ? `table named ${name}` : undefined;
}

export const ledgerSettingsAgree: StackValidationPolicy = {
  name: "ledger-settings-agree",
  description:
    "The functions of one ledger table carry the same TIERS and the same POINTS_LIFECYCLE where they carry them, each a value the handlers accept.",
  remediationSteps:
    "Give the tiers and the lifecycle to the ledger once (LoyaltyStore's tiers, the stack's pointsLifecycle) and let the components pass them on; a function of your own on the table takes the same JSON.",
  validateStack: (args, report) => {
    const functions = args.resources.filter((resource) => resource.type === TYPES.lambdaFunction);
    for (const [variable, parse] of Object.entries(SETTINGS)) {
      /** Per table: each distinct setting (as parsed, so spacing and key order do not count) and the functions carrying it. */
      const byTable = new Map<string, Map<string, string[]>>();
      for (const fn of functions) {
        const text = known(known(known(fn.props, "environment"), "variables"), variable);
        if (typeof text !== "string") continue;
        let setting: string;
        try {
          setting = JSON.stringify(parse(text));
        } catch (error) {
          if (!(error instanceof InvalidEnvironmentError)) throw error;
          report(
            `Function "${fn.name}": ${variable} is refused by the handlers (${error.message}): every invocation would fail at init.`,
            fn.urn,
          );
          continue;
        }
        const table = tableOf(fn);
        if (table === undefined) continue;
        const settings = byTable.get(table) ?? new Map<string, string[]>();
        settings.set(setting, [...(settings.get(setting) ?? []), fn.name]);
        byTable.set(table, settings);
      }
      for (const settings of byTable.values()) {
        if (settings.size < 2) continue;
        const sides = [...settings.entries()].map(([setting, names]) => `${names.map((name) => `"${name}"`).join(", ")}: ${setting}`);
        report(`The functions of one ledger table disagree on ${variable} (${sides.join("; ")}): give them one value.`);
      }
    }
  },
};
