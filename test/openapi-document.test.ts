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
import Ajv2020 from "ajv/dist/2020";
import test from "ava";
import * as v from "valibot";
import { redemptionRequestModel } from "../components/api-models";
import { GATEWAY_ANSWERS } from "../components/gateway-responses";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { HistoryQuerySchema } from "../handlers/reader/history-query";
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
  t.deepEqual(document.paths[API_ROUTES.redeem.resource]?.post?.requestBody?.content["application/json"].schema, {
    $ref: "#/components/schemas/RedemptionRequest",
  });
  // The document names the id schema rather than repeating it; inlined, the two are the same.
  const id = JSON.stringify(document.components.schemas.Id);
  t.deepEqual(
    JSON.parse(JSON.stringify(document.components.schemas.RedemptionRequest).replaceAll('{"$ref":"#/components/schemas/Id"}', id)),
    model,
  );
});

test("the test client's types are what openapi-typescript generates from openapi.json", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-types-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const output = path.join(dir, "loyalty-api.d.ts");
  await promisify(execFile)(path.join(ROOT, "node_modules/.bin/openapi-typescript"), [OPENAPI_FILE, "--output", output], { cwd: ROOT });
  t.is(
    readFileSync(path.join(ROOT, "test/support/loyalty-api.d.ts"), "utf8"),
    readFileSync(output, "utf8"),
    "run `npm run openapi` and commit the result",
  );
});

/** `schema` with its `#/components/...` references resolved against the committed document. */
function documentValidator(schema: unknown): (value: unknown) => boolean {
  const document: OpenApiDocument = JSON.parse(committed());
  const validate = new Ajv2020({ strict: false }).compile({
    ...(typeof schema === "object" ? schema : {}),
    components: document.components,
  });
  return (value) => validate(value);
}

/** Every schema object in `value`, however deep, with where it is. */
function* schemasIn(value: unknown, at = "#"): Generator<[string, Record<string, unknown>]> {
  if (typeof value !== "object" || value === null) return;
  if (!Array.isArray(value)) yield [at, value as Record<string, unknown>];
  for (const [key, inner] of Object.entries(value)) yield* schemasIn(inner, `${at}/${key}`);
}

test("`limit` is bounded in the document as the reader bounds it: every value both accept or both refuse", (t) => {
  const document: OpenApiDocument = JSON.parse(committed());
  const limit = document.paths[API_ROUTES.history.resource]?.get?.parameters.find((parameter) => parameter.name === "limit");
  t.like(limit?.schema, { type: "integer", minimum: 1, maximum: 100, default: 20 });
  const documentAccepts = documentValidator(limit?.schema);
  for (let n = -2; n <= 1_002; n++) {
    const handlerAccepts = v.safeParse(HistoryQuerySchema, { limit: String(n) }).success;
    if (documentAccepts(n) !== handlerAccepts)
      return t.fail(
        `limit=${n}: the document ${documentAccepts(n) ? "admits" : "refuses"} it, the reader ${handlerAccepts ? "admits" : "refuses"} it`,
      );
  }
  t.pass();
});

test("every integer carries a format, and every integer bounded by 2^53 is an int64", (t) => {
  const integers = [...schemasIn(JSON.parse(committed()))].filter(([, schema]) => schema.type === "integer");
  t.true(integers.length > 20, `${integers.length} integers`);
  const int32 = (bound: unknown) => typeof bound === "number" && bound >= -(2 ** 31) && bound <= 2 ** 31 - 1;
  for (const [at, schema] of integers) {
    t.is(schema.format, int32(schema.minimum ?? schema.const) && int32(schema.maximum ?? schema.const) ? "int32" : "int64", at);
    if (schema.maximum === Number.MAX_SAFE_INTEGER) t.is(schema.format, "int64", at);
  }
});

test("`reason` is at most 500 code points for the admin function and the document alike (an emoji is one)", (t) => {
  const document: OpenApiDocument = JSON.parse(committed());
  const documentAccepts = documentValidator(document.components.schemas.AdjustmentRequest);
  for (const [reason, fits] of [
    ["😀".repeat(500), true],
    ["😀".repeat(501), false],
    ["é".repeat(500), true],
    ["a".repeat(501), false],
  ] as const) {
    const body = { adjustmentId: "adj-1", points: 5, reason };
    t.is(v.safeParse(AdjustmentRequestSchema, body).success, fits, `the handler, ${[...reason].length} code points`);
    t.is(documentAccepts(body), fits, `the document, ${[...reason].length} code points`);
  }
});

test("every answer documents `Cache-Control: no-store`, and `503 busy` its `Retry-After`", (t) => {
  const document: OpenApiDocument = JSON.parse(committed());
  const headers = document.components.headers ?? {};
  const resolve = (header: unknown) => {
    const ref = typeof header === "object" && header !== null && "$ref" in header ? String(header.$ref) : "";
    return headers[ref.replace("#/components/headers/", "")] ?? header;
  };
  for (const [resource, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        t.like(
          resolve(response.headers?.["Cache-Control"]),
          { required: true, schema: { const: "no-store" } },
          `${method} ${resource} ${status}`,
        );
        if (status === "503")
          t.like(resolve(response.headers?.["Retry-After"]), { schema: { type: "integer" } }, `${method} ${resource} ${status}`);
      }
    }
  }
});

test("every route with a JSON body documents the function's 415 `unsupported_media_type`, with a recorded answer", (t) => {
  const document: OpenApiDocument = JSON.parse(committed());
  const withBody = Object.values(API_ROUTES).flatMap((route) => {
    const operation = document.paths[route.resource]?.[route.method.toLowerCase()];
    return operation?.requestBody ? [[`${route.method} ${route.resource}`, operation] as const] : [];
  });
  t.true(withBody.length >= 2);
  for (const [name, operation] of withBody) {
    const examples = Object.values(operation.responses["415"]?.content["application/json"].examples ?? {});
    const fromFunction = examples.find(
      (example) => JSON.stringify(example.value).includes("unsupported_media_type") && !JSON.stringify(example.value).includes("requestId"),
    );
    t.like(fromFunction?.value, { error: { code: "unsupported_media_type" } }, name);
    t.regex(operation.responses["415"]?.description ?? "", /unsupported_media_type` from the function/, name);
  }
});
