/**
 * Who may act on a user's points. Behind a Cognito authorizer the request carries the caller's
 * claims: a customer reads and spends only their own points (`sub` = userId), the admin group
 * anyone's. Behind IAM the request carries the signer's ARN (`requestContext.identity.userArn`):
 * such a caller is an admin only when listed in `ADMIN_PRINCIPALS`, and otherwise acts for
 * nobody. A request with neither claims nor a listed ARN is never an admin.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { configuredAdminPrincipals } from "../runtime/env";

const ClaimsSchema = v.object({
  sub: v.string(),
  /** API Gateway flattens the token's array into `"a,b"` (sometimes `"[a b]"`). */
  "cognito:groups": v.optional(v.union([v.string(), v.array(v.string())])),
});

function groupsOf(claim: string | string[] | undefined): string[] {
  if (claim === undefined) return [];
  if (Array.isArray(claim)) return claim;
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** The caller's Cognito claims; `undefined` when API Gateway authorized without them. */
function claimsOf(event: APIGatewayProxyEvent): v.InferOutput<typeof ClaimsSchema> | "invalid" | undefined {
  const claims: unknown = event.requestContext.authorizer?.claims;
  if (claims === undefined || claims === null) return undefined;
  const parsed = v.safeParse(ClaimsSchema, claims);
  return parsed.success ? parsed.output : "invalid";
}

/**
 * A role as its sessions name it: `arn:aws:sts::123:assumed-role/name/session` and
 * `arn:aws:iam::123:role/some/path/name` both → `aws:123:name`. A session ARN carries no path,
 * and a role's name is unique in its account whatever its path, so account and name identify it.
 */
function roleKey(arn: string): string | undefined {
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (session) return `${session[1]}:${session[2]}:${session[3]}`;
  const role = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return role ? `${role[1]}:${role[2]}:${role[3]}` : undefined;
}

/** Whether the SigV4 signer of `event` is one of `principals` (as itself, or as the role of its session). */
export function isListedPrincipal(event: APIGatewayProxyEvent, principals: readonly string[]): boolean {
  const userArn = event.requestContext.identity?.userArn;
  if (typeof userArn !== "string" || userArn === "") return false;
  if (principals.includes(userArn)) return true;
  const role = roleKey(userArn);
  return role !== undefined && principals.some((principal) => roleKey(principal) === role);
}

/**
 * Whether the caller may use the `/admin` tree: a listed IAM principal signing with SigV4, never
 * a bearer of Cognito claims. API Gateway's resource policy admits no one else; this holds even
 * where a stack's policy is changed by hand.
 * @param adminPrincipals IAM ARNs that are admins. @default `ADMIN_PRINCIPALS` of the environment
 */
export function mayUseAdminTree(event: APIGatewayProxyEvent, adminPrincipals: readonly string[] = configuredAdminPrincipals()): boolean {
  return claimsOf(event) === undefined && isListedPrincipal(event, adminPrincipals);
}

/** Whether the caller is an admin: in the admin group by claims, or a listed principal without claims. */
function isAdmin(event: APIGatewayProxyEvent, adminGroup: string | undefined, adminPrincipals: readonly string[]): boolean {
  const claims = claimsOf(event);
  if (claims === "invalid") return false;
  if (claims === undefined) return isListedPrincipal(event, adminPrincipals);
  return adminGroup !== undefined && groupsOf(claims["cognito:groups"]).includes(adminGroup);
}

/**
 * A customer acts on their own points only; an admin on anyone's.
 * @param adminPrincipals IAM ARNs that are admins. @default `ADMIN_PRINCIPALS` of the environment
 */
export function mayActForUser(
  event: APIGatewayProxyEvent,
  userId: string,
  adminGroup?: string,
  adminPrincipals: readonly string[] = configuredAdminPrincipals(),
): boolean {
  const claims = claimsOf(event);
  if (claims !== undefined && claims !== "invalid" && claims.sub === userId) return true;
  return isAdmin(event, adminGroup, adminPrincipals);
}

/**
 * Only an admin acts on behalf of the business (e.g. cancels a redemption).
 * @param adminPrincipals IAM ARNs that are admins. @default `ADMIN_PRINCIPALS` of the environment
 */
export function mayActAsAdmin(
  event: APIGatewayProxyEvent,
  adminGroup?: string,
  adminPrincipals: readonly string[] = configuredAdminPrincipals(),
): boolean {
  return isAdmin(event, adminGroup, adminPrincipals);
}

/**
 * Who made a request, as an admin's adjustment records it: the Cognito `sub`, or the SigV4
 * signer's ARN; `undefined` with neither.
 */
export function callerIdentity(event: APIGatewayProxyEvent): string | undefined {
  const claims = claimsOf(event);
  if (claims !== undefined && claims !== "invalid") return claims.sub;
  const userArn = event.requestContext.identity?.userArn;
  return typeof userArn === "string" && userArn !== "" ? userArn : undefined;
}

/**
 * Who may read the catalogue: any signed-in customer (valid claims) and any admin; a request with
 * neither reads nothing, as everywhere else.
 * @param adminPrincipals IAM ARNs that are admins. @default `ADMIN_PRINCIPALS` of the environment
 */
export function mayReadCatalogue(
  event: APIGatewayProxyEvent,
  adminGroup?: string,
  adminPrincipals: readonly string[] = configuredAdminPrincipals(),
): boolean {
  const claims = claimsOf(event);
  if (claims !== undefined && claims !== "invalid") return true;
  return isAdmin(event, adminGroup, adminPrincipals);
}
