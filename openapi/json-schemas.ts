/**
 * The document's JSON Schemas, converted from the valibot schemas the handlers use. Answers are
 * converted as the handlers produce them (their output), requests as clients send them (their
 * input, the way API Gateway's request models are made). The named schemas become
 * `components/schemas` and are referenced wherever they occur.
 */
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { overrideAction, REQUEST_CONVERSION } from "../components/api-models";
import { IdSchema, MoneySchema } from "../handlers/domain/contract";
import { AdjustmentAnswerSchema, ErasureAnswerSchema } from "../handlers/admin/answers";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";
import { InsufficientPointsAnswerSchema } from "../handlers/http/error-answers";
import { BalanceAnswerSchema, HistoryItemSchema, HistoryPageSchema, TierAnswerSchema } from "../handlers/reader/answers";
import { CancelAnswerSchema, RedemptionAnswerSchema } from "../handlers/redeemer/answers";

export type { JsonSchema };

/** Schemas with a name of their own in the document, for the clients generated from it. */
const NAMED = {
  Id: IdSchema,
  Money: MoneySchema,
  Balance: BalanceAnswerSchema,
  Tier: TierAnswerSchema,
  HistoryItem: HistoryItemSchema,
  HistoryPage: HistoryPageSchema,
  Redemption: RedemptionAnswerSchema,
  RedemptionCancel: CancelAnswerSchema,
  RedemptionRequest: RedemptionRequestSchema,
  Adjustment: AdjustmentAnswerSchema,
  AdjustmentRequest: AdjustmentRequestSchema,
  Erasure: ErasureAnswerSchema,
  InsufficientPoints: InsufficientPointsAnswerSchema,
};

const named = {
  target: "draft-2020-12",
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  overrideAction,
} as const satisfies ConversionConfig;

const ANSWER: ConversionConfig = { ...named, typeMode: "output" };
const REQUEST: ConversionConfig = { ...named, ...REQUEST_CONVERSION };

/** Without the draft marker and the definitions: the document holds those once, in its components. */
function embedded(schema: v.GenericSchema, config: ConversionConfig): JsonSchema {
  const { $schema: _draft, $defs: _definitions, ...rest } = toJsonSchema(schema, { ...config, definitions: NAMED });
  return rest;
}

export const answerJsonSchema = (schema: v.GenericSchema): JsonSchema => embedded(schema, ANSWER);
export const requestJsonSchema = (schema: v.GenericSchema): JsonSchema => embedded(schema, REQUEST);

/**
 * A query parameter as the value its handler parses it to (`limit` is an integer, though it
 * arrives as text): OpenAPI describes a parameter by its value, which the client serializes.
 * Checks JSON Schema cannot express are left out, as in request bodies.
 */
export const queryParameterJsonSchema = (schema: v.GenericSchema): JsonSchema => embedded(schema, { ...ANSWER, errorMode: "ignore" });

/** `components/schemas`. Every named schema reads the same as input and as output (no transformations). */
export function componentSchemas(): Record<string, JsonSchema> {
  return toJsonSchemaDefs(NAMED, ANSWER);
}
