/**
 * Who reaches an API's backends' tree (`/admin`, see `handlers/http/routes.ts`). Those routes act
 * for any customer, so API Gateway must refuse every caller but the listed admin principals
 * before a function runs: an IAM principal of the account whose own policy allows
 * `execute-api:Invoke` on `*` would otherwise get in, since API Gateway admits a caller of its own
 * account when either the caller's IAM policy or the API's resource policy allows it.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ADMIN_PREFIX } from "../../handlers/http/routes";
import { field, known, statementsOf, stringsOf } from "./reading";
import { decide, type PolicyRequest } from "./resource-policy";
import { TYPES } from "./resource-types";

/** A principal no stack lists: the question is whether anyone unlisted is refused. */
const STRANGER = "arn:aws:iam::000000000000:role/not-a-listed-admin";

const dependsOn = (resource: PolicyResource, key: string, target: PolicyResource): boolean =>
  (resource.propertyDependencies[key] ?? []).some((source) => source.urn === target.urn);

/** The API's ARN as its policy's own resources name it (`arn:…:execute-api:…:<apiId>` or `execute-api:`). */
function apiArnOf(statements: readonly unknown[]): string | undefined {
  const resources = statements.flatMap((statement) => stringsOf(field(statement, "Resource")));
  return resources.map((resource) => /^(.*?execute-api:[^/]*)\//.exec(resource)?.[1]).find((arn) => arn !== undefined);
}

export const apiAdminTreeRestricted: StackValidationPolicy = {
  name: "api-admin-tree-restricted",
  description: `A REST API with a backends' tree (${ADMIN_PREFIX}/…) has a resource policy that explicitly denies it to every principal but the listed admins.`,
  remediationSteps:
    "Create the API with LoyaltyApi (its resource policy denies the admin tree to every aws:PrincipalArn not in adminPrincipals), or add a RestApiPolicy with such a Deny.",
  validateStack: (args, report) => {
    const policies = args.resources.filter((r) => r.type === TYPES.restApiPolicy);
    for (const api of args.resources.filter((r) => r.type === TYPES.restApi)) {
      const adminTree = args.resources.some(
        (r) =>
          r.type === TYPES.apiResource &&
          known(r.props, "pathPart") === ADMIN_PREFIX.slice(1) &&
          dependsOn(r, "restApi", api) &&
          !(r.propertyDependencies.parentId ?? []).some((s) => s.type === TYPES.apiResource),
      );
      if (!adminTree) continue;
      const policy = policies.find((candidate) => dependsOn(candidate, "restApiId", api));
      if (!policy) {
        report(
          `REST API "${api.name}" serves ${ADMIN_PREFIX} but has no resource policy: any principal of the account that IAM allows may call it.`,
          api.urn,
        );
        continue;
      }
      const statements = statementsOf(policy.props, "policy");
      const apiArn = apiArnOf(statements);
      const request = (principalArn: string | undefined): PolicyRequest => ({
        principal: { arn: principalArn ?? "anonymous" },
        action: "execute-api:Invoke",
        resource: `${apiArn ?? "arn:aws:execute-api:unknown"}/stage/POST${ADMIN_PREFIX}/points/u-1/adjustments`,
        context: principalArn === undefined ? {} : { "aws:PrincipalArn": principalArn },
      });
      for (const [who, principalArn] of [
        ["an unlisted principal", STRANGER],
        ["an unsigned caller", undefined],
      ] as const) {
        if (!decide(statements, request(principalArn)).explicitlyDenied) {
          report(
            `The resource policy of REST API "${api.name}" does not deny ${ADMIN_PREFIX} to ${who}: add a Deny for every aws:PrincipalArn not listed.`,
            policy.urn,
          );
        }
      }
    }
  },
};
