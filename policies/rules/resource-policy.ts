/**
 * Evaluates a resource policy's statements for one request, the way IAM does for the parts our
 * policies use: an explicit Deny wins, then any Allow. Principals (`*`, `AWS`, `Service`),
 * actions with wildcards, and the condition operators `Bool`, `StringEquals`,
 * `StringNotEquals`, `ArnEquals`/`ArnLike`, `ArnNotEquals`/`ArnNotLike`. As in IAM, a negated
 * operator matches a request that lacks the key, a positive one does not. A value is read only
 * when the request needs it, so a statement whose ARNs are not known yet (a first preview) can
 * still be judged for a request those ARNs cannot concern. Resources are matched only when the
 * request names one (an API's policy covers many resources, a queue's only itself).
 */
import { UnknownValueError } from "@pulumi/policy";
import { field, stringsOf } from "./reading";

export interface PolicyRequest {
  /** Who asks: an AWS service principal (`events.amazonaws.com`) or an IAM principal's ARN. */
  principal: { service: string } | { arn: string };
  action: string;
  /** The request's condition keys, e.g. `aws:SourceArn`, `aws:PrincipalArn`, `aws:SecureTransport`. */
  context: Record<string, string>;
  /** The resource asked for, matched against each statement's `Resource`; absent: every statement applies. */
  resource?: string;
}

export interface PolicyDecision {
  /** A Deny statement matches: nothing else can allow the request. */
  explicitlyDenied: boolean;
  /** An Allow statement matches (what a principal of another account needs besides its own IAM). */
  allowedByPolicy: boolean;
}

/** `*` and `?` wildcards, as ArnLike and actions use them. */
const wildcard = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);

function principalMatches(statement: unknown, request: PolicyRequest): boolean {
  const principal = field(statement, "Principal");
  if (principal.state !== "known") return false;
  if (principal.value === "*") return true;
  if ("service" in request.principal) return stringsOf(field(principal.value, "Service")).includes(request.principal.service);
  const arn = request.principal.arn;
  return stringsOf(field(principal.value, "AWS")).some((listed) => listed === "*" || listed === arn);
}

const actionMatches = (statement: unknown, action: string): boolean =>
  stringsOf(field(statement, "Action")).some((pattern) => wildcard(pattern, action));

type Operator = (values: string[], actual: string) => boolean;

const OPERATORS: Record<string, { negated: boolean; test: Operator }> = {
  Bool: { negated: false, test: (values, actual) => values.some((v) => v.toLowerCase() === actual.toLowerCase()) },
  StringEquals: { negated: false, test: (values, actual) => values.includes(actual) },
  StringNotEquals: { negated: true, test: (values, actual) => !values.includes(actual) },
  ArnEquals: { negated: false, test: (values, actual) => values.includes(actual) },
  ArnLike: { negated: false, test: (values, actual) => values.some((v) => wildcard(v, actual)) },
  ArnNotEquals: { negated: true, test: (values, actual) => !values.includes(actual) },
  ArnNotLike: { negated: true, test: (values, actual) => !values.some((v) => wildcard(v, actual)) },
};

/** Thrown for a condition operator this evaluator does not know: never guess a security decision. */
export class UnsupportedConditionError extends Error {
  override name = "UnsupportedConditionError";
}

function conditionsHold(statement: unknown, request: PolicyRequest): boolean {
  const condition = field(statement, "Condition");
  if (condition.state === "absent") return true;
  if (condition.state !== "known" || condition.value === null || typeof condition.value !== "object") return false;
  for (const operatorName of Object.keys(condition.value)) {
    const operator = OPERATORS[operatorName];
    if (!operator) throw new UnsupportedConditionError(`condition operator ${operatorName} is not supported`);
    const keys = field(condition.value, operatorName);
    if (keys.state !== "known" || keys.value === null || typeof keys.value !== "object") return false;
    for (const key of Object.keys(keys.value)) {
      const actual = request.context[key];
      if (actual === undefined) {
        if (!operator.negated) return false;
        continue; // a negated operator matches a request without the key, whatever its values
      }
      const values = field(keys.value, key);
      // Reading it is needed, and it is not known yet: this request cannot be judged before deploy.
      if (values.state === "unknown") throw new UnknownValueError(`the values of ${operatorName} ${key} are not known yet`);
      if (!operator.test(stringsOf(values), actual)) return false;
    }
  }
  return true;
}

function resourceMatches(statement: unknown, resource: string | undefined): boolean {
  if (resource === undefined) return true;
  if (field(statement, "NotResource").state !== "absent") throw new UnsupportedConditionError("NotResource is not supported");
  const listed = field(statement, "Resource");
  if (listed.state === "absent") return true;
  if (listed.state === "unknown") throw new UnknownValueError("the statement's resources are not known yet");
  return stringsOf(listed).some((pattern) => wildcard(pattern, resource));
}

const matches = (statement: unknown, request: PolicyRequest): boolean =>
  principalMatches(statement, request) &&
  actionMatches(statement, request.action) &&
  resourceMatches(statement, request.resource) &&
  conditionsHold(statement, request);

export function decide(statements: readonly unknown[], request: PolicyRequest): PolicyDecision {
  const effect = (statement: unknown) => field(statement, "Effect");
  const of = (wanted: string) =>
    statements.filter((s) => {
      const found = effect(s);
      return found.state === "known" && found.value === wanted;
    });
  return {
    explicitlyDenied: of("Deny").some((s) => matches(s, request)),
    allowedByPolicy: of("Allow").some((s) => matches(s, request)),
  };
}
