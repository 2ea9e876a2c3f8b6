/**
 * API Gateway's own answers as the document describes them: the gateway responses the stack sets
 * (`GATEWAY_ANSWERS`), their shape, and examples rendered from the very template the stack
 * deploys, with the message API Gateway fills in for each.
 */
import * as v from "valibot";
import { GATEWAY_ANSWERS, gatewayAnswerTemplate, type GatewayAnswer } from "../components/gateway-responses";

/** What the template makes: the API's error shape plus API Gateway's request id. */
export const gatewayAnswerSchema = (codes: readonly string[]) =>
  v.object({ error: v.object({ code: v.picklist(codes), message: v.string(), requestId: v.string() }) });

/**
 * A message API Gateway gives for each response type (`$context.error.messageString`); some
 * vary with the request (the missing parameter, the caller's ARN), these are typical ones.
 */
const MESSAGES: Record<string, string> = {
  BAD_REQUEST_BODY: "Invalid request body",
  BAD_REQUEST_PARAMETERS: "Missing required request parameters: [userId]",
  UNAUTHORIZED: "Unauthorized",
  MISSING_AUTHENTICATION_TOKEN: "Missing Authentication Token",
  INVALID_SIGNATURE:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  EXPIRED_TOKEN: "The security token included in the request is expired",
  ACCESS_DENIED:
    "User: arn:aws:iam::123456789012:user/someone is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/points/u-42",
  REQUEST_TOO_LARGE: "Request Too Long",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type",
  THROTTLED: "Too Many Requests",
  INTEGRATION_FAILURE: "Internal server error",
  INTEGRATION_TIMEOUT: "Endpoint request timed out",
  DEFAULT_4XX: "Forbidden",
  DEFAULT_5XX: "Internal server error",
};

/** The request id in the examples (API Gateway's are UUIDs). */
const EXAMPLE_REQUEST_ID = "c0ffee00-1234-4abc-8def-0123456789ab";

/** The gateway answers a route can get: the body validator's only where there is a body model. */
export function gatewayAnswersFor(hasBody: boolean): GatewayAnswer[] {
  return GATEWAY_ANSWERS.filter((answer) => hasBody || answer.responseType !== "BAD_REQUEST_BODY");
}

/** What API Gateway sends for `answer`: its template with the variables API Gateway fills in. */
export function gatewayExample(answer: GatewayAnswer): unknown {
  const message = MESSAGES[answer.responseType];
  if (message === undefined) throw new Error(`no example message for API Gateway's ${answer.responseType}: add one to MESSAGES`);
  const rendered = gatewayAnswerTemplate(answer.code)
    .replace("$context.error.messageString", JSON.stringify(message))
    .replace("$context.requestId", EXAMPLE_REQUEST_ID);
  return JSON.parse(rendered);
}
