/**
 * The package's surface in every Pulumi language: Pulumi's own analyzer accepts every public
 * component (it throws, naming the arg, for one no other language could pass), the committed
 * `schema.json` is exactly what it infers from the code, and the schema documents every arg,
 * output and enum value, since the generated SDKs carry those descriptions and nothing else.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import * as components from "../components";
import { packageSchemaText, PUBLIC_COMPONENTS, SCHEMA_FILE } from "../components/package-schema";

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

test("the analyzer accepts every public component, and schema.json is what it infers (run `npm run schema` after changing an arg)", (t) => {
  t.timeout(3 * 60_000);
  t.is(readFileSync(SCHEMA_FILE, "utf8"), packageSchemaText());
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
