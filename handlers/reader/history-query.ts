/**
 * The query of `GET /points/{userId}/history`: the reader parses it with this schema, and the
 * API's document describes its parameters from the same one (each as the value it parses to).
 */
import * as v from "valibot";

/** Page size of the history: 1–100, 20 when not given. */
export const HISTORY_LIMIT = { min: 1, max: 100, default: 20 } as const;

const LIMIT_MESSAGE = `must be a whole number from ${HISTORY_LIMIT.min} to ${HISTORY_LIMIT.max}`;

export const HistoryQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]+$/, LIMIT_MESSAGE),
      v.transform(Number),
      v.number(),
      v.integer(LIMIT_MESSAGE),
      v.minValue(HISTORY_LIMIT.min, `must be at least ${HISTORY_LIMIT.min}`),
      v.maxValue(HISTORY_LIMIT.max, `must be at most ${HISTORY_LIMIT.max}`),
      v.description(`Entries per page, ${HISTORY_LIMIT.min}–${HISTORY_LIMIT.max} (${HISTORY_LIMIT.default} when absent).`),
    ),
    String(HISTORY_LIMIT.default),
  ),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.maxLength(1024, "is too long"),
      // The cursors this API hands out are base64url.
      v.regex(/^[A-Za-z0-9_-]+$/, "must be a nextCursor as it was returned"),
      v.description("The `nextCursor` of the previous page, as it was returned."),
    ),
  ),
});
