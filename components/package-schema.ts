/**
 * The package's cross-language surface, as `pulumi package add` infers it: Pulumi's own component
 * analyzer over the TypeScript args and outputs, and the schema it generates from them. One place
 * for the script that writes `schema.json` and the test that holds the file to the code.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, type PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

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

interface PackageManifest {
  name: string;
  version: string;
  description: string;
}

const readManifest = (): PackageManifest & Record<string, unknown> => JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** The provider name Pulumi's plugin host derives from the package name (scope dropped). */
export const providerName = (packageName: string): string => packageName.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");

/**
 * Analyzes the components as the plugin host does and generates the package schema; throws the
 * analyzer's own message for an arg or output no other language could pass or read.
 */
export function packageSchema(): PackageSpec {
  const manifest = readManifest();
  const name = providerName(manifest.name);
  const analyzed = new Analyzer(ROOT, name, manifest, new Set(PUBLIC_COMPONENTS)).analyze();
  return generateSchema(name, manifest.version, manifest.description, analyzed.components, analyzed.typeDefinitions, analyzed.dependencies);
}

/** The schema as committed: stable key order from the analyzer, two-space indent, final newline. */
export const packageSchemaText = (): string => `${JSON.stringify(packageSchema(), null, 2)}\n`;
