/**
 * The committed `openapi.json` is exactly what the code generates, a valid OpenAPI 3.1 document
 * (checked by a maintained validator), complete over the routes, with every example an answer
 * its schema admits; the committed client types are what openapi-typescript makes of it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { validate, compileErrors } from "@readme/openapi-parser";
import test from "ava";
import { redemptionRequestModel } from "../components/api-models";
import { GATEWAY_ANSWERS } from "../components/gateway-responses";
import { API_ROUTES } from "../handlers/http/routes";
import { buildDocument, type OpenApiDocument } from "../openapi/document";
import { generateDocumentText, OPENAPI_FILE } from "../openapi/generate";
import { recordAnswers } from "../openapi/recorded-answers";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { answerChecker } from "./support/openapi-answers";

const dynamo = useDynamoLocal();
const ROOT = path.resolve(__dirname, "..");
const committed = () => readFileSync(OPENAPI_FILE, "utf8");

test("the committed openapi.json is what the code generates (npm run openapi writes it)", async (t) => {
  t.is(committed(), await generateDocumentText(dynamo.endpoint), "openapi.json is stale: run `npm run openapi` and commit the result");
});

test("openapi.json passes @readme/openapi-parser's validation as OpenAPI 3.1", async (t) => {
  const document: unknown = JSON.parse(committed());
  const result = await validate(JSON.parse(committed()));
  t.true(result.valid, result.valid ? "" : compileErrors(result));
  t.is(typeof document === "object" && document !== null && "openapi" in document ? document.openapi : undefined, "3.1.0");
});

test("every route is an operation, and every example validates against the schema of its status", async (t) => {
  const document: OpenApiDocument = buildDocument(await recordAnswers(dynamo.endpoint));
  for (const route of Object.values(API_ROUTES)) {
    t.truthy(document.paths[route.resource]?.[route.method.toLowerCase()], `${route.method} ${route.resource}`);
  }
  const check = answerChecker(JSON.parse(JSON.stringify(document)));
  let examples = 0;
  for (const [resource, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const found = Object.entries(response.content["application/json"].examples ?? {});
        t.true(found.length > 0, `${method} ${resource} ${status} has an example`);
        for (const [name, example] of found) {
          examples++;
          t.deepEqual(check(resource, method, status, example.value), { ok: true }, name);
        }
      }
    }
  }
  t.true(examples > 60, `${examples} examples`);
});

test("every API Gateway answer the stack sets is documented on every operation, with its code", (t) => {
  const document: OpenApiDocument = JSON.parse(committed());
  for (const [resource, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const answer of GATEWAY_ANSWERS) {
        if (answer.responseType === "BAD_REQUEST_BODY" && operation.requestBody === undefined) continue;
        const examples = operation.responses[answer.status]?.content["application/json"].examples ?? {};
        t.like(examples[answer.responseType]?.value, { error: { code: answer.code } }, `${method} ${resource} ${answer.responseType}`);
      }
    }
  }
});

test("the redemption body is the model API Gateway's validator checks requests with", (t) => {
  const { $schema: _draft, title: _title, ...model } = JSON.parse(redemptionRequestModel()) as Record<string, unknown>;
  const document: OpenApiDocument = JSON.parse(committed());
  t.deepEqual(document.paths[API_ROUTES.redeem.resource]?.post?.requestBody?.content["application/json"].schema, { $ref: "#/components/schemas/RedemptionRequest" });
  // The document names the id schema rather than repeating it; inlined, the two are the same.
  const id = JSON.stringify(document.components.schemas.Id);
  t.deepEqual(JSON.parse(JSON.stringify(document.components.schemas.RedemptionRequest).replaceAll('{"$ref":"#/components/schemas/Id"}', id)), model);
});

test("the test client's types are what openapi-typescript generates from openapi.json", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-types-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const output = path.join(dir, "loyalty-api.d.ts");
  await promisify(execFile)(path.join(ROOT, "node_modules/.bin/openapi-typescript"), [OPENAPI_FILE, "--output", output], { cwd: ROOT });
  t.is(readFileSync(path.join(ROOT, "test/support/loyalty-api.d.ts"), "utf8"), readFileSync(output, "utf8"), "run `npm run openapi` and commit the result");
});
