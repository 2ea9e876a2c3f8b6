/**
 * A service principal (`events.amazonaws.com`) in a key policy or a role's trust policy speaks
 * for the service acting for any AWS account. Unless a condition ties the request to this
 * account or to one of its resources, another account can point its own rule, alarm or schedule
 * at our key or role and have the service use it on its behalf — the confused deputy.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { field, known, statementsOf, stringsOf, type Field } from "./reading";
import { TYPES } from "./resource-types";

/** Where a policy document sits, and what it is called in a finding. */
const DOCUMENTS: Record<string, { key: string; noun: string; trust: boolean }> = {
  [TYPES.kmsKey]: { key: "policy", noun: "Key policy", trust: false },
  [TYPES.kmsKeyPolicy]: { key: "policy", noun: "Key policy", trust: false },
  [TYPES.iamRole]: { key: "assumeRolePolicy", noun: "Trust policy", trust: true },
};

/**
 * Services whose roles' trust needs no condition, and why. Only trust policies: in a key
 * policy every service is held. Both roles can be handed to the service only by a principal of
 * this account with `iam:PassRole` on them, which IAM never grants across accounts, so no other
 * account can make the service assume them; and no AWS page documents a source key for either
 * (the Lambda guide's execution role and the API Gateway guide's CloudWatch role both trust the
 * bare service principal), so a condition could only risk locking the service out.
 */
export const TRUST_EXEMPTIONS: Readonly<Record<string, string>> = {
  "lambda.amazonaws.com": "a function's execution role is passed to it by this account (iam:PassRole)",
  "apigateway.amazonaws.com": "the account-wide CloudWatch logs role is set by this account (iam:PassRole)",
};

/** Operators that hold a key to the listed values; `…IfExists` and negated ones let a request without the key through. */
const HOLDING_OPERATORS = new Set(["StringEquals", "StringLike", "ArnEquals", "ArnLike"]);

const ACCOUNT = /^\d{12}$/;

/**
 * Whether a condition key can hold a service to this account or a resource of it. The
 * encryption context names the resource KMS is asked to encrypt for (e.g.
 * `kms:EncryptionContext:aws:sqs:arn`): key policies only. `kms:ViaService` is no such key: it
 * names a service, and every account's queues go through the same one.
 */
const isHoldingKey = (key: string, trust: boolean): boolean =>
  ["aws:SourceAccount", "aws:SourceOwner", "aws:SourceArn"].includes(key) || (!trust && key.startsWith("kms:EncryptionContext:"));

/** Whether one value of a holding key names this account or a resource of it (not a wildcard for either). */
function holds(key: string, value: string): boolean {
  if (key === "aws:SourceAccount" || key === "aws:SourceOwner") return ACCOUNT.test(value);
  // arn:partition:service:region:account:resource — the account must be named, not matched.
  if (key === "aws:SourceArn") return ACCOUNT.test(value.split(":")[4] ?? "");
  return value.replace(/[*?]/g, "") !== "";
}

/** Whether the statement's condition holds every request to this account or a resource of it. */
function heldToAccount(statement: unknown, trust: boolean): boolean {
  const condition = field(statement, "Condition");
  if (condition.state === "unknown") return true; // set, to something not known yet: judged on the next preview
  if (condition.state === "absent" || condition.value === null || typeof condition.value !== "object") return false;
  return Object.keys(condition.value).some((operator) => {
    if (!HOLDING_OPERATORS.has(operator)) return false;
    const keys = field(condition.value, operator);
    if (keys.state === "unknown") return true;
    if (keys.state !== "known" || keys.value === null || typeof keys.value !== "object") return false;
    return Object.keys(keys.value).some((key) => {
      if (!isHoldingKey(key, trust)) return false;
      const values: Field = field(keys.value, key);
      if (values.state === "unknown") return true; // e.g. the ARN of a resource not created yet
      const listed = stringsOf(values);
      return listed.length > 0 && listed.every((value) => holds(key, value));
    });
  });
}

export const servicePrincipalsHeldToAccount: ResourceValidationPolicy = {
  name: "service-principals-held-to-account",
  description:
    "Every service principal a KMS key policy or a role's trust policy admits is held to this account or one of its resources (aws:SourceAccount, aws:SourceArn, aws:SourceOwner, or a kms:EncryptionContext key); Lambda and API Gateway's logs role excepted in trust policies.",
  remediationSteps:
    'Add Condition: { StringEquals: { "aws:SourceAccount": <account> } } to the statement, and ArnLike "aws:SourceArn" where the service\'s documentation shows it sent (serviceKey and LoyaltySettle do).',
  validateResource: (args, report) => {
    const document = DOCUMENTS[args.type];
    if (!document) return;
    if (field(args.props, document.key).state === "absent")
      args.notApplicable("no policy document: AWS's default key policy admits no service");
    for (const statement of statementsOf(args.props, document.key)) {
      if (known(statement, "Effect") !== "Allow") continue;
      const services = stringsOf(field(known(statement, "Principal"), "Service"));
      if (services.length === 0 || heldToAccount(statement, document.trust)) continue;
      const sid = known(statement, "Sid");
      for (const service of services) {
        if (document.trust && TRUST_EXEMPTIONS[service] !== undefined) continue;
        report(
          `${document.noun} statement${typeof sid === "string" ? ` "${sid}"` : ""} admits ${service} acting for any AWS account: another account could have it use this ${document.trust ? "role" : "key"} (the confused deputy). Add a condition on aws:SourceAccount (this account) or aws:SourceArn (the resource it acts for).`,
        );
      }
    }
  },
};
