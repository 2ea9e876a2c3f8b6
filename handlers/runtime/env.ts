/**
 * The handlers' settings, read from the environment once, when the module loads: a bad
 * value fails the Lambda's init with a message naming the variable, instead of failing
 * every event later.
 */
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { LogLevelSchema } from "./log";

const TableNameSchema = v.pipe(
  v.string("is required"),
  v.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name"),
);

/** `ALLOWED_ORIGINS`: comma-separated origins (or `*`) that may call the API from a browser. */
const OriginsSchema = v.pipe(
  v.optional(v.string(), ""),
  v.transform((text) => text.split(",").map((origin) => origin.trim()).filter(Boolean)),
);

const EnvSchema = v.object({
  TABLE_NAME: TableNameSchema,
  EARN_RULES: v.optional(v.string()),
  LOG_LEVEL: v.optional(LogLevelSchema, "info"),
  ALLOWED_ORIGINS: OriginsSchema,
  ADMIN_GROUP: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export type HandlerEnv = v.InferOutput<typeof EnvSchema>;

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
