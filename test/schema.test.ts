/**
 * The package's surface in every Pulumi language: Pulumi's own analyzer accepts every public
 * component (it throws, naming the arg, for one no other language could pass), the committed
 * `schema.json` is exactly what it infers from the code, the schema documents every arg, output
 * and enum value, since the generated SDKs carry those descriptions and nothing else, and values
 * from another language reach the components through the same provider. One provider serves the
 * file, so its analyzer (the costliest step here) runs once.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import * as components from "../components";
import { packageProvider, packageSchemaText, PUBLIC_COMPONENTS, SCHEMA_FILE } from "../components/package-schema";
import { InvalidComponentArgsError } from "../components/validate-args";
import { ProgramFailedError, runProgram } from "../harness/mock-program";

interface SchemaProperty {
  description?: string;
}
interface PackageSchema {
  name: string;
  resources: Record<
    string,
    { description?: string; inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }
  >;
  types: Record<string, { properties?: Record<string, SchemaProperty>; enum?: ({ name: string } & SchemaProperty)[] }>;
}

const committed = (): PackageSchema => JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));

test("the analyzer accepts every public component, and schema.json is what it infers (run `npm run schema` after changing an arg)", async (t) => {
  t.timeout(3 * 60_000);
  t.is(readFileSync(SCHEMA_FILE, "utf8"), await packageSchemaText());
});

test("every component that components/index.ts exports is in the schema, as <package>:index:<Name>", (t) => {
  const exported = Object.entries(components)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof pulumi.ComponentResource)
    .map(([name]) => name);
  t.deepEqual(exported.sort(), [...PUBLIC_COMPONENTS].sort());
  const schema = committed();
  t.deepEqual(Object.keys(schema.resources).sort(), PUBLIC_COMPONENTS.map((name) => `${schema.name}:index:${name}`).sort());
});

test("every component, arg, output, type property and enum value in the schema has its description", (t) => {
  const schema = committed();
  const undocumented: string[] = [];
  const check = (where: string, properties: Record<string, SchemaProperty> = {}) => {
    for (const [name, property] of Object.entries(properties)) if (!property.description) undocumented.push(`${where}.${name}`);
  };
  for (const [token, resource] of Object.entries(schema.resources)) {
    if (!resource.description) undocumented.push(token);
    check(`${token} input`, resource.inputProperties);
    check(`${token} output`, resource.properties);
  }
  for (const [token, type] of Object.entries(schema.types)) {
    check(token, type.properties);
    for (const value of type.enum ?? []) if (!value.description) undocumented.push(`${token}.${value.name}`);
  }
  t.deepEqual(undocumented, []);
});

const EXISTING = {
  tableName: "ledger-elsewhere",
  tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger-elsewhere",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/existing",
};
const CONFIG = { "aws:region": "eu-west-1" };
const PUBLISHERS = ["444455556666"];

// Pulumi's mocks are global: this one runs alone (ava runs a file's serial tests first).
test.serial(
  "another language's values reach the components through Pulumi's component provider: checked with the same messages, built when valid",
  async (t) => {
    t.timeout(3 * 60_000);
    const provider = await packageProvider();
    // As the engine delivers a Python or YAML program's inputs: plain values, absent optionals.
    const construct = (name: string, component: string, inputs: Record<string, unknown>) => () =>
      provider.construct(name, `otrium-loyalty:index:${component}`, inputs, {});
    const refused = async (build: () => Promise<unknown>) => {
      const error = await t.throwsAsync(
        runProgram(async () => void (await build()), { config: CONFIG }),
        { instanceOf: ProgramFailedError },
      );
      t.true(error?.cause instanceof InvalidComponentArgsError, String(error?.cause));
      t.is(error?.resourcesRegistered, 0);
      return error?.message ?? "";
    };
    t.regex(
      await refused(construct("api", "LoyaltyApi", { store: EXISTING, auth: { type: "none" } })),
      /auth\.openToTheInternet: must be set: \{type: "none"\} needs openToTheInternet: true/,
    );
    t.regex(
      await refused(construct("api", "LoyaltyApi", { store: EXISTING, auth: { type: "cognito" } })),
      /auth\.userPoolArn: must be set to the Cognito user pool ARN/,
    );
    t.regex(
      await refused(construct("ingest", "LoyaltyIngest", { store: EXISTING, earnRules: { EUR: 1.125 }, publisherAccounts: PUBLISHERS })),
      /earnRules\.EUR: must have at most two decimals \(found 1\.125\)/,
    );
    t.regex(
      await refused(construct("store", "LoyaltyStore", { lifecycle: { pendingDays: 400, expiryDays: 0 } })),
      /lifecycle\.pendingDays: /,
    );

    let state: Record<string, unknown> = {};
    const run = await runProgram(
      async () => {
        const pattern = JSON.stringify({ source: ["otrium.partners"] });
        ({ state } = await construct("ingest", "LoyaltyIngest", {
          store: EXISTING,
          earnRules: { EUR: 2 },
          publisherAccounts: PUBLISHERS,
          eventPattern: pattern,
        })());
      },
      { config: CONFIG },
    );
    t.deepEqual(JSON.parse(String(run.get("aws:cloudwatch/eventRule:EventRule", "ingest-orders").inputs.eventPattern)), {
      source: ["otrium.partners"],
      account: PUBLISHERS,
    });
    t.true(
      ["queueUrl", "dlqName", "writerFunctionName"].every((output) => output in state),
      Object.keys(state).join(", "),
    );
  },
);
