/**
 * Request models for API Gateway's validator, generated from the handlers' valibot schemas so
 * that API Gateway refuses exactly what the handler would (API Gateway models are JSON Schema
 * draft 4; the schemas used here need nothing newer).
 */
import { toJsonSchema, type ConversionConfig } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { codePointLimitOf } from "../handlers/domain/code-points";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";
import { CodesUploadSchema, RewardDefinitionSchema } from "../handlers/domain/rewards";

/** The largest and smallest 32-bit integers: an integer within them is an `int32`, any other an `int64`. */
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/**
 * What every conversion adds to the converter's own: the width of each integer (`format`), so
 * client generators never hold a 2^53-bounded number in 32 bits, and the code-point limits of
 * `maxCodePoints` as `maxLength` (which counts code points too).
 */
export const overrideAction: NonNullable<ConversionConfig["overrideAction"]> = ({ valibotAction, jsonSchema, errors }) => {
  const maxLength = codePointLimitOf(valibotAction);
  if (maxLength !== undefined) return { ...jsonSchema, maxLength };
  if (jsonSchema.type !== "integer" || errors !== undefined) return undefined;
  const { minimum, maximum } = jsonSchema;
  const narrow = typeof minimum === "number" && typeof maximum === "number" && minimum >= INT32.min && maximum <= INT32.max;
  return { ...jsonSchema, format: narrow ? "int32" : "int64" };
};

/**
 * How a request schema becomes JSON Schema, here and in the API's OpenAPI document: what a
 * client sends (the input, before any transformation), leaving out the checks JSON Schema cannot
 * express (the handler still makes them).
 */
export const REQUEST_CONVERSION = { typeMode: "input", errorMode: "ignore", overrideAction } as const satisfies ConversionConfig;

/** `schema` as an API Gateway model named `title`. */
function requestModel(title: string, schema: v.GenericSchema): string {
  return JSON.stringify({
    $schema: "http://json-schema.org/draft-04/schema#",
    title,
    ...toJsonSchema(schema, { target: "openapi-3.0", ...REQUEST_CONVERSION }),
  });
}

export const redemptionRequestModel = (): string => requestModel("RedemptionRequest", RedemptionRequestSchema);

export const adjustmentRequestModel = (): string => requestModel("AdjustmentRequest", AdjustmentRequestSchema);

export const rewardDefinitionModel = (): string => requestModel("RewardDefinition", RewardDefinitionSchema);

export const codesUploadModel = (): string => requestModel("CodesUpload", CodesUploadSchema);
