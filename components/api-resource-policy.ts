/**
 * The API's resource policy: who API Gateway lets reach each tree of routes (`routes.ts`).
 *
 * - The `/admin` tree: only the listed admin principals (`aws:PrincipalArn`, which names a role
 *   for its sessions), from this account or another. Everyone else is denied explicitly, so an
 *   IAM user or role of this account whose own policy allows `execute-api:Invoke` on `*` is
 *   still refused, before any function runs.
 * - The customer tree: a Cognito authorizer, or no authorizer, is honoured only where the resource
 *   policy allows the caller explicitly ("How API Gateway resource policies affect authorization
 *   workflow", API Gateway developer guide), so those trees are allowed to anyone and left to
 *   their authorizer. A SigV4 customer tree is left to the callers' own IAM policies, as it was
 *   before the API had a resource policy: allowing anyone there would admit every principal of
 *   this account that signs.
 * - CORS preflights (`OPTIONS`, no authorizer) are allowed to anyone, for the same reason.
 *
 * A resource policy takes effect with the next deployment: the stage waits for it, and its
 * fingerprint includes it (`stage-fingerprint.ts`).
 */
import * as apigateway from "@pulumi/aws/apigateway";
import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PREFIX, API_ROUTES } from "../handlers/http/routes";

export interface ApiResourcePolicyArgs {
  /** The REST API the policy belongs to. */
  api: apigateway.RestApi;
  /** Whether the customer tree is authorized by SigV4 (then its callers' IAM policies decide). */
  customerTreeSigned: boolean;
  /** IAM role or user ARNs that may call the `/admin` tree. */
  adminPrincipals: readonly string[];
}

/**
 * Every stage and method of the API on the paths under `pathPattern` (a wildcard spans `/`). The
 * API's own id, not a wildcard: IAM allows no wildcard in the first segment of a resource
 * (evaluators such as iam-simulate then match nothing), and AWS's `execute-api:/…` shorthand is
 * stored expanded, so every later preview would show a change. So the document is known only once
 * the API exists: a first preview cannot judge it (`api-admin-tree-restricted` does from then on).
 */
const invokeArn = (api: apigateway.RestApi, method: string, pathPattern: string) =>
  pulumi.interpolate`${api.executionArn}/*/${method}${pathPattern}`;

/** The customer tree's top-level paths (`/points/*`), from the routes themselves. */
const customerPaths = [...new Set(Object.values(API_ROUTES).map((route) => `/${route.resource.split("/")[1] ?? ""}/*`))];

export function createApiResourcePolicy(
  name: string,
  args: ApiResourcePolicyArgs,
  opts: pulumi.CustomResourceOptions,
): apigateway.RestApiPolicy {
  const { api, adminPrincipals } = args;
  const adminTree = invokeArn(api, "*", `${ADMIN_PREFIX}/*`);
  const invoke = { Principal: "*", Action: "execute-api:Invoke" };
  const statements = [
    {
      Sid: "PreflightsToAnyone",
      Effect: "Allow",
      ...invoke,
      Resource: invokeArn(api, "OPTIONS", "/*"),
    },
    ...(args.customerTreeSigned
      ? []
      : [
          {
            Sid: "CustomerTreeToItsAuthorizer",
            Effect: "Allow",
            ...invoke,
            Resource: customerPaths.map((path) => invokeArn(api, "*", path)),
          },
        ]),
    ...(adminPrincipals.length > 0
      ? [
          {
            Sid: "AdminTreeToAdmins",
            Effect: "Allow",
            ...invoke,
            Resource: adminTree,
            Condition: { ArnEquals: { "aws:PrincipalArn": [...adminPrincipals] } },
          },
        ]
      : []),
    {
      Sid: "AdminTreeToNobodyElse",
      Effect: "Deny",
      ...invoke,
      Resource: adminTree,
      ...(adminPrincipals.length > 0 ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": [...adminPrincipals] } } } : {}),
    },
  ];
  return new apigateway.RestApiPolicy(
    name,
    { restApiId: api.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
    opts,
  );
}
