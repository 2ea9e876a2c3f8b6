/**
 * Components check their arguments in the constructor, with the schemas and messages of the
 * stack config: a stack that reuses them fails at `pulumi preview`, naming the argument, not at
 * a function's first cold start.
 */
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { ComponentNameSchema } from "../config/schema-parts";
import { describeSettingsIssues } from "../config/settings-issues";

/** Thrown by a component's constructor when its name or arguments are invalid; lists every problem. */
export class InvalidComponentArgsError extends Error {
  override name = "InvalidComponentArgsError";
}

/**
 * `schema`, or another resource's output (known only at deploy, so checked by AWS then): the
 * union keeps `schema`'s own message for a plain value that breaks it.
 */
export const orOutput = <TSchema extends v.GenericSchema>(schema: TSchema) =>
  v.union([schema, v.custom<pulumi.Output<v.InferOutput<TSchema>>>(isOutput)]);

/** Whether a value is another resource's output, known only at deploy. */
export const isOutput = (value: unknown): boolean => pulumi.Output.isInstance(value);

/** Validates a component's `name` and `args`; returns the args with their defaults applied. */
export function validateArgs<TSchema extends v.GenericSchema>(
  component: string,
  name: string,
  schema: TSchema,
  args: unknown,
): v.InferOutput<TSchema> {
  const problems: string[] = [];
  const named = v.safeParse(ComponentNameSchema, name);
  if (!named.success) problems.push(...describeSettingsIssues(named.issues, name, "name"));
  const result = v.safeParse(schema, args, { abortPipeEarly: true });
  if (!result.success) problems.push(...describeSettingsIssues(result.issues, args));
  if (result.success && problems.length === 0) return result.output;
  throw new InvalidComponentArgsError(`invalid arguments of ${component} "${name}":\n  ${problems.join("\n  ")}`);
}
