/**
 * Reads `Pulumi.<stack>.yaml` into the flat map Pulumi gives a program (`<namespace>:<key>` →
 * text, structured values as JSON), so the tests, the policy runner and the local runtime see
 * a stack's settings exactly as `pulumi up` would.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");

export function readStackFile(stack: string, root: string = ROOT): Record<string, string> {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  const document: unknown = parse(readFileSync(file, "utf8"));
  const config = document && typeof document === "object" && "config" in document ? document.config : undefined;
  if (!config || typeof config !== "object") return {};
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
