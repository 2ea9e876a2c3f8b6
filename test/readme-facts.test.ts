/**
 * The README names what the code defines: every error code a client can receive, every
 * variable a handler reads and every stack config key with its default. A code, variable or
 * default added or changed without its line in the README fails here.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import test from "ava";
import * as v from "valibot";
import { GATEWAY_ANSWERS } from "../components/gateway-responses";
import { StackConfigSchema } from "../config/stack-config";
import { ERROR_CODES } from "../handlers/http/responses";
import { HANDLER_ENV_VARIABLES } from "../handlers/runtime/env";
import { functionEnvironment, type FunctionName } from "../handlers/runtime/function-env";
import { loyaltyPolicies } from "../policies/loyalty-policies";
import { runStack } from "../harness/stack-run";

const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const section = (heading: string): string => {
  const start = readme.indexOf(`\n## ${heading}`);
  const end = readme.indexOf("\n## ", start + 1);
  return start === -1 ? "" : readme.slice(start, end === -1 ? undefined : end);
};

test("every error code of the functions and of API Gateway's answers is in the README", (t) => {
  const codes = [...ERROR_CODES, ...GATEWAY_ANSWERS.map((answer) => answer.code)];
  t.deepEqual(
    codes.filter((code) => !new RegExp(`\\b${code}\\b`).test(readme)),
    [],
  );
});

test("every variable the handlers read is in the README's environment table", (t) => {
  const table = section("Handler environment");
  t.true(table.length > 0, "the section exists");
  t.deepEqual(
    HANDLER_ENV_VARIABLES.filter((name) => !table.includes(`| \`${name}\` |`)),
    [],
  );
});

/** How the stack config table writes a default: `none` for no value or no entries, code for text and objects. */
function describeDefault(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return "none";
  if (typeof value === "string") return `\`${value}\``;
  if (typeof value === "object" && value !== null) {
    const fields = Object.entries(value).map(([key, field]) => `${key}: ${String(field)}`);
    return `\`{${fields.join(", ")}}\``;
  }
  return String(value);
}

/**
 * Every key of the stack config and the default its schema applies; the keys of a group whose
 * default is empty (`writer`, `api`) are listed one by one (`writer.timeoutSeconds`).
 */
function stackConfigDefaults(): Map<string, string> {
  const defaults = new Map<string, string>();
  const walk = (entries: v.ObjectEntries, prefix: string) => {
    for (const [key, schema] of Object.entries(entries)) {
      const value: unknown = schema.type === "optional" ? v.getDefault(schema) : undefined;
      const group =
        "wrapped" in schema && typeof schema.wrapped === "object" && schema.wrapped !== null && "entries" in schema.wrapped
          ? schema.wrapped.entries
          : undefined;
      if (group && typeof value === "object" && value !== null && Object.keys(value).length === 0)
        walk(group as v.ObjectEntries, `${prefix}${key}.`);
      else defaults.set(`${prefix}${key}`, schema.type === "optional" ? describeDefault(value) : "— (required)");
    }
  };
  walk(StackConfigSchema.entries, "");
  return defaults;
}

test("the README's stack config table lists every key with the default the schema applies", (t) => {
  const rows = new Map(
    [...readme.matchAll(/^\| `([\w.:]+)` \| ([^|]+) \|.*\|$/gm)]
      .filter((row) => section("Deploying (Pulumi)").includes(row[0]))
      .map((row) => [row[1] ?? "", (row[2] ?? "").trim()]),
  );
  rows.delete("aws:region"); // the provider's key, not this project's
  t.deepEqual(Object.fromEntries(rows), Object.fromEntries(stackConfigDefaults()));
});

test("the README's environment table says which functions get each variable, as the builders write them", (t) => {
  const api = { tableName: "t", logLevel: "info", allowedOrigins: [], adminPrincipals: [], adminGroup: "g" };
  const tiers = { levels: [{ name: "Member", threshold: 0, multiplier: 1 }], windowDays: 365 };
  const written: Record<FunctionName, object> = {
    writer: functionEnvironment.writer({
      tableName: "t",
      earnRules: {},
      eventSource: "s",
      publisherAccounts: [],
      lifecycle: { pendingDays: 0, expiryDays: 0 },
      tiers,
      dlqUrl: "q",
      logLevel: "info",
    }),
    reader: functionEnvironment.reader({ ...api, tiers }),
    redeemer: functionEnvironment.redeemer(api),
    admin: functionEnvironment.admin({ ...api, lifecycle: { pendingDays: 0, expiryDays: 0 } }),
    settle: functionEnvironment.settle({ tableName: "t", logLevel: "info", expiringSoonDays: 30, tiers }),
    publisher: functionEnvironment.publisher({ tableName: "t", eventBusName: "b", logLevel: "info" }),
  };
  const functions = Object.keys(written) as FunctionName[];
  const usedBy = (name: string): string => {
    const users = functions.filter((fn) => name in written[fn]);
    return users.length === functions.length ? "all" : users.join(", ");
  };
  const table = section("Handler environment");
  const rows = Object.fromEntries([...table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((row) => [row[1] ?? "", (row[2] ?? "").trim()]));
  t.deepEqual(rows, Object.fromEntries(HANDLER_ENV_VARIABLES.map((name) => [name, usedBy(name)])));
});

test("the README's policy table lists every policy of the pack", (t) => {
  const table = section("Policies (guardrails)");
  const listed = [...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((row) => row[1]);
  t.deepEqual(listed.sort(), loyaltyPolicies.map((policy) => policy.name).sort());
});

test("the README's count of what each stack creates is the program's", async (t) => {
  const counts = new Map<string, { aws: number; components: number }>();
  for (const stack of ["dev", "prod"]) {
    const { resources } = await runStack(stack);
    counts.set(stack, { aws: resources.filter((r) => r.custom).length, components: resources.filter((r) => !r.custom).length });
  }
  const heading = /^### What a stack creates \(dev: (\d+) AWS resources in (\d+) components; prod: (\d+) /m.exec(readme);
  t.truthy(heading, "the heading states the counts");
  t.deepEqual(
    { dev: { aws: Number(heading?.[1]), components: Number(heading?.[2]) }, prod: Number(heading?.[3]) },
    { dev: counts.get("dev"), prod: counts.get("prod")?.aws },
  );
});
