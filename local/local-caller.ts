/**
 * Who a request to the local API acts as. Locally there is no authorizer: the runtime listens on
 * 127.0.0.1 only, for curl and tests. A request without an `X-Local-Claims` header acts as an
 * admin — an IAM principal the runtime lists in `ADMIN_PRINCIPALS`, as a customer-service
 * backend would be in AWS. `X-Local-Claims: {"sub":"u-42"}` acts as that customer, as a Cognito
 * authorizer would pass their token's claims (`"cognito:groups"` too), so the handlers' own
 * checks (403 for someone else's points, admin group) can be tried. Under `/admin` (the backends'
 * routes) only the first kind gets in, as the stack's resource policy lets only listed SigV4
 * principals in: claims there are refused by the gateway (`http-server.ts`).
 */
import * as v from "valibot";

/** The IAM principal that requests without claims are signed by. */
export const LOCAL_ADMIN_ARN = "arn:aws:iam::000000000000:user/local-admin";

/** The Cognito group whose members are admins locally, unless the dev stack names one. */
export const LOCAL_ADMIN_GROUP = "loyalty-support";

/** The header that carries claims; lower case, as Node hands headers over. */
export const CLAIMS_HEADER = "x-local-claims";

export type LocalCaller = { claims: Record<string, string> } | { userArn: string };

const ClaimsSchema = v.pipe(
  v.record(v.string(), v.string()),
  v.check((claims) => typeof claims.sub === "string" && claims.sub !== "", 'needs a non-empty "sub"'),
);

/** The caller of a request, or why its claims header is unusable (answered 401, as an authorizer would). */
export function localCaller(headers: Record<string, string>): LocalCaller | { refused: string } {
  const header = headers[CLAIMS_HEADER];
  if (header === undefined) return { userArn: LOCAL_ADMIN_ARN };
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch {
    return { refused: 'X-Local-Claims must be a JSON object of string claims, e.g. {"sub":"u-42"}' };
  }
  const claims = v.safeParse(ClaimsSchema, json);
  return claims.success
    ? { claims: claims.output }
    : { refused: `X-Local-Claims ${claims.issues[0].message}; e.g. {"sub":"u-42","cognito:groups":"loyalty-support"}` };
}
