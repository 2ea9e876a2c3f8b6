/**
 * Holds an answer to the API's document: the JSON Schema the document gives for its route,
 * method and status. A route, method or status the document does not list is a failure too.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

export type Verdict = { ok: true } | { ok: false; problem: string };

/** `value[key]` when `value` is an object that has it. */
function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

/** Checks answers against `document` (the parsed `openapi.json`); `status` is a response key, e.g. `"409"` or `"4XX"`. */
export function answerChecker(document: unknown): (resource: string, method: string, status: string, body: unknown) => Verdict {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const components = field(document, "components");
  const compiled = new Map<string, ValidateFunction>();
  return (resource, method, status, body) => {
    const operation = field(field(field(document, "paths"), resource), method.toLowerCase());
    if (operation === undefined) return { ok: false, problem: `the document has no ${method} ${resource}` };
    const schema = field(field(field(field(operation, "responses"), status), "content"), "application/json");
    const responseSchema = field(schema, "schema");
    if (typeof responseSchema !== "object" || responseSchema === null)
      return { ok: false, problem: `the document lists no ${status} answer for ${method} ${resource}` };
    const key = `${method} ${resource} ${status}`;
    // The schema's `#/components/...` references resolve against the document's components.
    const validate = compiled.get(key) ?? ajv.compile({ ...responseSchema, components });
    compiled.set(key, validate);
    if (validate(body)) return { ok: true };
    return { ok: false, problem: `${key}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}` };
  };
}
