/**
 * Requests Node's HTTP parser refuses before any handler sees them (a raw non-ASCII byte in the
 * path, a malformed request line, headers too large, a request that never finishes arriving).
 * Node's default answer is a bare status line with an empty body; a gateway answers in its
 * API's error shape, so clients can read every refusal the same way.
 */
import type { Duplex } from "node:stream";

/** What the HTTP server's `clientError` event passes: Node adds a `code` to parser errors. */
export type ClientError = Error & { code?: string };

/** Errors that mean the client went away: nobody is left to answer. */
const GONE = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_DESTROYED"]);

/** The status and error code a refused request gets, by Node's error code. */
function refusal(code: string | undefined): { status: number; reason: string; code: string; message: string } {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, reason: "Request Header Fields Too Large", code: "too_large", message: "request headers too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the request did not arrive in time" };
    default:
      return { status: 400, reason: "Bad Request", code: "bad_request", message: "malformed HTTP request (the path must be ASCII, non-ASCII characters percent-encoded)" };
  }
}

/** The whole HTTP/1.1 answer, written straight to the socket: there is no response object yet. */
export function clientErrorResponse(code: string | undefined): string {
  const { status, reason, ...error } = refusal(code);
  const body = JSON.stringify({ error });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: application/json; charset=utf-8",
    "Cache-Control: no-store",
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
  log(`local runtime: refused a malformed request (${error.code ?? error.message})`);
  socket.end(clientErrorResponse(error.code));
}
