/**
 * Spectral's OpenAPI rules and OWASP's API security rules (the pinned CLI, `.spectral.yaml`) over
 * the committed `openapi.json`: every finding is fixed or justified in `openapi/lint-findings.ts`,
 * and every justification still covers a finding.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import test from "ava";
import { API_ROUTES } from "../handlers/http/routes";
import type { OpenApiDocument } from "../openapi/document";
import { OPENAPI_FILE } from "../openapi/generate";
import { JUSTIFICATIONS, lintReport } from "../openapi/lint-findings";
import { allExchanges } from "../openapi/proxy-check";

test("Spectral with OWASP's rules finds nothing in openapi.json that is not justified, and every justification covers a finding", (t) => {
  const { unjustified, covered } = lintReport();
  t.deepEqual(
    unjustified.map((finding) => `${finding.code} at ${finding.path.join(".")}: ${finding.message}`),
    [],
  );
  t.deepEqual(
    JUSTIFICATIONS.filter((_, i) => (covered[i] ?? 0) === 0).map((justification) => justification.rules.join(", ")),
    [],
    "a justification that covers nothing is stale: remove it",
  );
});

test("a request string without a bound is a finding no justification covers", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-lint-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const document: OpenApiDocument = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));
  const cursor = document.paths[API_ROUTES.history.resource]?.get?.parameters.find((parameter) => parameter.name === "cursor");
  if (cursor === undefined) return t.fail("the history has a cursor parameter");
  delete cursor.schema.maxLength;
  const file = path.join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(document, null, 2));
  const { unjustified } = lintReport(file);
  t.deepEqual(
    unjustified.map((finding) => [finding.code, finding.path.join(".")]),
    [["owasp:api4:2023-string-limit", "paths./points/{userId}/history.get.parameters.2.schema"]],
  );
});

test("the Prism proxy check has requests for every route, in the customer tree and under /admin, with samples for every body and query", (t) => {
  // allExchanges throws when a route takes a body or a query it has no samples for.
  const labels = allExchanges().map((exchange) => exchange.label);
  const asked = (name: string, tree: "customer" | "admin") =>
    labels.some((label) => label.startsWith(`${name}${tree === "admin" ? " (/admin)" : ""}: `));
  const unasked = Object.keys(API_ROUTES).flatMap((name) =>
    (["customer", "admin"] as const).filter((tree) => !asked(name, tree)).map((tree) => `${name} (${tree})`),
  );
  t.deepEqual(unasked, []);
});
