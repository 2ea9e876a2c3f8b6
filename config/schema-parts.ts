/**
 * The building blocks of every settings schema, so a value means the same and fails with the
 * same sentence whether it comes from a stack file or from a component's arguments.
 */
import * as v from "valibot";

/** A whole number in `[min, max]`; one message for every way of missing it. */
export const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};

/** Seconds a Lambda function may run: Lambda's own bounds. */
export const FunctionTimeoutSchema = wholeNumber(1, 900);

/** Memory of a Lambda function in MB: Lambda's own bounds. */
export const FunctionMemorySchema = wholeNumber(128, 10_240);

/** A yes/no setting. */
export const TrueOrFalseSchema = v.boolean("must be true or false");

/** A non-empty string; `what` says what it must be. */
export const nonEmpty = (what: string) => v.pipe(v.string(what), v.minLength(1, what));

export { strictObject } from "../handlers/domain/strict-object";

/** A list of distinct items. */
export const distinctList = <TItem extends v.GenericSchema<unknown, string>>(item: TItem, what: string) =>
  v.pipe(
    v.array(item, `must be a list of ${what}`),
    v.check((items) => new Set(items).size === items.length, "must not repeat an entry"),
  );

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const LogRetentionSchema = v.picklist(LOG_RETENTION_DAYS, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);

/** An IAM role or user ARN: who may be named as an operator or an admin. */
export const IamPrincipalArnSchema = v.pipe(
  v.string("must be an IAM role or user ARN"),
  v.regex(
    /^arn:aws[\w-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/,
    "must be an IAM role or user ARN like arn:aws:iam::123456789012:role/name",
  ),
);

/**
 * A component's name: the prefix of every resource it creates, so short enough for AWS's
 * name limits once auto-naming adds its suffix (IAM roles and Lambda functions: 64).
 */
export const ComponentNameSchema = v.pipe(
  v.string("must be a name"),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, "must be 1–40 letters, digits and -, starting with a letter or digit"),
);
