/**
 * Every setting of a stack, read through one valibot schema before any resource is
 * registered. A bad value stops the program with a message that names the key, what was
 * expected and what was found; an unknown key (a typo) is an error too, not a silent default.
 */
import * as v from "valibot";
import { DEFAULT_EVENT_SOURCE } from "../handlers/domain/contract";
import { EarnRulesConfigSchema } from "../handlers/domain/earn-rules";
import { LogLevelSchema } from "../handlers/runtime/log";

/** The project's config namespace (`otrium-loyalty:<key>` in `Pulumi.<stack>.yaml`). */
export const CONFIG_NAMESPACE = "otrium-loyalty";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
] as const;

const wholeNumber = (min: number, max: number) =>
  v.pipe(
    v.number(`must be a whole number from ${min} to ${max}`),
    v.integer(`must be a whole number from ${min} to ${max}`),
    v.minValue(min, `must be a whole number from ${min} to ${max}`),
    v.maxValue(max, `must be a whole number from ${min} to ${max}`),
  );

const nonEmpty = (what: string) => v.pipe(v.string(what), v.minLength(1, what));

const WriterSchema = v.pipe(v.object({
  /** Lambda timeout; the queue's visibility timeout is derived from it (6×). */
  timeoutSeconds: v.optional(wholeNumber(1, 900), 30),
  memoryMb: v.optional(wholeNumber(128, 10_240), 256),
  /** Records per invocation. */
  batchSize: v.optional(wholeNumber(1, 10_000), 10),
  /** How long the event source mapping gathers records before invoking. */
  batchingWindowSeconds: v.optional(wholeNumber(0, 300), 0),
  /** Upper bound on concurrent writer invocations (the event source mapping's limit). */
  maxConcurrency: v.optional(wholeNumber(2, 1000), 5),
}),
  // SQS event source mappings refuse a batch over 10 records without a batching window.
  v.forward(
    v.check(
      (writer) => writer.batchSize <= 10 || writer.batchingWindowSeconds >= 1,
      "must be at least 1 when batchSize is over 10",
    ),
    ["batchingWindowSeconds"],
  ),
);

const ThrottleSchema = v.object(
  {
    /** Steady-state requests per second across the stage. */
    rateLimit: wholeNumber(1, 10_000),
    /** Requests allowed in a burst above the rate. */
    burstLimit: wholeNumber(1, 5_000),
  },
  "must be set: throttle takes both rateLimit and burstLimit",
);

/** Who may call the API: `cognito` for the apps, `iam` for backends, `none` for dev only. */
const ApiAuthSchema = v.variant(
  "type",
  [
    v.object({ type: v.literal("none") }),
    v.object({ type: v.literal("iam") }),
    v.object(
      {
        type: v.literal("cognito"),
        userPoolArn: v.pipe(
          v.string("must be a Cognito user pool ARN"),
          v.regex(/^arn:aws[\w-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/, "must be a Cognito user pool ARN"),
        ),
      },
      "must be set to the Cognito user pool ARN",
    ),
  ],
  'must be {type: "none"}, {type: "iam"} or {type: "cognito", userPoolArn}',
);

const ApiSchema = v.object({
  stageName: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must use only letters, digits, _ and -")),
    "v1",
  ),
  auth: v.optional(ApiAuthSchema, { type: "iam" }),
  adminGroup: v.optional(nonEmpty("must be a Cognito group name")),
  allowedOrigins: v.optional(
    v.array(v.pipe(v.string(), v.regex(/^(\*|https?:\/\/[^/\s,]+)$/, "must be an origin like https://www.otrium.com, or *"))),
    [],
  ),
  throttle: v.optional(ThrottleSchema, { rateLimit: 50, burstLimit: 100 }),
  /** Whether this stack sets the region's API Gateway logging role (one stack per region should). */
  manageAccountLogRole: v.optional(v.boolean("must be true or false"), false),
});

const StackConfigSchema = v.object({
  /** Points per whole currency unit, e.g. `{"EUR": 1, "GBP": 1.25}`. */
  earnRules: EarnRulesConfigSchema,
  eventBusName: v.optional(nonEmpty("must be an event bus name"), "default"),
  eventSource: v.optional(nonEmpty("must be an EventBridge source"), DEFAULT_EVENT_SOURCE),
  /** Receives before a message moves to the DLQ. */
  maxReceiveCount: v.optional(wholeNumber(1, 1000), 5),
  writer: v.optional(WriterSchema, {}),
  api: v.optional(ApiSchema, {}),
  logLevel: v.optional(LogLevelSchema, "info"),
  logRetentionDays: v.optional(
    v.picklist(LOG_RETENTION_DAYS, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`),
    30,
  ),
  deletionProtection: v.optional(v.boolean("must be true or false"), true),
  alarmEmails: v.optional(v.array(v.pipe(v.string(), v.email("must be an email address"))), []),
}, "is required");

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

/** The value at a dotted path of `raw`, for showing what was found. */
function valueAt(raw: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined), raw);
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
  if (!result.success) {
    for (const issue of result.issues) {
      const path = v.getDotPath(issue) ?? "";
      const found = JSON.stringify(valueAt(raw, path)) ?? "nothing";
      problems.push(`${CONFIG_NAMESPACE}:${path}: ${issue.message} (found ${found})`);
    }
  }
  if (result.success && region.success && problems.length === 0) {
    return { ...result.output, region: region.output };
  }
  throw new InvalidStackConfigError(`invalid stack config:\n  ${problems.join("\n  ")}`);
}
