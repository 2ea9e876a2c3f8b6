/**
 * The package's cross-language surface, as `pulumi package add` infers it: the component provider
 * Pulumi's plugin host makes of the package (every component `main` exports), whose analyzer
 * reads the TypeScript args and outputs, and the schema it generates from them. One place for
 * the script that writes `schema.json`, the test that holds the file to the code, and the test
 * that builds components through the provider as another language would.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ComponentProvider } from "@pulumi/pulumi/provider/experimental";

/** The repository root, whose `package.json` and `tsconfig.json` the analyzer reads. */
const ROOT = path.resolve(__dirname, "..");

/** Where the committed schema lives. */
export const SCHEMA_FILE = path.join(ROOT, "schema.json");

/** Every public component (`components/index.ts`), each a resource of the schema. */
export const PUBLIC_COMPONENTS = [
  "LoyaltyStore",
  "LoyaltyIngest",
  "LoyaltyApi",
  "LoyaltySettle",
  "LoyaltyEvents",
  "LoyaltyAlerts",
  "LoyaltyDashboard",
] as const;

const packageName = (): string => JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).name;

/** The provider name Pulumi's plugin host derives from the package name (scope dropped). */
export const providerName = (packageName: string): string => packageName.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");

let provider: Promise<ComponentProvider> | undefined;

/**
 * The package's component provider, as the plugin host builds it (`cmd/run-plugin/run.js`): named
 * from the package, over every component the entry point exports. One per process: its analyzer
 * (a TypeScript program over the whole checkout, ~10 CPU s) runs once, on the first schema or
 * successful construct, for every use. Loaded on first use, so that the constants above cost nothing.
 */
export function packageProvider(): Promise<ComponentProvider> {
  provider ??= (async () => {
    const { ComponentProvider, getPulumiComponents } = await import("@pulumi/pulumi/provider/experimental/index.js");
    const components = getPulumiComponents(await import("./index.js"));
    return new ComponentProvider({ name: providerName(packageName()), dirname: ROOT, components });
  })();
  return provider;
}

/**
 * The schema as committed: stable key order from the analyzer, two-space indent, final newline.
 * Throws the analyzer's own message for an arg or output no other language could pass or read.
 */
export async function packageSchemaText(): Promise<string> {
  const schema: unknown = JSON.parse(await (await packageProvider()).getSchema());
  return `${JSON.stringify(schema, null, 2)}\n`;
}
