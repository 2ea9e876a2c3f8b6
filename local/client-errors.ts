/**
 * The local gateway's own answers, in the shape API Gateway gives its own (`{"error":{"code",
 * "message","requestId"}}`, as the API's document describes them), and the requests Node's HTTP
 * parser refuses before any handler sees them (an unknown method, bad framing, a raw non-ASCII
 * byte in the path, headers too large, a request that never finishes arriving). Node's default
 * answer to those is a bare status line with an empty body; a gateway answers in its API's error
 * shape, with a message that names what was wrong, so clients can read every refusal the same way.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { API_ROUTES } from "../handlers/http/routes";

/** What the HTTP server's `clientError` event passes: Node adds a `code` (and llhttp a `reason`) to parser errors. */
export type ClientError = Error & { code?: string; reason?: string };

/** Errors that mean the client went away: nobody is left to answer. */
const GONE = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_DESTROYED"]);

/** The codes of the gateway's own answers: API Gateway's where it has one for the case. */
export type GatewayCode =
  | "bad_request"
  | "unauthorized"
  | "missing_authentication_token"
  | "access_denied"
  | "request_too_large"
  | "request_timeout";

/** The headers every answer of the gateway's own carries. */
export const GATEWAY_ANSWER_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } as const;

/** The body of one of the gateway's own answers, with a request id of its own as API Gateway's have. */
export const gatewayAnswerBody = (code: GatewayCode, message: string): string =>
  JSON.stringify({ error: { code, message, requestId: randomUUID() } });

/** Every method the API serves, for the message refusing another. */
const METHODS = [...new Set([...Object.values(API_ROUTES).map((route) => route.method), "OPTIONS"])].join(", ");

/** What Node's parser found wrong, in its words, or its code. */
const causeOf = (error: ClientError): string => error.reason ?? error.code ?? error.message;

/** The status, reason phrase, code and message a refused request gets, by Node's error code. */
function refusal(error: ClientError): { status: number; reason: string; code: GatewayCode; message: string } {
  const badRequest = (message: string) => ({ status: 400, reason: "Bad Request", code: "bad_request" as const, message });
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, reason: "Request Header Fields Too Large", code: "request_too_large", message: "request headers too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the request did not arrive in time" };
    case "HPE_INVALID_METHOD":
      return badRequest(`unknown HTTP method: this API serves ${METHODS}`);
    case "HPE_INVALID_URL":
      return badRequest("malformed request target: the path must be ASCII, non-ASCII characters percent-encoded");
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_INVALID_TRANSFER_ENCODING":
    case "HPE_INVALID_CHUNK_SIZE":
      return badRequest(`malformed body framing: ${causeOf(error)}`);
    default:
      return badRequest(`malformed HTTP request: ${causeOf(error)}`);
  }
}

/** The whole HTTP/1.1 answer, written straight to the socket: there is no response object yet. */
export function clientErrorResponse(error: ClientError): string {
  const { status, reason, code, message } = refusal(error);
  const body = gatewayAnswerBody(code, message);
  return [
    `HTTP/1.1 ${status} ${reason}`,
    ...Object.entries(GATEWAY_ANSWER_HEADERS).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/**
 * Answers a `clientError`. `busy` says an exchange on this socket is still open: its own close
 * handling reports it, and bytes written here would be read as that exchange's answer.
 */
export function answerClientError(error: ClientError, socket: Duplex, busy: boolean, log: (line: string) => void): void {
  if (busy) {
    socket.destroy();
    return;
  }
  if (error.code === "HPE_INVALID_EOF_STATE") {
    // The client hung up before its request was complete: nobody waits for an answer.
    log("local runtime: the client closed the connection in the middle of a request");
    socket.destroy();
    return;
  }
  if (GONE.has(error.code ?? "") || !socket.writable) {
    // Between requests (e.g. a reset idle keep-alive connection) nothing was lost: no line.
    socket.destroy();
    return;
  }
  log(`local runtime: refused a malformed request (${error.code ?? error.message}: ${causeOf(error)})`);
  socket.end(clientErrorResponse(error));
}
