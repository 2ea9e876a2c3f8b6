/**
 * Who may act on a user's points. Behind a Cognito authorizer the request carries the caller's
 * claims: a customer reads and spends only their own points (`sub` = userId), the admin group
 * anyone's. Without claims (IAM-authorized backends, or dev's open API) API Gateway already
 * decided.
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

/** The caller's Cognito claims; `undefined` when API Gateway authorized without them. */
function claimsOf(event: APIGatewayProxyEvent): v.InferOutput<typeof ClaimsSchema> | "invalid" | undefined {
  const claims: unknown = event.requestContext.authorizer?.claims;
  if (claims === undefined || claims === null) return undefined;
  const parsed = v.safeParse(ClaimsSchema, claims);
  return parsed.success ? parsed.output : "invalid";
}

const isAdmin = (claims: v.InferOutput<typeof ClaimsSchema>, adminGroup?: string) =>
  adminGroup !== undefined && groupsOf(claims["cognito:groups"]).includes(adminGroup);

/** A customer acts on their own points only; the admin group on anyone's. */
export function mayActForUser(event: APIGatewayProxyEvent, userId: string, adminGroup?: string): boolean {
  const claims = claimsOf(event);
  if (claims === undefined) return true;
  if (claims === "invalid") return false;
  return claims.sub === userId || isAdmin(claims, adminGroup);
}

/** Only the admin group acts on behalf of the business (e.g. cancels a redemption). */
export function mayActAsAdmin(event: APIGatewayProxyEvent, adminGroup?: string): boolean {
  const claims = claimsOf(event);
  if (claims === undefined) return true;
  return claims !== "invalid" && isAdmin(claims, adminGroup);
}
