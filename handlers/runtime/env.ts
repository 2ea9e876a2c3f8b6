/**
 * The handlers' settings, read from the environment once, when the module loads: a bad
 * value fails the Lambda's init with a message naming the variable, instead of failing
 * every event later.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { EXPIRING_SOON_DAYS_DEFAULT, ExpiringSoonDaysSchema, IMMEDIATE, LifecycleSchema, type Lifecycle } from "../domain/lifecycle";
import { type Tiers, TiersSchema } from "../domain/tier-settings";
import { DEFAULT_LOG_LEVEL, LogLevelSchema } from "./log";

const TableNameSchema = v.pipe(v.string("is required"), v.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name"));

/** `ALLOWED_ORIGINS`: comma-separated origins (or `*`) that may call the API from a browser. */
const OriginsSchema = v.pipe(
  v.optional(v.string(), ""),
  v.transform((text) =>
    text
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  ),
);

/** A variable holding JSON: parsed, or an issue saying what it must be (`expected`). */
const jsonText = (expected: string) =>
  v.rawTransform<string, unknown>(({ dataset, addIssue, NEVER }) => {
    try {
      return JSON.parse(dataset.value) as unknown;
    } catch {
      addIssue({ message: expected });
      return NEVER;
    }
  });

const IAM_ARNS = "must be a JSON array of IAM ARNs";
/** `ADMIN_PRINCIPALS`: a JSON array of IAM role or user ARNs whose SigV4 calls are admin calls. */
const AdminPrincipalsSchema = v.pipe(
  v.optional(v.string(), "[]"),
  jsonText(IAM_ARNS),
  v.array(v.pipe(v.string(), v.regex(/^arn:aws[\w-]*:(iam|sts)::\d{12}:\S+$/, "must be an IAM ARN")), IAM_ARNS),
);

const ACCOUNT_IDS = "must be a JSON array of 12-digit AWS account ids";
/** `PUBLISHER_ACCOUNTS`: a JSON array of the 12-digit accounts whose events may earn points. */
const PublisherAccountsSchema = v.optional(
  v.pipe(
    v.string(),
    jsonText(ACCOUNT_IDS),
    v.array(v.pipe(v.string(), v.regex(/^\d{12}$/, "must be a 12-digit AWS account id")), ACCOUNT_IDS),
  ),
);

/** `POINTS_LIFECYCLE`: JSON `{pendingDays, expiryDays}`; unset, points are spendable at once and never expire. */
const PointsLifecycleSchema = v.pipe(
  v.optional(v.string(), JSON.stringify(IMMEDIATE)),
  jsonText('must be JSON like {"pendingDays": 30, "expiryDays": 365}'),
  LifecycleSchema,
);

/** `TIERS`: JSON `{levels: [{name, threshold, multiplier?}], windowDays?}`; unset, the ledger has no tiers. */
const TiersVariableSchema = v.optional(
  v.pipe(v.string(), jsonText('must be JSON like {"levels": [{"name": "Member", "threshold": 0}], "windowDays": 365}'), TiersSchema),
);

/** `EXPIRING_SOON_DAYS`: days before an expiry that customers are warned of it; 0: never. */
const ExpiringSoonDaysVariableSchema = v.pipe(
  v.optional(v.string(), String(EXPIRING_SOON_DAYS_DEFAULT)),
  v.regex(/^\d+$/, "must be a whole number of days"),
  v.transform(Number),
  ExpiringSoonDaysSchema,
);

const EnvSchema = v.object({
  TABLE_NAME: TableNameSchema,
  EARN_RULES: v.optional(v.string()),
  LOG_LEVEL: v.optional(LogLevelSchema, DEFAULT_LOG_LEVEL),
  ALLOWED_ORIGINS: OriginsSchema,
  ADMIN_GROUP: v.optional(v.pipe(v.string(), v.minLength(1))),
  ADMIN_PRINCIPALS: AdminPrincipalsSchema,
  /** The writer: the only `source` that may earn points; unset, any (the rule checks it too). */
  EVENT_SOURCE: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** The writer: unset means no account check (unit tests, the local runtime). */
  PUBLISHER_ACCOUNTS: PublisherAccountsSchema,
  /**
   * The writer: its queue's DLQ, where it sends a refund parked before its order that the order
   * rejects; unset (unit tests, the local runtime), such a refund is only logged.
   */
  DLQ_URL: v.optional(v.pipe(v.string(), v.url("must be the DLQ's URL"))),
  /**
   * The writer and the admin function: when the lots they create release and expire (an order's
   * points; an admin's grant, spendable at once, expires by `expiryDays`). Readers need it not:
   * each lot carries its dates.
   */
  POINTS_LIFECYCLE: PointsLifecycleSchema,
  /**
   * The writer (the multiplier an order earns at), the reader (the level it answers) and the
   * settle (the period ends it finds): the ledger's tiers, the same for all three.
   */
  TIERS: TiersVariableSchema,
  /** The settle: when to warn of an expiry (`Points Expiring Soon`). */
  EXPIRING_SOON_DAYS: ExpiringSoonDaysVariableSchema,
  /** The publisher: the bus the points events go to. */
  EVENT_BUS_NAME: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._\-/:]{1,1600}$/, "must be an event bus name or ARN")), "default"),
});

export type HandlerEnv = v.InferOutput<typeof EnvSchema>;

/** The names of every variable the handlers read; the README's environment table lists each. */
export const HANDLER_ENV_VARIABLES = Object.keys(EnvSchema.entries) as ReadonlyArray<keyof HandlerEnv>;

/** Thrown at module load when a handler's environment is missing or wrong. */
export class InvalidEnvironmentError extends Error {
  override name = "InvalidEnvironmentError";
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): HandlerEnv {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    throw new InvalidEnvironmentError(`invalid environment: ${describeIssues(result.issues)}`);
  }
  return result.output;
}

/** `EARN_RULES` is required by the writer only; the reader never computes points. */
export function requireEarnRules(env: HandlerEnv): string {
  if (env.EARN_RULES === undefined) {
    throw new InvalidEnvironmentError("invalid environment: EARN_RULES: is required");
  }
  return env.EARN_RULES;
}

/** The last `ADMIN_PRINCIPALS` text read, and what it held. */
let adminPrincipalsRead: { text: string | undefined; principals: readonly string[] } | undefined;

/**
 * `ADMIN_PRINCIPALS` of this process's environment (none when unset), checked like every
 * setting and read again only when the variable changes. A bad value throws
 * `InvalidEnvironmentError`; the handlers' `readEnv` at init reports it first.
 */
export function configuredAdminPrincipals(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const text = env.ADMIN_PRINCIPALS;
  if (adminPrincipalsRead !== undefined && adminPrincipalsRead.text === text) return adminPrincipalsRead.principals;
  const result = v.safeParse(v.object({ ADMIN_PRINCIPALS: AdminPrincipalsSchema }), { ADMIN_PRINCIPALS: text });
  if (!result.success) throw new InvalidEnvironmentError(`invalid environment: ${describeIssues(result.issues)}`);
  adminPrincipalsRead = { text, principals: result.output.ADMIN_PRINCIPALS };
  return adminPrincipalsRead.principals;
}

/**
 * `POINTS_LIFECYCLE` of `env` alone, checked as a handler's init checks it: for the local
 * runtime, which takes it from its own shell. A bad value throws `InvalidEnvironmentError`.
 */
export function pointsLifecycleOf(env: NodeJS.ProcessEnv = process.env): Lifecycle {
  const result = v.safeParse(v.object({ POINTS_LIFECYCLE: PointsLifecycleSchema }), { POINTS_LIFECYCLE: env.POINTS_LIFECYCLE });
  if (!result.success) throw new InvalidEnvironmentError(`invalid environment: ${describeIssues(result.issues)}`);
  return result.output.POINTS_LIFECYCLE;
}

/**
 * `EXPIRING_SOON_DAYS` of `env` alone, checked as the settle's init checks it: for the local
 * runtime, which takes it from its own shell. A bad value throws `InvalidEnvironmentError`.
 */
export function expiringSoonDaysOf(env: NodeJS.ProcessEnv = process.env): number {
  const result = v.safeParse(v.object({ EXPIRING_SOON_DAYS: ExpiringSoonDaysVariableSchema }), {
    EXPIRING_SOON_DAYS: env.EXPIRING_SOON_DAYS,
  });
  if (!result.success) throw new InvalidEnvironmentError(`invalid environment: ${describeIssues(result.issues)}`);
  return result.output.EXPIRING_SOON_DAYS;
}

/**
 * `TIERS` of `env` alone (`undefined` when unset), checked as the handlers' init checks it: for
 * the local runtime, which takes it from its own shell. A bad value throws `InvalidEnvironmentError`.
 */
export function tiersOf(env: NodeJS.ProcessEnv = process.env): Tiers | undefined {
  const result = v.safeParse(v.object({ TIERS: TiersVariableSchema }), { TIERS: env.TIERS });
  if (!result.success) throw new InvalidEnvironmentError(`invalid environment: ${describeIssues(result.issues)}`);
  return result.output.TIERS;
}
