/**
 * The pieces the API's answers are built of, as valibot schemas: every answer schema uses these,
 * so points are whole numbers and times ISO 8601 instants everywhere the document says so.
 */
import * as v from "valibot";

/** A number of points: a whole number, negative where an entry took points away. */
export const PointsSchema = v.pipe(v.number(), v.safeInteger());

/** An instant as the API writes it: ISO 8601 in UTC with milliseconds. */
export const InstantSchema = v.pipe(v.string(), v.isoTimestamp());
