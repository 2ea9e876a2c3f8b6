/**
 * The local gateway's edges, as API Gateway and EventBridge behave at theirs: request targets read
 * as paths, requests Node's parser refuses answered in the API's error shape, AWS JSON errors on
 * the bus endpoint, and clients that hang up logged in one line. HTTP tests run the real server
 * (`startHttpServer`) with stub functions, no DynamoDB and no queue.
 */
import { connect } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import test, { type ExecutionContext } from "ava";
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { createAdminApi } from "../handlers/admin/admin-api";
import { createProxyRouter } from "../handlers/http/proxy-router";
import { jsonResponse } from "../handlers/http/responses";
import { API_ROUTES, type ApiHandlerName } from "../handlers/http/routes";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { createRedeemApi } from "../handlers/redeemer/redeem-api";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { toProxyEvent, type ProxyHandler } from "../local/api-gateway";
import { clientErrorResponse, type ClientError } from "../local/client-errors";
import { createLocalClock, type LocalClock } from "../local/clock";
import { LOCAL_AWS } from "../local/dynamo-local";
import { LocalEventLog } from "../local/event-log";
import { startHttpServer } from "../local/http-server";
import { LOCAL_ADMIN_ARN } from "../local/local-caller";
import { parseRequestTarget } from "../local/request-target";
import { gatewayAnswerSchema } from "../openapi/gateway-answers";
import { required } from "../harness/required";

test("request target: the path exactly as sent, never a URL's host and path", (t) => {
  t.deepEqual(parseRequestTarget("//evil/points/adv-1"), { path: "//evil/points/adv-1", query: {} });
  t.deepEqual(parseRequestTarget("//"), { path: "//", query: {} });
  t.deepEqual(parseRequestTarget("//:99999/"), { path: "//:99999/", query: {} });
  t.deepEqual(parseRequestTarget("/points/u-1/../u-2"), { path: "/points/u-1/../u-2", query: {} }, "no dot-segment folding");
  t.deepEqual(parseRequestTarget("/points/a%20b/history?limit=5&x=1&x=2&q=a%2Bb+c"), {
    path: "/points/a%20b/history",
    query: { limit: ["5"], x: ["1", "2"], q: ["a+b c"] },
  });
  t.deepEqual(parseRequestTarget("/?"), { path: "/", query: {} });
  t.is(parseRequestTarget("http://evil/points/adv-1"), undefined, "absolute form");
  t.is(parseRequestTarget("*"), undefined, "asterisk form");
  t.is(parseRequestTarget("evil:443"), undefined, "authority form");
});

test("proxy event: a path with an empty or host-like segment matches no resource", (t) => {
  const event = (url: string) => toProxyEvent({ method: "GET", url, headers: {}, body: "", sourceIp: "127.0.0.1" }, "local");
  for (const url of ["//evil/points/adv-1", "//points/adv-1", "//", "/points//history"]) {
    const { resource, path, pathParameters } = event(url);
    t.deepEqual({ resource, path, pathParameters }, { resource: url, path: url, pathParameters: null }, url);
  }
  t.like(event("/points/adv-1?limit=2"), {
    resource: "/points/{userId}",
    path: "/points/adv-1",
    pathParameters: { userId: "adv-1" },
    queryStringParameters: { limit: "2" },
  });
});

/** A parser error as Node's `clientError` event passes it. */
const parserError = (code: string): ClientError => Object.assign(new Error(`Parse Error: ${code}`), { code });

test("a refused request's answer is a complete HTTP response with the API's JSON error", (t) => {
  const [head = "", body = ""] = clientErrorResponse(parserError("HPE_INVALID_URL")).split("\r\n\r\n");
  t.regex(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.regex(head, /\r\nContent-Type: application\/json/);
  t.true(head.includes(`\r\nContent-Length: ${Buffer.byteLength(body)}`));
  t.like(JSON.parse(body), { error: { code: "bad_request" } });
  t.regex(clientErrorResponse(parserError("HPE_HEADER_OVERFLOW")), /^HTTP\/1\.1 431 /);
  t.regex(clientErrorResponse(parserError("ERR_HTTP_REQUEST_TIMEOUT")), /^HTTP\/1\.1 408 /);
});

interface Gateway {
  port: number;
  endpoint: string;
  /** What the server logged, one entry per call. */
  lines: string[];
  /** Events the stub functions received. */
  events: APIGatewayProxyEvent[];
  delivered: Array<Record<string, unknown>>;
  /** Inputs the settle stub was run with. */
  settled: unknown[];
  /** The server's clock, which `/_local/clock` moves. */
  clock: LocalClock;
}

/**
 * The real HTTP server in front of the real proxy router (routing, 404s, the error shape), with
 * route handlers that answer without DynamoDB; the redeemer waits `redeemDelayMs` first.
 */
async function startGateway(
  t: ExecutionContext,
  redeemDelayMs = 0,
  functions?: Partial<Record<ApiHandlerName, ProxyHandler>>,
): Promise<Gateway> {
  const lines: string[] = [];
  const events: APIGatewayProxyEvent[] = [];
  const delivered: Array<Record<string, unknown>> = [];
  const settled: unknown[] = [];
  const clock = createLocalClock();
  const router = createProxyRouter({
    logger: createLogger("error", () => {}),
    allowedOrigins: [],
    routes: [
      {
        route: API_ROUTES.balance,
        authorize: () => true,
        forbidden: "",
        handle: async (userId: string) => jsonResponse(200, { userId, balance: 42 }),
      },
      {
        route: API_ROUTES.redeem,
        authorize: () => true,
        forbidden: "",
        handle: async (userId: string) => {
          await new Promise((resolve) => setTimeout(resolve, redeemDelayMs));
          return jsonResponse(201, { userId });
        },
      },
    ],
  });
  const recording =
    (handler: ProxyHandler): ProxyHandler =>
    async (event) => {
      events.push(event);
      return handler(event);
    };
  const http = await startHttpServer(0, {
    stage: "local",
    functions: {
      reader: recording(functions?.reader ?? router),
      redeemer: recording(functions?.redeemer ?? router),
      admin: recording(functions?.admin ?? router),
    },
    allowedOrigins: ["https://www.otrium.com"],
    eventBridge: {
      region: "eu-west-1",
      account: "000000000000",
      eventBusNames: ["default"],
      pattern: { source: ["otrium.ecommerce"] },
      deliver: async (event) => {
        delivered.push(event);
      },
    },
    events: new LocalEventLog(),
    queues: { deadLetters: () => [], redrive: async () => 0 },
    settle: async (input) => {
      settled.push(input);
      return [{ day: "2026-01-16", customers: 0, entries: 0, points: 0 }];
    },
    log: (line) => lines.push(line),
    clock,
  });
  t.teardown(() => http.close());
  return { port: http.port, endpoint: `http://127.0.0.1:${http.port}`, lines, events, delivered, settled, clock };
}

/**
 * Writes `request` as raw bytes (no client library to encode or refuse it), then either waits
 * for the server's answer (`"answer"`) or hangs up at once (`"hang-up"`). Resolves with what
 * the server sent before the connection closed.
 */
function rawExchange(t: ExecutionContext, port: number, request: Buffer | string, then: "answer" | "hang-up"): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    t.teardown(() => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.write(request, () => {
      if (then === "hang-up") socket.destroy();
    });
  });
}

/** Polls until `check` holds or a second has passed. */
async function settle(check: () => boolean): Promise<void> {
  for (let waited = 0; !check() && waited < 1_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Whether `body` is one of API Gateway's own answers with `code`, as the document describes them (`requestId` included). */
const isGatewayAnswer = (body: unknown, code: string) => v.is(gatewayAnswerSchema([code]), body);

const rawGet = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

function parseRawResponse(raw: string): { status: number; headers: string; body: string } {
  const [head = "", ...rest] = raw.split("\r\n\r\n");
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: rest.join("\r\n\r\n") };
}

test("HTTP: `//`, `//:99999/` and `//evil/points/adv-1` are paths that match no resource: API Gateway's 403, never adv-1's balance", async (t) => {
  const gateway = await startGateway(t);
  for (const path of ["//", "//:99999/", "//evil/points/adv-1", "//points/adv-1"]) {
    const response = parseRawResponse(await rawExchange(t, gateway.port, rawGet(path), "answer"));
    t.is(response.status, 403, path);
    t.true(isGatewayAnswer(JSON.parse(response.body), "missing_authentication_token"), response.body);
  }
  t.is(gateway.events.length, 0, "no function ran");
  const control = parseRawResponse(await rawExchange(t, gateway.port, rawGet("/points/adv-1"), "answer"));
  t.is(control.status, 200);
  t.like(JSON.parse(control.body), { userId: "adv-1", balance: 42 });
  t.deepEqual(gateway.lines, [], "nothing failed");
});

test("HTTP: a target that is not a path (absolute form) is a 400 in the API's shape", async (t) => {
  const gateway = await startGateway(t);
  const response = parseRawResponse(await rawExchange(t, gateway.port, rawGet("http://evil/points/adv-1"), "answer"));
  t.is(response.status, 400);
  t.like(JSON.parse(response.body), { error: { code: "bad_request" } });
  t.is(gateway.events.length, 0, "no function was invoked");
});

test("HTTP: a raw non-ASCII path is a JSON 400, not Node's empty one", async (t) => {
  const gateway = await startGateway(t);
  const raw = await rawExchange(t, gateway.port, Buffer.from("GET /points/ü HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "utf8"), "answer");
  const response = parseRawResponse(raw);
  t.is(response.status, 400);
  t.regex(response.headers, /\r\nContent-Type: application\/json/i);
  t.like(JSON.parse(response.body), { error: { code: "bad_request" } });
  t.is(gateway.events.length, 0);
  t.is(gateway.lines.length, 1, "one line says why");
  // The percent-encoded form is what clients must send, and it reaches the handler decoded.
  const encoded = parseRawResponse(await rawExchange(t, gateway.port, rawGet("/points/%C3%BC"), "answer"));
  t.is(gateway.events.at(-1)?.pathParameters?.userId, "ü");
  t.is(encoded.status, 400, "and the reader refuses the id");
});

test("HTTP: clients that hang up mid-body or before the answer are one log line each, no stack trace", async (t) => {
  const gateway = await startGateway(t, 300);
  const midBody =
    'POST /points/u-1/redemptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"redemptionId":';
  for (let i = 0; i < 5; i++) await rawExchange(t, gateway.port, midBody, "hang-up");
  await settle(() => gateway.lines.length >= 5);
  const body = JSON.stringify({ redemptionId: "r-1", points: 1, rewardId: "w" });
  const whole = `POST /points/u-1/redemptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  await rawExchange(t, gateway.port, whole, "hang-up"); // the redeemer takes 300 ms; the client does not wait
  await settle(() => gateway.lines.length >= 6);
  const midHeaders = "POST /points/u-1/redemptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le";
  await rawExchange(t, gateway.port, midHeaders, "hang-up");
  await settle(() => gateway.lines.length >= 7);
  await new Promise((resolve) => setTimeout(resolve, 400)); // room for any late extra line

  t.is(gateway.lines.length, 7, gateway.lines.join("\n"));
  for (const line of gateway.lines) {
    t.false(line.includes("\n"), "a single line");
    t.notRegex(line, /\bat \S+ \(|Error:/, "no stack trace");
    t.regex(line, /closed the connection/);
  }
  t.is(gateway.events.length, 1, "only the complete request reached a function");

  const after = await fetch(`${gateway.endpoint}/points/u-2`);
  t.is(after.status, 200, "the server still serves");
});

test("HTTP: POST / without X-Amz-Target, or with another operation, is an AWS JSON UnknownOperationException", async (t) => {
  const gateway = await startGateway(t);
  const targets: Array<Record<string, string>> = [{}, { "X-Amz-Target": "AWSEvents.PutRule" }, { "X-Amz-Target": "awsevents.putevents" }];
  for (const headers of targets) {
    const response = await fetch(`${gateway.endpoint}/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", ...headers },
      body: JSON.stringify({ Entries: [{ Source: "otrium.ecommerce", DetailType: "Order Completed", Detail: "{}" }] }),
    });
    t.is(response.status, 400, JSON.stringify(headers));
    t.is(response.headers.get("x-amzn-errortype"), "UnknownOperationException");
    t.is(response.headers.get("content-type"), "application/x-amz-json-1.1");
    t.like((await response.json()) as Record<string, unknown>, { __type: "UnknownOperationException" });
  }
  t.is(gateway.delivered.length, 0);
  t.is(gateway.events.length, 0, "never the API");
});

function eventBridgeClient(t: ExecutionContext, endpoint: string): EventBridgeClient {
  const client = new EventBridgeClient({
    region: "eu-west-1",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  t.teardown(() => client.destroy());
  return client;
}

test("HTTP + SDK: the real EventBridge client publishes, and gets AWS's ValidationException for a request over the size limit", async (t) => {
  const gateway = await startGateway(t);
  const client = eventBridgeClient(t, gateway.endpoint);
  const detail = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes) });

  const ok = await client.send(
    new PutEventsCommand({
      Entries: [{ Source: "otrium.ecommerce", DetailType: "Order Completed", Detail: detail(10), Time: new Date(1_795_000_000_500) }],
    }),
  );
  t.is(ok.FailedEntryCount, 0);
  t.is(gateway.delivered[0]?.time, "2026-11-18T11:06:40Z");

  const tenBig = Array.from({ length: 10 }, () => ({
    Source: "otrium.ecommerce",
    DetailType: "Order Completed",
    Detail: detail(250 * 1024),
  }));
  const error = await t.throwsAsync(client.send(new PutEventsCommand({ Entries: tenBig })));
  t.is(error?.name, "ValidationException");
  t.is(error?.message, "Total size of the entries in the request is over the limit.");
  t.is(gateway.delivered.length, 1, "nothing of the refused request");
});

test("HTTP: Time that is not epoch seconds gets AWS's SerializationException (what the SDK never sends, curl can)", async (t) => {
  const gateway = await startGateway(t);
  const response = await fetch(`${gateway.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents" },
    body: JSON.stringify({ Entries: [{ Source: "otrium.ecommerce", DetailType: "Order Completed", Detail: "{}", Time: "yesterday" }] }),
  });
  t.is(response.status, 400);
  t.is(response.headers.get("x-amzn-errortype"), "SerializationException");
  t.like((await response.json()) as Record<string, unknown>, { __type: "SerializationException" });
  t.is(gateway.delivered.length, 0);
});

test("HTTP: a body over the local limit is API Gateway's 413 request_too_large, in the document's shape", async (t) => {
  const gateway = await startGateway(t);
  const response = await fetch(`${gateway.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents" },
    body: "x".repeat(3 * 1024 * 1024 + 1),
  });
  t.is(response.status, 413);
  t.is(response.headers.get("cache-control"), "no-store");
  t.true(isGatewayAnswer(await response.json(), "request_too_large"));
});

test("HTTP: POST /_local/settle runs the settle with the schedule's input or given days; a bad body is a 400 naming the problem", async (t) => {
  const gateway = await startGateway(t);
  const post = async (body?: string) => {
    const response = await fetch(`${gateway.endpoint}/_local/settle`, { method: "POST", ...(body === undefined ? {} : { body }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  t.deepEqual(await post(), { status: 200, body: { settled: [{ day: "2026-01-16", customers: 0, entries: 0, points: 0 }] } });
  t.is((await post('{"days": ["2026-01-16", "2026-01-17"]}')).status, 200);
  t.deepEqual(gateway.settled, [{}, { days: ["2026-01-16", "2026-01-17"] }]);
  t.deepEqual(await post("{days"), {
    status: 400,
    body: { error: { code: "bad_request", message: 'the body must be JSON: {} or {"days": ["2026-01-16"]}' } },
  });
  const badDay = await post('{"days": ["2026-02-30"]}');
  t.is(badDay.status, 400);
  t.regex(JSON.stringify(badDay.body), /days\.0: must be a day like 2026-01-16/);
  // A day that has not begun would use up its index items before anything of it had happened.
  const future = await post('{"days": ["9999-12-31"]}');
  t.is(future.status, 400);
  t.regex(JSON.stringify(future.body), /days: 9999-12-31 has not begun \(today is \d{4}-\d\d-\d\d\)/);
  t.is(gateway.settled.length, 2, "a refused input runs nothing");
});

test("HTTP: GET /_local/clock shows the clock, POST sets it, DELETE returns it to real time; a bad body is a 400 naming the field", async (t) => {
  const gateway = await startGateway(t);
  const call = async (method: string, body?: string) => {
    const response = await fetch(`${gateway.endpoint}/_local/clock`, { method, ...(body === undefined ? {} : { body }) });
    t.is(response.headers.get("cache-control"), "no-store");
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const real = await call("GET");
  t.like(real, { status: 200, body: { pinned: false } });
  t.true(Math.abs(Date.parse(String(real.body.now)) - Date.now()) < 60_000, "real time");

  // An offset is read as the instant it names; the answer is in UTC, and the clock runs on from it.
  const set = await call("POST", '{"now": "9000-01-01T13:00:00+01:00"}');
  t.like(set, { status: 200, body: { pinned: true } });
  t.regex(String(set.body.now), /^9000-01-01T12:00:\d\d\.\d{3}Z$/);
  t.like(await call("GET"), { body: { pinned: true } });
  t.regex(String((await call("GET")).body.now), /^9000-01-01T12:/);

  const refusals: Array<[string | undefined, RegExp]> = [
    [undefined, /^the body must be JSON: \{"now": "2027-01-01T12:00:00Z"\}$/],
    ["{now", /^the body must be JSON/],
    ['"2027-01-01T12:00:00Z"', /^the body must be a JSON object/],
    ["{}", /^now: is required: an ISO 8601 timestamp with a time zone/],
    ['{"now": 1798000000}', /^now: /],
    ['{"now": "2027-01-01T12:00:00"}', /^now: must be an ISO 8601 timestamp with a time zone$/],
    ['{"now": "2027-02-30T12:00:00Z"}', /^now: must be a real date and time: has no day 30/],
  ];
  for (const [body, message] of refusals) {
    const refused = await call("POST", body);
    t.is(refused.status, 400, String(body));
    const { error } = v.parse(v.object({ error: v.object({ code: v.literal("bad_request"), message: v.string() }) }), refused.body);
    t.regex(error.message, message, String(body));
  }
  t.regex(String((await call("GET")).body.now), /^9000-01-01T12:/, "a refused body moves nothing");

  const reset = await call("DELETE");
  t.like(reset, { status: 200, body: { pinned: false } });
  t.false(String(reset.body.now).startsWith("9000-"));
});

test("HTTP: the gateway's requestTimeEpoch and /_local/settle's today follow the clock", async (t) => {
  const gateway = await startGateway(t);
  const settle = (body: string) => fetch(`${gateway.endpoint}/_local/settle`, { method: "POST", body });
  // Real time: a day in the year 9000 has not begun.
  t.is((await settle('{"days": ["9000-01-01"]}')).status, 400);
  gateway.clock.set(new Date("9000-01-01T12:00:00Z"));
  t.is((await settle('{"days": ["9000-01-01"]}')).status, 200, "today, by the clock");
  t.is((await fetch(`${gateway.endpoint}/points/u-1`)).status, 200);
  const moved = required(gateway.events.at(-1), "the request the function received").requestContext.requestTimeEpoch;
  t.true(moved >= Date.parse("9000-01-01T12:00:00Z") && moved < Date.parse("9000-01-01T13:00:00Z"), String(moved));
  gateway.clock.reset();
  t.is((await settle('{"days": ["9000-01-01"]}')).status, 400, "back at real time");
  await fetch(`${gateway.endpoint}/points/u-1`);
  t.true(required(gateway.events.at(-1), "the request").requestContext.requestTimeEpoch < Date.parse("9000-01-01T00:00:00Z"));
});

test("HTTP: a preflight is answered by the gateway with the routes' CORS headers, before any credentials check and without running a function", async (t) => {
  const gateway = await startGateway(t);
  const preflight = await fetch(`${gateway.endpoint}/points/u-1`, {
    method: "OPTIONS",
    headers: { origin: "https://www.otrium.com", "x-local-claims": "not json", "access-control-request-method": "DELETE" },
  });
  t.is(preflight.status, 204);
  t.is(preflight.headers.get("access-control-allow-origin"), "https://www.otrium.com");
  t.is(preflight.headers.get("access-control-allow-methods"), "GET, DELETE, OPTIONS");
  t.is(preflight.headers.get("access-control-allow-headers"), "Authorization, Content-Type");
  t.is(preflight.headers.get("access-control-max-age"), "600");
  t.deepEqual(gateway.events, [], "no function ran");
  const elsewhere = await fetch(`${gateway.endpoint}/points/u-1`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
  t.is(elsewhere.status, 204);
  t.is(elsewhere.headers.get("access-control-allow-origin"), null, "an origin not allowed gets no CORS grant");
});

test("HTTP: /admin routes reach the same function as the SigV4 backend; a Cognito user there is API Gateway's 403 access_denied; no preflights", async (t) => {
  const gateway = await startGateway(t);
  await fetch(`${gateway.endpoint}/admin/points/u-1`);
  t.is(gateway.events.length, 1);
  t.is(gateway.events[0]?.resource, "/admin/points/{userId}");
  t.deepEqual(gateway.events[0]?.pathParameters, { userId: "u-1" });
  t.is(gateway.events[0]?.requestContext.identity.userArn, LOCAL_ADMIN_ARN, "no X-Local-Claims: the listed backend");

  const asCustomer = await fetch(`${gateway.endpoint}/admin/points/u-1`, { headers: { "x-local-claims": JSON.stringify({ sub: "u-1" }) } });
  t.is(asCustomer.status, 403);
  const body = (await asCustomer.json()) as { error: { code: string; message: string; requestId: string } };
  t.is(body.error.code, "access_denied");
  t.regex(body.error.message, /adminPrincipals/);
  t.regex(body.error.requestId, /^[0-9a-f-]{36}$/);
  t.is(gateway.events.length, 1, "no function ran");

  const preflight = await fetch(`${gateway.endpoint}/admin/points/u-1`, {
    method: "OPTIONS",
    headers: { origin: "https://www.otrium.com" },
  });
  t.not(preflight.status, 204, "backends send no preflights: the gateway answers none");
  t.is(preflight.headers.get("access-control-allow-origin"), null);
});

test("HTTP: unusable X-Local-Claims is the authorizer's 401 unauthorized, in the document's shape with a requestId", async (t) => {
  const gateway = await startGateway(t);
  for (const claims of ["not json", '{"groups":"x"}']) {
    const response = await fetch(`${gateway.endpoint}/points/u-1`, { headers: { "x-local-claims": claims } });
    t.is(response.status, 401, claims);
    t.is(response.headers.get("cache-control"), "no-store");
    const body: unknown = await response.json();
    t.true(isGatewayAnswer(body, "unauthorized"), JSON.stringify(body));
  }
  t.is(gateway.events.length, 0, "no function ran");
});

test("HTTP: a method a route does not serve is a 405 whose Allow lists every method the route serves", async (t) => {
  const gateway = await startGateway(t);
  const response = await fetch(`${gateway.endpoint}/points/u-1`, { method: "PUT" });
  t.is(response.status, 405);
  t.is(response.headers.get("allow"), "GET, DELETE, OPTIONS");
  t.like(await response.json(), { error: { code: "method_not_allowed" } });
});

test("HTTP: requests Node's parser refuses are answered in the API's shape, each message naming its cause", async (t) => {
  const gateway = await startGateway(t);
  const refusals: Array<[string, string, RegExp]> = [
    ["an unknown method", "BREW /points/u-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", /method/i],
    [
      "two Content-Lengths",
      "POST /points/u-1/redemptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      /Content-Length/,
    ],
    [
      "Content-Length beside Transfer-Encoding",
      "POST /points/u-1/redemptions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
      /Content-Length.*Transfer-Encoding/,
    ],
    ["no Host", "GET /points/u-1 HTTP/1.1\r\nConnection: close\r\n\r\n", /Host/],
    ["a raw non-ASCII path", "GET /points/\u00fc HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", /ASCII/],
  ];
  for (const [name, request, cause] of refusals) {
    const response = parseRawResponse(await rawExchange(t, gateway.port, Buffer.from(request, "utf8"), "answer"));
    t.is(response.status, 400, name);
    t.regex(response.headers, /\r\nCache-Control: no-store/i, name);
    const body: unknown = JSON.parse(response.body);
    t.true(isGatewayAnswer(body, "bad_request"), `${name}: ${response.body}`);
    t.regex(response.body, cause, name);
  }
  t.is(gateway.events.length, 0, "no function ran");
});

test("HTTP: a JSON body sent without Content-Type: application/json is the function's 415, as in AWS (API Gateway validates only a matching type)", async (t) => {
  // The functions refuse before any ledger call: a client whose endpoint nothing listens on proves it.
  const documents = createDocumentClient(new DynamoDBClient({ ...LOCAL_AWS, endpoint: "http://127.0.0.1:9", maxAttempts: 1 }));
  const common = { logger: createLogger("error", () => {}), allowedOrigins: [], adminGroup: "support" };
  const admin = { "x-local-claims": JSON.stringify({ sub: "u-1", "cognito:groups": "support" }) };
  const gateway = await startGateway(t, 0, {
    redeemer: createRedeemApi({ ...common, redemptions: new DynamoRedemptions(documents, "unreachable") }),
    admin: createAdminApi({
      ...common,
      adjustments: new DynamoAdjustments(documents, "unreachable", { pendingDays: 0, expiryDays: 0 }),
      erasure: new DynamoErasure(documents, "unreachable"),
      rewards: new DynamoRewards(documents, "unreachable"),
    }),
  });
  const bodies = {
    "/points/u-1/redemptions": JSON.stringify({ redemptionId: "r-1", points: 5, rewardId: "voucher-5" }),
    "/points/u-1/adjustments": JSON.stringify({ adjustmentId: "a-1", points: 5, reason: "goodwill" }),
  };
  for (const [path, body] of Object.entries(bodies)) {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", undefined]) {
      const response = await fetch(`${gateway.endpoint}${path}`, {
        method: "POST",
        body: new TextEncoder().encode(body),
        headers: type === undefined ? admin : { ...admin, "content-type": type },
      });
      t.is(response.status, 415, `${path} ${type ?? "(none)"}`);
      t.like(await response.json(), { error: { code: "unsupported_media_type" } });
      t.is(response.headers.get("cache-control"), "no-store");
    }
    // The JSON media type, in any case and with parameters, reaches the body's checks.
    const response = await fetch(`${gateway.endpoint}${path}`, {
      method: "POST",
      body: "{}",
      headers: { ...admin, "content-type": "Application/JSON; charset=utf-8" },
    });
    t.is(response.status, 400, path);
    t.like(await response.json(), { error: { code: "invalid_request" } });
  }
});
