/**
 * The local runtime's one HTTP endpoint:
 *   POST /  with `X-Amz-Target: AWSEvents.PutEvents`  → EventBridge PutEvents (any other
 *                                                        target: `UnknownOperationException`)
 *   GET  /openapi.json, /docs                          → the API's document and its reference page
 *   GET  /_local/dlq, POST /_local/dlq/redrive        → the DLQ (for `npm run local:dlq`)
 *   POST /_local/settle                                → runs the daily settle now (body: its input)
 *   GET  /_local/events?source=&after=                 → every event the local bus has seen
 *   OPTIONS on an API resource, when CORS is on       → the preflight, answered here (API Gateway's MOCK)
 *   anything else                                      → the API: the function the route of its resource and
 *                                                        method names (reader, redeemer or admin); a method
 *                                                        the resource lacks goes to its first route's function,
 *                                                        a resource no route has to the reader: they refuse it
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import * as v from "valibot";
import { describeIssues } from "../handlers/domain/describe-issues";
import { corsHeaders } from "../handlers/http/responses";
import { API_ROUTES, methodsOf, type ApiHandlerName } from "../handlers/http/routes";
import { settleInputAsOf } from "../handlers/settle/settle-run";
import { dayOf } from "../handlers/domain/lifecycle";
import { toProxyEvent, type ProxyHandler } from "./api-gateway";
import { referenceFile } from "./api-reference";
import type { LocalEventLog } from "./event-log";
import { localCaller } from "./local-caller";
import { answerClientError, type ClientError } from "./client-errors";
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
  send(response, status, { "Content-Type": "application/json" }, JSON.stringify(body));

/** `POST /_local/settle`: the settle's reports, or a 400 naming what is wrong with the input. */
async function settleNow(response: ServerResponse, body: string, routes: HttpRoutes): Promise<void> {
  let input: unknown;
  try {
    input = body.trim() === "" ? {} : (JSON.parse(body) as unknown);
  } catch {
    return sendJson(response, 400, { error: { code: "bad_request", message: 'the body must be JSON: {} or {"days": ["2026-01-16"]}' } });
  }
  const parsed = v.safeParse(settleInputAsOf(dayOf(Date.now())), input);
  if (!parsed.success) return sendJson(response, 400, { error: { code: "bad_request", message: describeIssues(parsed.issues) } });
  return sendJson(response, 200, { settled: await routes.settle(parsed.output) });
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
    return sendJson(response, 400, { error: { code: "bad_request", message: `after must be a whole number of events seen (found ${afterText})` } });
  }
  return sendJson(response, 200, routes.events.list({ source, after }));
}

async function route(request: IncomingMessage, response: ServerResponse, routes: HttpRoutes): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) return sendJson(response, 413, { error: { code: "too_large", message: "request body too large" } });
  const method = request.method ?? "GET";
  const url = request.url ?? "/";
  const target = parseRequestTarget(url);
  if (!target) return sendJson(response, 400, { error: { code: "bad_request", message: "the request target must be a path" } });
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
            operation === undefined ? "Missing X-Amz-Target header; this endpoint serves AWSEvents.PutEvents." : `Unknown operation ${String(operation)}; this endpoint serves AWSEvents.PutEvents.`,
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
  if (path === "/_local/settle" && method === "POST") return settleNow(response, body, routes);
  if (path === "/_local/events" && method === "GET") return listEvents(response, target.query, routes);

  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : Array.isArray(value) ? [[key, value.join(",")]] : [])),
  );
  const sourceIp = request.socket.remoteAddress ?? "127.0.0.1";
  // A preflight carries no credentials and never reaches a function, as in the stack (a MOCK integration).
  const served = methodsOf(toProxyEvent({ method, url, headers, body, sourceIp }, routes.stage).resource);
  if (method === "OPTIONS" && routes.allowedOrigins.length > 0 && served.length > 0) {
    return send(response, 204, corsHeaders(headers.origin, routes.allowedOrigins, served.join(", ")), "");
  }
  const caller = localCaller(headers);
  if ("refused" in caller) return sendJson(response, 401, { error: { code: "unauthorized", message: caller.refused } });
  const event = toProxyEvent({ method, url, headers, body, caller, sourceIp }, routes.stage);
  // Unknown resources go to the reader, which answers 404 as API Gateway would refuse them.
  // A resource may be served by several functions, one per method (GET and DELETE /points/{userId}).
  const onResource = Object.values(API_ROUTES).filter((candidate) => candidate.resource === event.resource);
  const route = onResource.find((candidate) => candidate.method === event.httpMethod) ?? onResource[0];
  const result = await routes.functions[route?.handler ?? "reader"](event);
  send(response, result.statusCode, result.headers ?? {}, result.body);
}

export async function startHttpServer(port: number, routes: HttpRoutes): Promise<LocalHttpServer & { port: number }> {
  const log = routes.log ?? stderr;
  // Sockets with an exchange under way: a parser error there belongs to that exchange.
  const busy = new WeakSet<Duplex>();
  const server = createServer((request, response) => {
    const socket = request.socket;
    busy.add(socket);
    response.on("close", () => {
      busy.delete(socket);
      // One line for an exchange the client abandoned, whether mid-body or while we answered.
      if (!response.writableFinished) log(`local runtime: the client closed the connection before ${request.method ?? "?"} ${request.url ?? "?"} was answered`);
    });
    route(request, response, routes).catch((error: unknown) => {
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
