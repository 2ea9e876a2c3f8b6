/** Whether a parsed JSON value is an object (not `null`, not an array), whose fields can be read by name. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
