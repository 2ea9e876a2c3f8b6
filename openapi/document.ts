/**
 * The API's OpenAPI 3.1 document, built from what the code itself uses: the routes
 * (`API_ROUTES`), each route's contract (the handlers' valibot schemas and error codes), the
 * router's own errors, API Gateway's own answers (`GATEWAY_ANSWERS`) and the stack's auth
 * schemes. Examples are the real answers `recordAnswers` collected.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { GatewayAnswer } from "../components/gateway-responses";
import { API_DEFAULTS } from "../config/defaults/api-defaults";
import { IdSchema } from "../handlers/domain/contract";
import * as v from "valibot";
import { BUSY_RETRY_AFTER_SECONDS } from "../handlers/http/busy-answer";
import { errorAnswerSchema } from "../handlers/http/error-answers";
import { BODY_ERRORS } from "../handlers/http/json-body";
import { routerErrorsOf } from "../handlers/http/proxy-router";
import type { ErrorCode } from "../handlers/http/responses";
import { API_ROUTES, resourceIn, type ApiHandlerName, type RouteTree } from "../handlers/http/routes";
import { devStackSettings } from "../local/settings";
import { gatewayAnswerSchema, gatewayAnswersFor, gatewayExample } from "./gateway-answers";
import { answerJsonSchema, componentSchemas, queryParameterJsonSchema, requestJsonSchema, type JsonSchema } from "./json-schemas";
import type { RecordedAnswer } from "./recorded-answers";
import { ROUTE_CONTRACTS, type RouteContract, type RouteName } from "./route-contracts";
import { SECURITY_SCHEMES } from "./security-schemes";

export interface Example {
  summary: string;
  value: unknown;
}

export interface MediaType {
  schema: JsonSchema;
  examples?: Record<string, Example>;
}

/** A response header, or a reference to one of `components/headers`. */
export type Header = { description: string; required: boolean; schema: JsonSchema } | { $ref: string };

export interface Response {
  description: string;
  headers: Record<string, Header>;
  content: { "application/json": MediaType };
}

export interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  /** The route's name in the customer tree; `admin` + the name in the admin tree (`adminAdjust`). */
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** Set on the admin tree's operations only: they take SigV4 alone. */
  security?: Record<string, string[]>[];
  parameters: Parameter[];
  requestBody?: { required: true; content: { "application/json": MediaType } };
  /** By status: `"200"`, `"409"`, or a range (`"4XX"`) for API Gateway's defaults. */
  responses: Record<string, Response>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: {
    url: string;
    description: string;
    "x-internal": boolean;
    variables: Record<string, { default: string; description: string }>;
  }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; headers: Record<string, Header>; securitySchemes: typeof SECURITY_SCHEMES };
}

const ROOT = path.resolve(__dirname, "..");

/** Who answers a route, as the reference groups them; the admin tree is a group of its own. */
const TAGS: Record<ApiHandlerName | "backends", string> = {
  reader: "Balance and history: read-only.",
  redeemer: "Spending points on rewards, and giving them back.",
  admin: "Customer service: adjusting points with a reason, erasing a customer. Admins only.",
  backends:
    "Every operation again under `/admin`, for Otrium's backends (customer service) in every stack: signed with SigV4 by an IAM role or user listed in the stack's `api.adminPrincipals`, which acts as an admin. API Gateway's resource policy refuses every other caller (`403 access_denied`) before any function runs.",
};

const operationId = (tree: RouteTree, name: RouteName): string =>
  tree === "admin" ? `admin${name.charAt(0).toUpperCase()}${name.slice(1)}` : name;

const DESCRIPTION = `Otrium's loyalty points, for the web, iOS and Android apps: read a customer's balance and history, spend points on rewards.

Every answer is JSON with \`Cache-Control: no-store\`. Every error is \`{"error": {"code", "message"}}\`: branch on \`code\`, show or log \`message\`. API Gateway's own refusals (validation, auth, throttling, integration failures) use the same shape and add \`requestId\`.

Each operation lists every status it can answer and every \`code\` of each.`;

/**
 * The headers answers carry: every answer, the functions' and API Gateway's own alike, is never
 * cached (balances change) and grants a browser origin the stack allows; a busy answer says when
 * to retry.
 */
const HEADERS = {
  "Cache-Control": { description: "Never cached: balances change.", required: true, schema: { type: "string", const: "no-store" } },
  "Access-Control-Allow-Origin": {
    description:
      "The request's `Origin` when the stack's `allowedOrigins` lists it, or `*` when it allows any. API Gateway's own answers carry it only when it needs no request to say: one allowed origin, or `*`.",
    required: false,
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before retrying with the same idempotency key.",
    required: true,
    schema: { type: "integer", format: "int32", minimum: BUSY_RETRY_AFTER_SECONDS, maximum: BUSY_RETRY_AFTER_SECONDS },
  },
} satisfies Record<string, Header>;

/** The headers of an answer with `status`. */
function headersOf(status: string): Record<string, Header> {
  const ref = (name: keyof typeof HEADERS) => ({ [name]: { $ref: `#/components/headers/${name}` } });
  return { ...ref("Cache-Control"), ...ref("Access-Control-Allow-Origin"), ...(status === "503" ? ref("Retry-After") : {}) };
}

/** The path parameters of a resource; each is an id, checked as the router checks \`userId\`. */
function pathParameters(resource: string): Parameter[] {
  return [...resource.matchAll(/\{(\w+)\}/g)].map(([, name = ""]) => ({
    name,
    in: "path",
    required: true,
    schema: requestJsonSchema(IdSchema),
  }));
}

/**
 * A query schema's entries as query parameters, each described by the value it parses to; an
 * optional one's default is what the handler makes of its absence.
 */
function queryParameters(query: NonNullable<RouteContract["query"]>): Parameter[] {
  return Object.entries(query.entries).map(([name, entry]) => {
    const { description, default: _asSent, ...schema } = queryParameterJsonSchema(entry);
    const absent = v.safeParse(entry, undefined);
    const required = !absent.success;
    const byDefault = absent.success ? absent.output : undefined;
    return {
      name,
      in: "query" as const,
      required,
      ...(typeof description === "string" ? { description } : {}),
      schema: { ...schema, ...(typeof byDefault === "number" || typeof byDefault === "string" ? { default: byDefault } : {}) },
    };
  });
}

/** The errors of one status: the function's codes and API Gateway's answers. */
interface ErrorStatus {
  codes: ErrorCode[];
  gateway: GatewayAnswer[];
}

function errorResponse(status: string, { codes, gateway }: ErrorStatus, examples: Record<string, Example>): Response {
  const schemas = [
    ...(codes.length > 0 ? [answerJsonSchema(errorAnswerSchema(codes))] : []),
    ...(gateway.length > 0 ? [answerJsonSchema(gatewayAnswerSchema([...new Set(gateway.map((answer) => answer.code))]))] : []),
  ];
  const [only] = schemas;
  const said = [
    ...(codes.length > 0 ? [`${codes.map((code) => `\`${code}\``).join(", ")} from the function`] : []),
    ...(gateway.length > 0
      ? [`${gateway.map((answer) => `\`${answer.code}\` (${answer.responseType})`).join(", ")} from API Gateway`]
      : []),
  ];
  return {
    description: `${status}: ${said.join("; ")}.`,
    headers: headersOf(status),
    content: { "application/json": { schema: schemas.length === 1 && only ? only : { anyOf: schemas }, examples } },
  };
}

function operation(name: RouteName, tree: RouteTree, recorded: readonly RecordedAnswer[]): Operation {
  const route = API_ROUTES[name];
  const contract = ROUTE_CONTRACTS[name];
  const ofStatus = (status: string, inTree: RouteTree) =>
    recorded.filter((answer) => answer.route === name && answer.tree === inTree && String(answer.status) === status);
  // The function answers alike in both trees: the admin tree shows its own answers where it has them.
  const examplesOf = (status: string): Record<string, Example> => {
    const own = ofStatus(status, tree);
    const shown = own.length > 0 || tree === "customer" ? own : ofStatus(status, "customer");
    return Object.fromEntries(shown.map((answer) => [answer.name, { summary: answer.summary, value: answer.body }]));
  };

  const responses: Record<string, Response> = {};
  for (const [status, answer] of Object.entries(contract.answers)) {
    responses[status] = {
      description: answer.description,
      headers: headersOf(status),
      content: { "application/json": { schema: answerJsonSchema(answer.schema), examples: examplesOf(status) } },
    };
  }
  const errors = new Map<string, ErrorStatus>();
  const errorsOf = (status: string): ErrorStatus =>
    errors.get(status) ?? errors.set(status, { codes: [], gateway: [] }).get(status) ?? { codes: [], gateway: [] };
  for (const source of [routerErrorsOf(route), contract.errors, contract.body ? BODY_ERRORS : {}]) {
    for (const [status, codes] of Object.entries(source)) {
      const listed = errorsOf(status).codes;
      listed.push(...codes.filter((code) => !listed.includes(code)));
    }
  }
  for (const answer of gatewayAnswersFor(contract.body !== undefined)) errorsOf(answer.status).gateway.push(answer);
  for (const [status, error] of errors) {
    const examples = {
      ...examplesOf(status),
      ...Object.fromEntries(
        error.gateway.map((answer) => [
          answer.responseType,
          { summary: `API Gateway: ${answer.responseType}`, value: gatewayExample(answer) },
        ]),
      ),
    };
    responses[status] = errorResponse(status, error, examples);
  }

  const unplaced = recorded.filter(
    (answer) => answer.route === name && answer.tree === tree && responses[String(answer.status)] === undefined,
  );
  if (unplaced.length > 0) {
    throw new Error(
      `${name} answered ${unplaced.map((answer) => `${answer.status} (${answer.name})`).join(", ")}, which its contract does not list`,
    );
  }
  const backends = tree === "admin";
  return {
    operationId: operationId(tree, name),
    summary: backends ? `${contract.summary} (backends, SigV4)` : contract.summary,
    description: backends
      ? `\`${route.method} ${route.resource}\` for Otrium's backends: a caller signing with SigV4 as an IAM principal listed in the stack's \`api.adminPrincipals\` acts as an admin; API Gateway refuses everyone else. ${contract.description}`
      : contract.description,
    tags: [backends ? "backends" : route.handler],
    ...(backends ? { security: [{ iam: [] }] } : {}),
    parameters: [...pathParameters(route.resource), ...(contract.query ? queryParameters(contract.query) : [])],
    ...(contract.body
      ? { requestBody: { required: true as const, content: { "application/json": { schema: requestJsonSchema(contract.body) } } } }
      : {}),
    responses,
  };
}

export function buildDocument(recorded: readonly RecordedAnswer[]): OpenApiDocument {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  const local = devStackSettings();
  const paths: OpenApiDocument["paths"] = {};
  for (const tree of ["customer", "admin"] as const) {
    for (const name of Object.keys(ROUTE_CONTRACTS) as RouteName[]) {
      const route = API_ROUTES[name];
      const resource = resourceIn(tree, route);
      paths[resource] = { ...paths[resource], [route.method.toLowerCase()]: operation(name, tree, recorded) };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "Otrium loyalty API", version, description: DESCRIPTION },
    servers: [
      {
        url: "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
        description: "A deployed stack, production or development: its `apiUrl` output",
        "x-internal": false,
        variables: {
          restApiId: { default: "restApiId", description: "The REST API's id" },
          region: { default: local.region, description: "The stack's AWS region" },
          stage: { default: API_DEFAULTS.stageName, description: "The stack's `api.stageName`" },
        },
      },
      {
        url: "http://127.0.0.1:{port}",
        description:
          "The local runtime (`npm start`, local development on this machine): no authorizer; `X-Local-Claims` acts as a Cognito user",
        "x-internal": true,
        variables: { port: { default: String(local.port), description: "`PORT`" } },
      },
    ],
    security: Object.keys(SECURITY_SCHEMES).map((scheme) => ({ [scheme]: [] })),
    tags: Object.entries(TAGS).map(([tag, description]) => ({ name: tag, description })),
    paths,
    components: { schemas: componentSchemas(), headers: HEADERS, securitySchemes: SECURITY_SCHEMES },
  };
}
