/**
 * The local runtime's one HTTP endpoint:
 *   POST /  with `X-Amz-Target: AWSEvents.PutEvents`  → EventBridge PutEvents
 *   GET  /_local/dlq, POST /_local/dlq/redrive        → the DLQ (for `npm run local:dlq`)
 *   anything else                                      → the API: the reader or redeemer Lambda
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { API_ROUTES, type ApiHandlerName } from "../handlers/http/routes";
import { toProxyEvent, type ProxyHandler } from "./api-gateway";
import { putEvents, type PutEventsTarget } from "./put-events";
import type { LocalQueues } from "./queues";

/** Larger bodies are refused: PutEvents allows 10 × 256 KB. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface LocalHttpServer {
  server: Server;
  /** Stops accepting connections and waits for the open requests to be answered. */
  close(): Promise<void>;
}

export interface HttpRoutes {
  stage: string;
  /** The API's functions, by the name the routes give them. */
  functions: Record<ApiHandlerName, ProxyHandler>;
  eventBridge: PutEventsTarget;
  queues: Pick<LocalQueues, "deadLetters" | "redrive">;
}

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

async function route(request: IncomingMessage, response: ServerResponse, routes: HttpRoutes): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) return sendJson(response, 413, { error: { code: "too_large", message: "request body too large" } });
  const method = request.method ?? "GET";
  const url = request.url ?? "/";

  if (method === "POST" && url === "/" && request.headers["x-amz-target"] === "AWSEvents.PutEvents") {
    const result = await putEvents(body, routes.eventBridge);
    return send(response, result.status, result.headers, result.body);
  }
  if (url === "/_local/dlq" && method === "GET") {
    const messages = routes.queues.deadLetters().map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    });
    return sendJson(response, 200, { count: messages.length, messages });
  }
  if (url === "/_local/dlq/redrive" && method === "POST") {
    return sendJson(response, 200, { redriven: await routes.queues.redrive() });
  }

  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : Array.isArray(value) ? [[key, value.join(",")]] : [])),
  );
  const event = toProxyEvent({ method, url, headers, body, sourceIp: request.socket.remoteAddress ?? "127.0.0.1" }, routes.stage);
  // Unknown resources go to the reader, which answers 404 as API Gateway would refuse them.
  const route = Object.values(API_ROUTES).find((candidate) => candidate.resource === event.resource);
  const result = await routes.functions[route?.handler ?? "reader"](event);
  send(response, result.statusCode, result.headers ?? {}, result.body);
}

export async function startHttpServer(port: number, routes: HttpRoutes): Promise<LocalHttpServer & { port: number }> {
  const server = createServer((request, response) => {
    route(request, response, routes).catch((error: unknown) => {
      console.error("local runtime: request failed", error);
      if (!response.headersSent) sendJson(response, 500, { error: { code: "internal_error", message: "local runtime error" } });
    });
  });
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
