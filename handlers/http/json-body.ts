/**
 * A route's JSON body. API Gateway checks a body against the method's model only when the
 * request's `Content-Type` matches the model's (`application/json`): every other type skips the
 * validator, and a Lambda proxy integration passes the body on as it came (its 415 belongs to
 * mapping templates, which a proxy integration has none of). So the function itself refuses a
 * body not sent as JSON, with the status API Gateway uses for it: 415 `unsupported_media_type`.
 * A body sent with no `Content-Type` is refused too: nothing but JSON is read as JSON.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { describeIssues } from "../domain/describe-issues";
import { ClientError, headerOf } from "./proxy-router";
import type { ErrorCode } from "./responses";

/** The errors a route with a body answers besides its own, by status. */
export const BODY_ERRORS = {
  400: ["invalid_request"],
  415: ["unsupported_media_type"],
} as const satisfies Record<number, readonly ErrorCode[]>;

/** Whether `contentType` is JSON's media type, in any case, with any parameters (`; charset=utf-8`). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const [mediaType = ""] = (contentType ?? "").split(";");
  return mediaType.trim().toLowerCase() === "application/json";
}

/**
 * The body of `event` as `schema` reads it; a `ClientError` (415, or 400 naming the fields)
 * otherwise. `shape` shows the fields in the message for a body that is no JSON.
 */
export function parseJsonBody<TSchema extends v.GenericSchema>(
  event: APIGatewayProxyEvent,
  schema: TSchema,
  shape: string,
): v.InferOutput<TSchema> {
  const contentType = headerOf(event, "content-type");
  if (!isJsonMediaType(contentType)) {
    const found = contentType === undefined ? "none" : `"${contentType}"`;
    throw new ClientError(
      415,
      "unsupported_media_type",
      `the body must be JSON, sent with Content-Type: application/json (found ${found})`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? "");
  } catch {
    throw new ClientError(400, "invalid_request", `the body must be JSON: ${shape}`);
  }
  const request = v.safeParse(schema, body);
  if (!request.success) throw new ClientError(400, "invalid_request", describeIssues(request.issues, "body"));
  return request.output;
}
