/**
 * The local runtime's one HTTP endpoint:
 *   POST /  with `X-Amz-Target: AWSEvents.PutEvents`  → EventBridge PutEvents (any other
 *                                                        target: `UnknownOperationException`)
 *   GET  /openapi.json, /docs                          → the API's document and its reference page
 *   GET  /_local/dlq, POST /_local/dlq/redrive        → the DLQ (for `npm run local:dlq`)
 *   POST /_local/settle                                → runs the daily settle now (body: its input)
 *   GET, POST, DELETE /_local/clock                    → the runtime's clock: shows it, sets it
 *                                                        (body `{"now": ISO 8601}`), returns it to real time
 *   GET  /_local/events?source=&after=                 → every event the local bus has seen
 *   OPTIONS on a customer route, when CORS is on      → the preflight, answered here (API Gateway's MOCK)
 *   a route of the API, in either tree                 → the function that serves its method (a method
 *                                                        it does not serve: the route's function, 405);
 *                                                        claims under /admin: 403 access_denied
 *   anything else                                      → 403 missing_authentication_token, as API Gateway
 * The gateway's own refusals (no route, unusable claims, a body too large, a request Node's parser
 * refuses) are in the shape API Gateway gives its own answers, with the document's codes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import * as v from "valibot";
import { describeIssues } from "../handlers/domain/describe-issues";
import { corsHeaders } from "../handlers/http/responses";
import { methodsOf, SERVED_ROUTES, treeOf, type ApiHandlerName } from "../handlers/http/routes";
import { settleInputAsOf } from "../handlers/settle/settle-run";
import { dayOf } from "../handlers/domain/lifecycle";
import { isJsonObject } from "../handlers/domain/json-object";
import { TimestampSchema } from "../handlers/domain/timestamp";
import { toProxyEvent, type ProxyHandler } from "./api-gateway";
import { referenceFile } from "./api-reference";
import { createLocalClock, type LocalClock } from "./clock";
import type { LocalEventLog } from "./event-log";
import { localCaller } from "./local-caller";
import { answerClientError, GATEWAY_ANSWER_HEADERS, gatewayAnswerBody, type ClientError, type GatewayCode } from "./client-errors";
import { putEvents, requestError, type PutEventsTarget } from "./put-events";
import type { LocalQueues } from "./queues";
import { parseRequestTarget } from "./request-target";

/**
 * Larger bodies are refused. A PutEvents request holds at most 1 MB of entries, which JSON
 * escaping can at most double; nothing the API accepts comes near.
 */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

const PUT_EVENTS_TARGET = "AWSEvents.PutEvents";

export interface LocalHttpServer {
  server: Server;
  /** Stops accepting connections and waits for the open requests to be answered. */
  close(): Promise<void>;
}

export interface HttpRoutes {
  stage: string;
  /** The API's functions, by the name the routes give them. */
  functions: Record<ApiHandlerName, ProxyHandler>;
  /** Browser origins allowed (`*` for any): preflights are answered here, as API Gateway's `MOCK` does. */
  allowedOrigins: readonly string[];
  eventBridge: PutEventsTarget;
  /** What the local bus has seen, for `GET /_local/events`. */
  events: Pick<LocalEventLog, "list">;
  queues: Pick<LocalQueues, "deadLetters" | "redrive">;
  /** Runs the settle handler with this input (the schedule's `{}`, or `{"days": [...]}`). */
  settle: (input: unknown) => Promise<unknown>;
  /**
   * The clock the runtime's parts read, which `/_local/clock` shows and moves; the gateway stamps
   * `requestTimeEpoch` with it. A real-time clock of the server's own when absent.
   */
  clock?: LocalClock;
  /** Where the server's own notices go, one line each; stderr by default. */
  log?: (line: string) => void;
}

const stderr = (line: string) => {
  process.stderr.write(`${line}\n`);
};

/** A request the client abandoned: Node fails its body with `ECONNRESET` ("aborted"). */
const isAbort = (error: unknown) => error instanceof Error && "code" in error && error.code === "ECONNRESET";

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, headers: Record<string, string | number | boolean>, body: string): void {
  response.writeHead(status, { ...headers, "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

const sendJson = (response: ServerResponse, status: number, body: unknown) =>
  send(response, status, GATEWAY_ANSWER_HEADERS, JSON.stringify(body));

/** One of the gateway's own refusals, as API Gateway shapes its own. */
const refuse = (response: ServerResponse, status: number, code: GatewayCode, message: string) =>
  send(response, status, GATEWAY_ANSWER_HEADERS, gatewayAnswerBody(code, message));

/** `POST /_local/settle`: the settle's reports, or a 400 naming what is wrong with the input. */
async function settleNow(response: ServerResponse, body: string, routes: HttpRoutes, clock: LocalClock): Promise<void> {
  let input: unknown;
  try {
    input = body.trim() === "" ? {} : (JSON.parse(body) as unknown);
  } catch {
    return sendJson(response, 400, { error: { code: "bad_request", message: 'the body must be JSON: {} or {"days": ["2026-01-16"]}' } });
  }
  const parsed = v.safeParse(settleInputAsOf(dayOf(clock.now().getTime())), input);
  if (!parsed.success) return sendJson(response, 400, { error: { code: "bad_request", message: describeIssues(parsed.issues) } });
  return sendJson(response, 200, { settled: await routes.settle(parsed.output) });
}

const CLOCK_BODY = '{"now": "2027-01-01T12:00:00Z"}';

/** `POST /_local/clock`'s body: the instant to set, with its time zone. */
const ClockRequestSchema = v.object(
  { now: v.pipe(v.string(), TimestampSchema) },
  `is required: an ISO 8601 timestamp with a time zone, as in ${CLOCK_BODY}`,
);

/** `POST /_local/clock`'s body read: the instant to set the clock to, or what is wrong with the body. */
function clockRequest(body: string): { now: Date } | { refused: string } {
  let input: unknown;
  try {
    input = JSON.parse(body) as unknown;
  } catch {
    return { refused: `the body must be JSON: ${CLOCK_BODY}` };
  }
  if (!isJsonObject(input)) return { refused: `the body must be a JSON object: ${CLOCK_BODY}` };
  const parsed = v.safeParse(ClockRequestSchema, input);
  return parsed.success ? { now: new Date(parsed.output.now) } : { refused: describeIssues(parsed.issues, "body") };
}

/**
 * `GET /_local/events`: the events the local bus has seen, oldest first, `?source=` only those of
 * that source; `?after=<seen>` only those after the first `seen` (what an earlier answer's
 * `seen` said), so a follower polls for what is new.
 */
function listEvents(response: ServerResponse, query: Record<string, string[]>, routes: HttpRoutes): void {
  const [source] = query.source ?? [];
  const [afterText] = query.after ?? [];
  const after = afterText === undefined ? 0 : Number(afterText);
  if (!Number.isSafeInteger(after) || after < 0) {
    sendJson(response, 400, {
      error: { code: "bad_request", message: `after must be a whole number of events seen (found ${afterText})` },
    });
    return;
  }
  sendJson(response, 200, routes.events.list({ source, after }));
}

async function route(request: IncomingMessage, response: ServerResponse, routes: HttpRoutes, clock: LocalClock): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) return refuse(response, 413, "request_too_large", `the request body is over ${MAX_BODY_BYTES} bytes`);
  // Node leaves this check to us (`requireHostHeader: false`), so that the answer has the API's shape.
  if (request.httpVersion === "1.1" && request.headers.host === undefined)
    return refuse(response, 400, "bad_request", "an HTTP/1.1 request needs a Host header");
  const method = request.method ?? "GET";
  const url = request.url ?? "/";
  const target = parseRequestTarget(url);
  if (!target) return refuse(response, 400, "bad_request", "the request target must be a path (origin form), not a URL or an authority");
  const { path } = target;
  const reference = method === "GET" ? referenceFile(path) : undefined;
  if (reference) return send(response, 200, reference.headers, reference.body);

  // `POST /` is EventBridge's endpoint (the API has no resource at `/`): AWS JSON 1.1 answers.
  if (method === "POST" && path === "/") {
    const operation = request.headers["x-amz-target"];
    const result =
      operation === PUT_EVENTS_TARGET
        ? await putEvents(body, routes.eventBridge)
        : requestError(
            "UnknownOperationException",
            operation === undefined
              ? "Missing X-Amz-Target header; this endpoint serves AWSEvents.PutEvents."
              : `Unknown operation ${String(operation)}; this endpoint serves AWSEvents.PutEvents.`,
          );
    return send(response, result.status, result.headers, result.body);
  }
  if (path === "/_local/dlq" && method === "GET") {
    const messages = routes.queues.deadLetters();
    return sendJson(response, 200, { count: messages.length, messages });
  }
  if (path === "/_local/dlq/redrive" && method === "POST") {
    return sendJson(response, 200, { redriven: await routes.queues.redrive() });
  }
  if (path === "/_local/settle" && method === "POST") return settleNow(response, body, routes, clock);
  if (path === "/_local/clock") {
    if (method === "GET") return sendJson(response, 200, clock.state());
    if (method === "DELETE") return sendJson(response, 200, clock.reset());
    if (method === "POST") {
      const request = clockRequest(body);
      if ("refused" in request) return sendJson(response, 400, { error: { code: "bad_request", message: request.refused } });
      return sendJson(response, 200, clock.set(request.now));
    }
  }
  if (path === "/_local/events" && method === "GET") return listEvents(response, target.query, routes);

  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([key, value]) =>
      typeof value === "string" ? [[key, value]] : Array.isArray(value) ? [[key, value.join(",")]] : [],
    ),
  );
  const sourceIp = request.socket.remoteAddress ?? "127.0.0.1";
  const resource = toProxyEvent({ method, url, headers, body, sourceIp }, routes.stage).resource;
  const served = methodsOf(resource);
  // API Gateway answers a path it has no resource for with its MISSING_AUTHENTICATION_TOKEN response.
  if (served.length === 0)
    return refuse(
      response,
      403,
      "missing_authentication_token",
      `no route ${method} ${path} (API Gateway: "Missing Authentication Token")`,
    );
  // A preflight carries no credentials and never reaches a function, as in the stack (a MOCK
  // integration). The admin tree has none: backends send no preflights.
  if (method === "OPTIONS" && routes.allowedOrigins.length > 0 && treeOf(resource).tree === "customer") {
    return send(response, 204, corsHeaders(headers.origin, routes.allowedOrigins, served.join(", ")), "");
  }
  const caller = localCaller(headers);
  if ("refused" in caller) return refuse(response, 401, "unauthorized", caller.refused);
  const event = toProxyEvent({ method, url, headers, body, caller, sourceIp, receivedAt: clock.now().getTime() }, routes.stage);
  // The resource policy lets only SigV4 admins into the admin tree; a Cognito user is denied there.
  if (treeOf(event.resource).tree === "admin" && "claims" in caller) {
    const message =
      "X-Local-Claims acts as a Cognito user, and the /admin routes admit only the IAM principals listed as adminPrincipals (SigV4); send no X-Local-Claims to act as one";
    return refuse(response, 403, "access_denied", message);
  }
  // A resource may be served by several functions, one per method (GET and DELETE /points/{userId});
  // another method goes to the resource's first function, whose router answers 405 naming them all.
  const onResource = SERVED_ROUTES.filter((candidate) => candidate.resource === event.resource).map((candidate) => candidate.route);
  const route = onResource.find((candidate) => candidate.method === event.httpMethod) ?? onResource[0];
  if (route === undefined) return refuse(response, 403, "missing_authentication_token", `no route ${method} ${path}`);
  const result = await routes.functions[route.handler](event);
  send(response, result.statusCode, result.headers ?? {}, result.body);
}

export async function startHttpServer(port: number, routes: HttpRoutes): Promise<LocalHttpServer & { port: number }> {
  const log = routes.log ?? stderr;
  const clock = routes.clock ?? createLocalClock();
  // Sockets with an exchange under way: a parser error there belongs to that exchange.
  const busy = new WeakSet<Duplex>();
  const server = createServer({ requireHostHeader: false }, (request, response) => {
    const socket = request.socket;
    busy.add(socket);
    response.on("close", () => {
      busy.delete(socket);
      // One line for an exchange the client abandoned, whether mid-body or while we answered.
      if (!response.writableFinished)
        log(`local runtime: the client closed the connection before ${request.method ?? "?"} ${request.url ?? "?"} was answered`);
    });
    route(request, response, routes, clock).catch((error: unknown) => {
      if (isAbort(error)) return; // reported once by the close handler above
      log(`local runtime: request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: { code: "internal_error", message: "local runtime error" } });
    });
  });
  server.on("clientError", (error: ClientError, socket) => answerClientError(error, socket, busy.has(socket), log));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return {
    server,
    port: typeof address === "object" && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
