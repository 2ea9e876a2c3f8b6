/**
 * The settings of the API, each defined once: the stack config and `LoyaltyApi`'s constructor
 * validate with these same schemas and messages, and the same defaults (`defaults/api-defaults.ts`).
 */
import * as v from "valibot";
import { distinctList, IamPrincipalArnSchema, nonEmpty, strictObject, wholeNumber } from "./schema-parts";

export const UserPoolArnSchema = v.pipe(
  v.string("must be a Cognito user pool ARN"),
  v.regex(/^arn:aws[\w-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/, "must be a Cognito user pool ARN"),
);

export const AUTH_CHOICES = 'must be {type: "iam"}, {type: "cognito", userPoolArn} or {type: "none", openToTheInternet: true}';

/**
 * Who may call the API: `iam` for backends (SigV4), `cognito` for the apps. `none` lets anyone on
 * the internet read, spend and cancel any customer's points, so it must be spelled out
 * (`openToTheInternet: true`), and the policy pack refuses it wherever it is mandatory.
 * `userPoolArn` is the schema of the pool's ARN where it is given (a component accepts an
 * output of another resource too).
 */
export function apiAuthSchema<TPool extends v.GenericSchema>(userPoolArn: TPool) {
  return v.variant(
    "type",
    [
      strictObject({ type: v.literal("iam") }),
      strictObject({ type: v.literal("cognito"), userPoolArn }, "must be set to the Cognito user pool ARN"),
      strictObject(
        {
          type: v.literal("none"),
          openToTheInternet: v.literal(
            true,
            "must be true: without auth anyone on the internet reads, spends and cancels any customer's points",
          ),
        },
        'must be set: {type: "none"} needs openToTheInternet: true (experiments only; the policy pack refuses it)',
      ),
    ],
    AUTH_CHOICES,
  );
}

export const StageNameSchema = v.pipe(
  v.string("must be a stage name"),
  v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must use only letters, digits, _ and -"),
);

export const AllowedOriginsSchema = distinctList(
  v.pipe(v.string(), v.regex(/^(\*|https?:\/\/[^/\s,]+)$/, "must be an origin like https://www.otrium.com, or *")),
  "origins",
);

export const ThrottleSchema = strictObject(
  {
    /** Steady-state requests per second across the stage. */
    rateLimit: wholeNumber(1, 10_000),
    /** Requests allowed in a burst above the rate. */
    burstLimit: wholeNumber(1, 5_000),
  },
  "must be set: throttle takes both rateLimit and burstLimit",
);

export const AdminGroupSchema = nonEmpty("must be a Cognito group name");

/** IAM principals (SigV4 callers) that act as admins: read and spend for anyone, cancel redemptions. */
export const AdminPrincipalsSchema = distinctList(IamPrincipalArnSchema, "IAM role or user ARNs");
