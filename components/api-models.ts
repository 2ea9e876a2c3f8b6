/**
 * Request models for API Gateway's validator, generated from the handlers' valibot schemas so
 * that API Gateway refuses exactly what the handler would (API Gateway models are JSON Schema
 * draft 4; the schemas used here need nothing newer).
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";

export function redemptionRequestModel(): string {
  const schema = toJsonSchema(RedemptionRequestSchema, { target: "openapi-3.0", typeMode: "input", errorMode: "ignore" });
  return JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", title: "RedemptionRequest", ...schema });
}
