/**
 * CORS for the API. The functions put CORS headers on their own answers; the preflights
 * (`OPTIONS`, which browsers send without credentials and so cannot be authorized) are answered
 * by API Gateway itself (`api-preflight.ts`); API Gateway's own refusals carry the one header
 * that is safe without looking at the request.
 */

import { treeOf } from "../handlers/http/routes";

/** A method of the API: where, which verb, how it is authorized and which function answers it. */
export interface ApiMethodSpec<THandler extends string> {
  /** The path's segments, e.g. `["points", "{userId}"]`. */
  path: readonly string[];
  /** `GET`, `POST`, `OPTIONS`. */
  httpMethod: string;
  /** API Gateway's authorization type: `NONE`, `AWS_IAM`, `COGNITO_USER_POOLS`. */
  authorization: string;
  /** The function behind it. */
  handler: THandler;
}

/**
 * Each method, followed by its path's preflight when browsers from `allowedOrigins` may call it.
 * SigV4 methods of the `/admin` tree are for backends, which send no preflights: they get none.
 */
export function withCorsPreflights<THandler extends string>(
  methods: readonly ApiMethodSpec<THandler>[],
  allowedOrigins: readonly string[],
): ApiMethodSpec<THandler>[] {
  if (allowedOrigins.length === 0) return [...methods];
  // One preflight per path: it names every method the path serves.
  const preflighted = new Set<string>();
  return methods.flatMap((method) => {
    const path = method.path.join("/");
    if (preflighted.has(path) || treeOf(`/${path}`).tree === "admin") return [method];
    preflighted.add(path);
    return [method, { ...method, httpMethod: "OPTIONS", authorization: "NONE" }];
  });
}

/**
 * The `Access-Control-Allow-Origin` a gateway response may carry. Its headers are static
 * mappings (no condition can check the request's `Origin` against a list), so: `*` when any
 * origin is allowed, the one origin when there is one, and none when there are several —
 * echoing the request's `Origin` would admit every site on the internet.
 */
export function gatewayAllowOrigin(allowedOrigins: readonly string[]): string | undefined {
  if (allowedOrigins.includes("*")) return "'*'";
  if (allowedOrigins.length === 1) return `'${allowedOrigins[0]}'`;
  return undefined;
}
