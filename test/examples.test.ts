/**
 * The Python and YAML examples cannot run here (no Pulumi CLI, no Python SDK): what can drift is
 * their property names, so each is held to the committed schema.json — the component types, every
 * arg (and the fields of its named types), every output they read, every enum value they name.
 * Python spells names in snake_case, which the generated SDK maps back to the schema's camelCase.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import test from "ava";
import { parse } from "yaml";
import { SCHEMA_FILE } from "../components/package-schema";

interface SchemaProperty {
  $ref?: string;
}
interface PackageSchema {
  name: string;
  resources: Record<string, { inputProperties: Record<string, SchemaProperty>; properties: Record<string, SchemaProperty> }>;
  types: Record<string, { properties?: Record<string, SchemaProperty>; enum?: { name: string; value: string }[] }>;
}

const schema: PackageSchema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
const token = (name: string) => `${schema.name}:index:${name}`;
const typeOf = (property: SchemaProperty | undefined) => (property?.$ref ? schema.types[property.$ref.replace("#/types/", "")] : undefined);
const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
const example = (file: string) => readFileSync(path.resolve(__dirname, "../examples", file), "utf8");

/** The text between the parenthesis at `open` and its match. */
function argumentsAt(source: string, open: number): string {
  let depth = 0;
  for (let index = open; index < source.length; index++) {
    if (source[index] === "(" || source[index] === "[" || source[index] === "{") depth++;
    if (source[index] === ")" || source[index] === "]" || source[index] === "}") depth--;
    if (depth === 0) return source.slice(open + 1, index);
  }
  throw new Error("unbalanced parentheses");
}

/** The keyword names of a call's own arguments (not those of calls nested in them). */
function keywords(args: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const [index, char] of [...args].entries()) {
    if ("([{".includes(char)) depth++;
    if (")]}".includes(char)) depth--;
    if (depth === 0 && char === "=" && args[index + 1] !== "=") names.push(/(\w+)\s*$/.exec(args.slice(0, index))?.[1] ?? "");
  }
  return names;
}

test("the Python example names only components, args, types, outputs and enum values that schema.json has", (t) => {
  const source = example("python/__main__.py").replace(/#.*$/gm, "");
  const variables = new Map<string, string>();
  const problems: string[] = [];
  let checked = 0;
  for (const call of source.matchAll(/(?:(\w+)\s*=\s*)?loyalty\.(\w+)\(/g)) {
    const [, variable, name = ""] = call;
    const properties = schema.resources[token(name)]?.inputProperties ?? schema.types[token(name.replace(/Args$/, ""))]?.properties;
    if (!properties) {
      problems.push(`loyalty.${name} is in no schema resource or type`);
      continue;
    }
    if (variable && schema.resources[token(name)]) variables.set(variable, name);
    for (const keyword of keywords(argumentsAt(source, (call.index ?? 0) + call[0].length - 1))) {
      checked++;
      if (!properties[camel(keyword)]) problems.push(`${name}(${keyword}=…)`);
    }
  }
  for (const [, variable = "", output = ""] of source.matchAll(/\b(\w+)\.(\w+)\b(?!\s*\()/g)) {
    const resource = variables.get(variable);
    if (!resource) continue;
    checked++;
    if (!schema.resources[token(resource)]?.properties[camel(output)]) problems.push(`${variable}.${output} (a ${resource} output)`);
  }
  for (const [, type = "", member = ""] of source.matchAll(/loyalty\.(\w+)\.([A-Z_]+)\b/g)) {
    checked++;
    if (!schema.types[token(type)]?.enum?.some((value) => value.name.toUpperCase() === member)) problems.push(`loyalty.${type}.${member}`);
  }
  t.deepEqual(problems, []);
  t.true(checked >= 20, `${checked} names checked`);
});

test("the YAML example names only components, properties, nested fields and outputs that schema.json has", (t) => {
  const program = parse(example("yaml/Pulumi.yaml")) as {
    variables?: Record<string, unknown>;
    resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
    outputs?: Record<string, unknown>;
  };
  const problems: string[] = [];
  let checked = 0;
  /** A `${variable}` stands for the variable's value; anything else is itself. */
  const resolve = (value: unknown): unknown => {
    const reference = typeof value === "string" ? /^\$\{(\w+)\}$/.exec(value)?.[1] : undefined;
    return reference !== undefined && program.variables && reference in program.variables ? program.variables[reference] : value;
  };
  const checkFields = (where: string, given: Record<string, unknown>, properties: Record<string, SchemaProperty>) => {
    for (const [key, raw] of Object.entries(given)) {
      checked++;
      const property = properties[key];
      if (!property) {
        problems.push(`${where}.${key}`);
        continue;
      }
      const value = resolve(raw);
      const type = typeOf(property);
      if (type?.properties && value && typeof value === "object")
        checkFields(`${where}.${key}`, value as Record<string, unknown>, type.properties);
      if (type?.enum && !type.enum.some((member) => member.value === value)) problems.push(`${where}.${key}: ${String(value)}`);
    }
  };
  const types = new Map<string, string>();
  for (const [name, resource] of Object.entries(program.resources)) {
    const definition = schema.resources[resource.type];
    if (!definition) {
      problems.push(`${name}: ${resource.type}`);
      continue;
    }
    types.set(name, resource.type);
    checkFields(name, resource.properties ?? {}, definition.inputProperties);
  }
  for (const [, name = "", output = ""] of JSON.stringify(program).matchAll(/\$\{(\w+)\.(\w+)\}/g)) {
    const type = types.get(name);
    if (!type) continue;
    checked++;
    if (!schema.resources[type]?.properties[output]) problems.push(`\${${name}.${output}}`);
  }
  t.deepEqual(problems, []);
  t.true(checked >= 20, `${checked} names checked`);
});
