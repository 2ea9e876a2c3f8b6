/**
 * An HTTP request target read as API Gateway reads it: a path and a query string, never a URL.
 * Resolving the target against a base URL (`new URL(target, base)`) treats `//evil/points/x`
 * as a URL whose host is `evil` and whose path is `/points/x`, and refuses `//` outright; API
 * Gateway matches the path exactly as sent, so `//evil/points/x` is simply no resource.
 */

export interface RequestTarget {
  /** The path exactly as sent (percent-encodings kept, no dot-segment or slash folding). */
  path: string;
  /** Decoded query parameters, every value of a repeated key in order. */
  query: Record<string, string[]>;
}

/**
 * Splits an origin-form target (`/path?query`, RFC 9112 §3.2.1) into its path and query.
 * Returns undefined for the other forms (`http://host/path`, `host:port`, `*`): clients of the
 * API never send them, and a gateway that guessed a path out of them would answer for a URL
 * the client did not mean.
 */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  if (!target.startsWith("/")) return undefined;
  const mark = target.indexOf("?");
  const path = mark === -1 ? target : target.slice(0, mark);
  const query: Record<string, string[]> = {};
  if (mark !== -1) {
    // Only the query goes through URLSearchParams: it decodes as browsers and API Gateway do.
    for (const [key, value] of new URLSearchParams(target.slice(mark + 1))) query[key] = [...(query[key] ?? []), value];
  }
  return { path, query };
}
