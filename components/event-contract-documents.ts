/**
 * The event contracts as OpenAPI 3 documents, the format of EventBridge's schema registry (and of
 * the schemas it discovers), generated from the handlers' valibot schemas so the published
 * contracts can never drift from what the writer accepts and what the publisher sends.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { DEFAULT_EVENT_SOURCE, DETAIL_SCHEMAS, DETAIL_TYPES } from "../handlers/domain/contract";
import { POINTS_DETAIL_SCHEMAS, POINTS_DETAIL_TYPES, POINTS_EVENT_SOURCE } from "../handlers/domain/points-events";

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
function detailsOf<K extends string>(types: { readonly [key in K]: string }, schemas: { readonly [key in K]: v.GenericSchema }) {
  return (Object.keys(types) as K[]).map((key) => ({ name: types[key].replace(/ /g, ""), detailType: types[key], schema: schemas[key] }));
}

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

function documentsOf(
  source: string,
  details: ReadonlyArray<{ name: string; detailType: string; schema: v.GenericSchema }>,
): EventContractDocument[] {
  return details.map(({ name, detailType, schema }) => ({
    name,
    detailType,
    // Checks that JSON Schema cannot say (a timestamp being a real date) are left to the code.
    content: document(name, detailType, source, toJsonSchema(schema, { target: "openapi-3.0", typeMode: "input", errorMode: "ignore" })),
  }));
}

/** One document per detail-type the writer consumes. */
export const eventContractDocuments = (source: string = DEFAULT_EVENT_SOURCE): EventContractDocument[] =>
  documentsOf(source, detailsOf(DETAIL_TYPES, DETAIL_SCHEMAS));

/** One document per detail-type the loyalty program publishes (`otrium.loyalty`). */
export const pointsEventDocuments = (): EventContractDocument[] =>
  documentsOf(POINTS_EVENT_SOURCE, detailsOf(POINTS_DETAIL_TYPES, POINTS_DETAIL_SCHEMAS));
