/**
 * Who may read a user's points. Behind a Cognito authorizer the request carries the caller's
 * claims: a customer reads only their own points (`sub` = userId), the admin group any.
 * Without claims (IAM-authorized backends, or dev's open API) API Gateway already decided.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";

const ClaimsSchema = v.object({
  sub: v.string(),
  /** API Gateway flattens the token's array into `"a,b"` (sometimes `"[a b]"`). */
  "cognito:groups": v.optional(v.union([v.string(), v.array(v.string())])),
});

function groupsOf(claim: string | string[] | undefined): string[] {
  if (claim === undefined) return [];
  if (Array.isArray(claim)) return claim;
  return claim.replace(/^\[|\]$/g, "").split(/[\s,]+/).filter(Boolean);
}

export function mayReadUser(event: APIGatewayProxyEvent, userId: string, adminGroup?: string): boolean {
  const claims: unknown = event.requestContext.authorizer?.claims;
  if (claims === undefined || claims === null) return true;
  const parsed = v.safeParse(ClaimsSchema, claims);
  if (!parsed.success) return false;
  if (parsed.output.sub === userId) return true;
  return adminGroup !== undefined && groupsOf(parsed.output["cognito:groups"]).includes(adminGroup);
}
