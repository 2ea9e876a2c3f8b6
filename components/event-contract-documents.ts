/**
 * The event contract as OpenAPI 3 documents, the format of EventBridge's schema registry (and of
 * the schemas it discovers), generated from the handlers' valibot schemas so the published
 * contract can never drift from what the writer accepts.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { DEFAULT_EVENT_SOURCE, DETAIL_SCHEMAS, DETAIL_TYPES } from "../handlers/domain/contract";

export interface EventContractDocument {
  /** Registry schema name, e.g. `OrderCompleted`. */
  name: string;
  detailType: string;
  /** The OpenAPI 3 document, as JSON text. */
  content: string;
}

/**
 * Every detail-type of the contract, derived from its list so a new event is published with no
 * edit here; the registry name is the detail-type without spaces (`Order Completed` →
 * `OrderCompleted`), as the registry's names allow no spaces.
 */
const DETAILS: ReadonlyArray<{ name: string; detailType: string; schema: v.GenericSchema }> = (Object.keys(DETAIL_TYPES) as Array<keyof typeof DETAIL_TYPES>).map((key) => ({
  name: DETAIL_TYPES[key].replace(/ /g, ""),
  detailType: DETAIL_TYPES[key],
  schema: DETAIL_SCHEMAS[key],
}));

function document(name: string, detailType: string, source: string, detail: object): string {
  return JSON.stringify({
    openapi: "3.0.0",
    info: { version: "1.0.0", title: name },
    paths: {},
    components: {
      schemas: {
        AWSEvent: {
          type: "object",
          required: ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"],
          "x-amazon-events-detail-type": detailType,
          "x-amazon-events-source": source,
          properties: {
            detail: { $ref: `#/components/schemas/${name}` },
            account: { type: "string" },
            "detail-type": { type: "string", enum: [detailType] },
            id: { type: "string" },
            region: { type: "string" },
            resources: { type: "array", items: { type: "string" } },
            source: { type: "string", enum: [source] },
            time: { type: "string", format: "date-time" },
            version: { type: "string" },
          },
        },
        [name]: detail,
      },
    },
  });
}

/** One document per detail-type of the contract. */
export function eventContractDocuments(source: string = DEFAULT_EVENT_SOURCE): EventContractDocument[] {
  return DETAILS.map(({ name, detailType, schema }) => ({
    name,
    detailType,
    // Checks that JSON Schema cannot say (a timestamp being a real date) are left to the writer.
    content: document(name, detailType, source, toJsonSchema(schema, { target: "openapi-3.0", typeMode: "input", errorMode: "ignore" })),
  }));
}
