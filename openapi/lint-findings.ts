/**
 * What Spectral (the OpenAPI rules and OWASP's API security rules, `.spectral.yaml`) finds in
 * `openapi.json`, and the findings this API answers with a reason rather than a change. Each
 * justification names where it holds, so a finding anywhere else still fails; one that no
 * longer matches anything fails too, so none outlives its reason.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { OPENAPI_FILE } from "./generate";

const ROOT = path.resolve(__dirname, "..");

export interface Finding {
  /** The rule, e.g. `owasp:api4:2023-rate-limit`. */
  code: string;
  message: string;
  /** Where in the document, as keys from its root. */
  path: (string | number)[];
  /** 0 error, 1 warning, 2 information, 3 hint. */
  severity: number;
}

export interface Justification {
  rules: readonly string[];
  /** Why the finding does not fit this API, for the reader of `npm run api:lint`. */
  why: string;
  /** Whether it holds at `finding.path` of `document`. */
  holds: (finding: Finding, document: unknown) => boolean;
}

/** `value[key]` when `value` is an object that has it. */
function field(value: unknown, key: string | number): unknown {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const found: unknown = Reflect.get(value, key);
  return found;
}

/** The keys of a finding's path as Spectral reports them. */
const pathOf = (value: unknown): (string | number)[] =>
  Array.isArray(value) ? value.filter((key): key is string | number => typeof key === "string" || typeof key === "number") : [];

/** Every `$ref` target under `value`, e.g. `#/components/schemas/Id`. */
function refsIn(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  const own = typeof field(value, "$ref") === "string" ? [String(field(value, "$ref"))] : [];
  return [...own, ...Object.values(value).flatMap(refsIn)];
}

/**
 * The component schemas a request can carry (bodies and parameters, and what they refer to):
 * every other component schema is only ever an answer.
 */
function requestComponents(document: unknown): Set<string> {
  const operations = Object.values(field(document, "paths") ?? {}).flatMap((item) =>
    Object.values(typeof item === "object" && item !== null ? item : {}),
  );
  const pending = operations.flatMap((operation) => [
    ...refsIn(field(operation, "requestBody")),
    ...refsIn(field(operation, "parameters")),
  ]);
  const found = new Set<string>();
  for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
    const name = ref.replace("#/components/schemas/", "");
    if (found.has(name)) continue;
    found.add(name);
    pending.push(...refsIn(field(field(field(document, "components"), "schemas"), name)));
  }
  return found;
}

/** Whether `finding` is in what the API answers (a response, a response header, a schema only answers use). */
function inAnswer(finding: Finding, document: unknown): boolean {
  const [root, section, name] = finding.path;
  if (root === "paths") return finding.path.includes("responses");
  if (root !== "components") return false;
  if (section === "headers") return true;
  return section === "schemas" && typeof name === "string" && !requestComponents(document).has(name);
}

const at =
  (...keys: (string | number)[]) =>
  (finding: Finding) =>
    keys.every((key, i) => finding.path[i] === key);

export const JUSTIFICATIONS: readonly Justification[] = [
  {
    rules: ["owasp:api4:2023-string-limit", "owasp:api4:2023-string-restricted"],
    why:
      "Answers: the functions write these strings (messages, times, reasons already checked when they were sent), nothing accepts them; " +
      "the rules guard what a server takes in, and every string a request carries is bounded (ids, cursor, reason) and restricted (ids, cursor).",
    holds: inAnswer,
  },
  {
    rules: ["owasp:api4:2023-string-restricted"],
    why: "`reason` is prose customer service writes for the customer's history: bounded to 500 characters, any pattern would refuse real reasons.",
    holds: (finding, document) => {
      const [root, section, name, properties, property] = finding.path;
      return (
        root === "components" &&
        section === "schemas" &&
        properties === "properties" &&
        property === "reason" &&
        typeof name === "string" &&
        requestComponents(document).has(name)
      );
    },
  },
  {
    rules: ["owasp:api4:2023-string-restricted"],
    why: "A reward's `title` and `description` are prose the apps show: bounded (120 and 1,000 characters), any pattern would refuse real titles.",
    holds: (finding) => {
      const property = finding.path.at(-1);
      return finding.path.includes("requestBody") && (property === "title" || property === "description");
    },
  },
  {
    rules: ["owasp:api4:2023-string-limit"],
    why: "A currency is `^[A-Z]{3}$`: the pattern bounds it to three characters.",
    holds: at("components", "schemas", "Money", "properties", "currency"),
  },
  {
    rules: ["owasp:api4:2023-array-limit"],
    why: "The catalogue's list is an answer the function writes, nothing accepts it; the catalogue is the business's own few rewards.",
    holds: inAnswer,
  },
  {
    rules: ["owasp:api4:2023-rate-limit"],
    why:
      "API Gateway's stage throttling (a token bucket per stage and method) sends no rate-limit headers, and the API has no usage plans (no API keys: callers are IAM principals or Cognito users); " +
      "a throttled caller gets 429 `throttled` and retries with backoff.",
    holds: (finding) => finding.path[0] === "paths" && finding.path.includes("responses"),
  },
  {
    rules: ["owasp:api4:2023-rate-limit-retry-after"],
    why:
      "The 429 is API Gateway's THROTTLED answer, which carries no `Retry-After` (a gateway response can only add a fixed header, which would promise a wait nothing measured); " +
      "the document describes the headers the API sends, so it lists none.",
    holds: (finding) => finding.path[0] === "paths" && finding.path.includes("429"),
  },
  {
    rules: ["owasp:api8:2023-no-server-http"],
    why: "The local runtime (`npm start`) listens on 127.0.0.1 only, for development on the same machine; deployed stacks are `https://…execute-api…`.",
    holds: (finding, document) =>
      at("servers")(finding) &&
      String(field(field(field(document, "servers"), finding.path[1] ?? -1), "url")).startsWith("http://127.0.0.1:"),
  },
  {
    rules: ["info-contact"],
    why: "The document is the apps' contract inside Otrium, generated from this repository: its owners are the repository's, and no address is invented for it.",
    holds: at("info"),
  },
];

/** Spectral's findings in `file`, run by its pinned CLI with the repository's ruleset. */
export function spectralFindings(file = OPENAPI_FILE): Finding[] {
  const run = spawnSync(
    path.join(ROOT, "node_modules/.bin/spectral"),
    ["lint", file, "--ruleset", path.join(ROOT, ".spectral.yaml"), "--format", "json", "--quiet"],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  // Spectral exits 1 when it finds errors; anything else without a report is a failure to run.
  const start = run.stdout.indexOf("[");
  if (start === -1) throw new Error(`spectral did not report (exit ${String(run.status)}): ${run.stderr || run.stdout}`);
  const findings: unknown = JSON.parse(run.stdout.slice(start));
  if (!Array.isArray(findings)) throw new Error("spectral's report is not a list");
  return findings.map((finding) => ({
    code: String(field(finding, "code")),
    message: String(field(finding, "message")),
    path: pathOf(field(finding, "path")),
    severity: Number(field(finding, "severity")),
  }));
}

export interface LintReport {
  /** Findings no justification covers: each one fails. */
  unjustified: Finding[];
  /** How many findings each justification covers, in `JUSTIFICATIONS`' order. */
  covered: number[];
}

/** Sorts Spectral's findings over `file` into the justified and the rest. */
export function lintReport(file = OPENAPI_FILE): LintReport {
  const document: unknown = JSON.parse(readFileSync(file, "utf8"));
  const covered = JUSTIFICATIONS.map(() => 0);
  const unjustified = spectralFindings(file).filter((finding) => {
    const index = JUSTIFICATIONS.findIndex(
      (justification) => justification.rules.includes(finding.code) && justification.holds(finding, document),
    );
    if (index === -1) return true;
    covered[index] = (covered[index] ?? 0) + 1;
    return false;
  });
  return { unjustified, covered };
}
