/**
 * Every setting of a stack, read through one valibot schema before any resource is
 * registered. A bad value stops the program with a message that names the key, what was
 * expected and what was found; an unknown key at any level (a typo) is an error too, not a
 * silent default. The fields are the ones the components validate their arguments with.
 */
import * as v from "valibot";
import { EarnRulesConfigSchema } from "../handlers/domain/earn-rules";
import { ExpiringSoonDaysSchema } from "../handlers/domain/lifecycle";
import { TiersSchema } from "../handlers/domain/tier-settings";
import { LogLevelSchema } from "../handlers/runtime/log";
import {
  AdminGroupSchema,
  AdminPrincipalsSchema,
  AllowedOriginsSchema,
  apiAuthSchema,
  StageNameSchema,
  ThrottleSchema,
  UserPoolArnSchema,
} from "./api-settings";
import {
  BATCHING_WINDOW_RULE,
  BatchingWindowSchema,
  BatchSizeSchema,
  EventBusNameSchema,
  EventSourceSchema,
  LifecycleSettingSchema,
  MaxConcurrencySchema,
  MaxReceiveCountSchema,
  PublisherAccountsSchema,
  RedriveOperatorsSchema,
  WriterMemorySchema,
  WriterTimeoutSchema,
} from "./ingest-settings";
import { ALERTS_DEFAULTS } from "./defaults/alerts-defaults";
import { API_DEFAULTS } from "./defaults/api-defaults";
import { FUNCTION_DEFAULTS } from "./defaults/function-defaults";
import { INGEST_DEFAULTS } from "./defaults/ingest-defaults";
import { SETTLE_DEFAULTS } from "./defaults/settle-defaults";
import { STORE_DEFAULTS } from "./defaults/store-defaults";
import { LOG_RETENTION_DAYS, LogRetentionSchema, strictObject, TrueOrFalseSchema } from "./schema-parts";
import { describeSettingsIssues } from "./settings-issues";

export { LOG_RETENTION_DAYS };

/** The project's config namespace (`otrium-loyalty:<key>` in `Pulumi.<stack>.yaml`). */
export const CONFIG_NAMESPACE = "otrium-loyalty";

const WriterSchema = v.pipe(
  strictObject({
    timeoutSeconds: v.optional(WriterTimeoutSchema, INGEST_DEFAULTS.writerTimeoutSeconds),
    memoryMb: v.optional(WriterMemorySchema, INGEST_DEFAULTS.writerMemoryMb),
    batchSize: v.optional(BatchSizeSchema, INGEST_DEFAULTS.batchSize),
    batchingWindowSeconds: v.optional(BatchingWindowSchema, INGEST_DEFAULTS.batchingWindowSeconds),
    maxConcurrency: v.optional(MaxConcurrencySchema, INGEST_DEFAULTS.maxConcurrency),
  }),
  v.forward(
    v.check((writer) => BATCHING_WINDOW_RULE.holds(writer.batchSize, writer.batchingWindowSeconds), BATCHING_WINDOW_RULE.message),
    ["batchingWindowSeconds"],
  ),
);

const ApiSchema = strictObject({
  stageName: v.optional(StageNameSchema, API_DEFAULTS.stageName),
  auth: v.optional(apiAuthSchema(UserPoolArnSchema), API_DEFAULTS.auth),
  adminGroup: v.optional(AdminGroupSchema),
  adminPrincipals: v.optional(AdminPrincipalsSchema, API_DEFAULTS.adminPrincipals),
  allowedOrigins: v.optional(AllowedOriginsSchema, API_DEFAULTS.allowedOrigins),
  throttle: v.optional(ThrottleSchema, API_DEFAULTS.throttle),
  /** Whether this stack sets the region's API Gateway logging role (exactly one stack per account and region does). */
  manageAccountLogRole: v.optional(TrueOrFalseSchema, API_DEFAULTS.manageAccountLogRole),
});

/**
 * Every key of the namespace, with its default (from `defaults/`); the README's stack config
 * table is held to it.
 */
export const StackConfigSchema = v.object(
  {
    /** Points per whole currency unit, e.g. `{"EUR": 1, "GBP": 1.25}`. */
    earnRules: EarnRulesConfigSchema,
    /** The accounts whose events may earn points (required: nobody else can mint them). */
    publisherAccounts: PublisherAccountsSchema,
    /** Who may redrive the DLQs into the queue (the queue denies everyone else but the rule). */
    redriveOperators: v.optional(RedriveOperatorsSchema, INGEST_DEFAULTS.redriveOperators),
    eventBusName: v.optional(EventBusNameSchema, INGEST_DEFAULTS.eventBusName),
    eventSource: v.optional(EventSourceSchema, INGEST_DEFAULTS.eventSource),
    /** The bus the points events (`otrium.loyalty`) are published to. */
    // Absent: the stack publishes to a bus of its own, so dev's events never reach prod's consumers.
    pointsEventBusName: v.optional(EventBusNameSchema),
    maxReceiveCount: v.optional(MaxReceiveCountSchema, INGEST_DEFAULTS.maxReceiveCount),
    /** Pending days (the return window) and expiry days of each order's points. */
    lifecycle: v.optional(LifecycleSettingSchema, STORE_DEFAULTS.lifecycle),
    /** Days before an expiry that customers are told of it (`Points Expiring Soon`); 0: never. */
    expiringSoonDays: v.optional(ExpiringSoonDaysSchema, SETTLE_DEFAULTS.expiringSoonDays),
    /** The tiers' levels and window (the `LoyaltyStore`'s `tiers`); absent: no tiers, every order earns its base points. */
    tiers: v.optional(TiersSchema),
    writer: v.optional(WriterSchema, {}),
    api: v.optional(ApiSchema, {}),
    logLevel: v.optional(LogLevelSchema, FUNCTION_DEFAULTS.logLevel),
    logRetentionDays: v.optional(LogRetentionSchema, FUNCTION_DEFAULTS.logRetentionDays),
    /** DynamoDB refuses to delete the ledger, and Pulumi refuses to (`protect`). */
    deletionProtection: v.optional(TrueOrFalseSchema, STORE_DEFAULTS.deletionProtection),
    alarmEmails: v.optional(v.array(v.pipe(v.string(), v.email("must be an email address"))), ALERTS_DEFAULTS.emails),
  },
  "is required",
);

/** The AWS region comes from the provider's own key, `aws:region`. */
const RegionSchema = v.pipe(
  v.string("must be set (pulumi config set aws:region eu-west-1)"),
  v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like eu-west-1"),
);

export type StackConfig = v.InferOutput<typeof StackConfigSchema> & { region: string };

/** Thrown when the stack's config is invalid; the message lists every bad key. */
export class InvalidStackConfigError extends Error {
  override name = "InvalidStackConfigError";
}

/** Pulumi keeps config values as text; structured values are JSON. */
function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Validates `values` — every config entry of the stack as Pulumi holds it, keyed
 * `<namespace>:<key>` — and returns the settings of this project's namespace.
 */
export function parseStackConfig(values: Record<string, string>): StackConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const known = Object.keys(StackConfigSchema.entries);
  for (const [fullKey, text] of Object.entries(values)) {
    const [namespace, key = ""] = fullKey.split(":", 2);
    if (namespace !== CONFIG_NAMESPACE) continue;
    if (!known.includes(key)) {
      problems.push(`${fullKey}: unknown key (known keys: ${known.join(", ")})`);
      continue;
    }
    raw[key] = decode(text);
  }
  const region = v.safeParse(RegionSchema, values["aws:region"]);
  if (!region.success) {
    problems.push(`aws:region: ${region.issues[0].message} (found ${JSON.stringify(values["aws:region"]) ?? "nothing"})`);
  }
  const result = v.safeParse(StackConfigSchema, raw, { abortPipeEarly: true });
  if (!result.success) problems.push(...describeSettingsIssues(result.issues, raw, `${CONFIG_NAMESPACE}:`));
  if (result.success && region.success && problems.length === 0) {
    return { ...result.output, region: region.output };
  }
  throw new InvalidStackConfigError(`invalid stack config:\n  ${problems.join("\n  ")}`);
}
