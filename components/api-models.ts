/**
 * Request models for API Gateway's validator, generated from the handlers' valibot schemas so
 * that API Gateway refuses exactly what the handler would (API Gateway models are JSON Schema
 * draft 4; the schemas used here need nothing newer).
 */
import { toJsonSchema, type ConversionConfig } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";

/**
 * How a request schema becomes JSON Schema, here and in the API's OpenAPI document: what a
 * client sends (the input, before any transformation), leaving out the checks JSON Schema cannot
 * express (the handler still makes them).
 */
export const REQUEST_CONVERSION = { typeMode: "input", errorMode: "ignore" } as const satisfies ConversionConfig;

/** `schema` as an API Gateway model named `title`. */
function requestModel(title: string, schema: v.GenericSchema): string {
  return JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", title, ...toJsonSchema(schema, { target: "openapi-3.0", ...REQUEST_CONVERSION }) });
}

export const redemptionRequestModel = (): string => requestModel("RedemptionRequest", RedemptionRequestSchema);

export const adjustmentRequestModel = (): string => requestModel("AdjustmentRequest", AdjustmentRequestSchema);
