/**
 * API Gateway's own answers — the ones it gives before or instead of a function: validator
 * 400s, authorizer 401s, IAM 403s, throttling 429s, unknown routes, integration failures — in
 * the API's error shape, `{"error":{"code","message","requestId"}}`, each with a stable `code`
 * a client can tell apart. `DEFAULT_4XX` and `DEFAULT_5XX` cover every other type.
 */
import * as apigateway from "@pulumi/aws/apigateway";
import type * as pulumi from "@pulumi/pulumi";
import { gatewayAllowOrigin } from "./api-cors";

export interface GatewayAnswer {
  /** API Gateway's response type. */
  responseType: string;
  /** The status API Gateway answers with for this type (documentation; not overridden). */
  status: string;
  /** The stable `error.code`. */
  code: string;
}

/** Every gateway response the API sets; the README's error table lists the same. */
export const GATEWAY_ANSWERS: readonly GatewayAnswer[] = [
  { responseType: "BAD_REQUEST_BODY", status: "400", code: "invalid_request" },
  { responseType: "BAD_REQUEST_PARAMETERS", status: "400", code: "invalid_request" },
  { responseType: "UNAUTHORIZED", status: "401", code: "unauthorized" },
  { responseType: "MISSING_AUTHENTICATION_TOKEN", status: "403", code: "missing_authentication_token" },
  { responseType: "INVALID_SIGNATURE", status: "403", code: "invalid_signature" },
  { responseType: "EXPIRED_TOKEN", status: "403", code: "expired_token" },
  { responseType: "ACCESS_DENIED", status: "403", code: "access_denied" },
  { responseType: "REQUEST_TOO_LARGE", status: "413", code: "request_too_large" },
  { responseType: "UNSUPPORTED_MEDIA_TYPE", status: "415", code: "unsupported_media_type" },
  { responseType: "THROTTLED", status: "429", code: "throttled" },
  { responseType: "INTEGRATION_FAILURE", status: "504", code: "integration_failure" },
  { responseType: "INTEGRATION_TIMEOUT", status: "504", code: "integration_timeout" },
  { responseType: "DEFAULT_4XX", status: "4XX", code: "request_refused" },
  { responseType: "DEFAULT_5XX", status: "5XX", code: "gateway_error" },
];

/**
 * The body template. Gateway response templates only substitute variables;
 * `$context.error.messageString` is API Gateway's message already quoted as a JSON string.
 */
export const gatewayAnswerTemplate = (code: string): string =>
  `{"error":{"code":"${code}","message":$context.error.messageString,"requestId":"$context.requestId"}}`;

/** Creates the gateway responses of `restApiId`. */
export function createGatewayResponses(
  name: string,
  restApiId: pulumi.Input<string>,
  allowedOrigins: readonly string[],
  opts: pulumi.CustomResourceOptions,
): apigateway.Response[] {
  const allowOrigin = gatewayAllowOrigin(allowedOrigins);
  const headers: Record<string, string> = {
    "gatewayresponse.header.Cache-Control": "'no-store'",
    ...(allowOrigin === undefined
      ? {}
      : { "gatewayresponse.header.Access-Control-Allow-Origin": allowOrigin, "gatewayresponse.header.Vary": "'Origin'" }),
  };
  return GATEWAY_ANSWERS.map(
    (answer) =>
      new apigateway.Response(
        `${name}-${answer.responseType.toLowerCase().replace(/_/g, "-")}`,
        {
          restApiId,
          responseType: answer.responseType,
          responseTemplates: { "application/json": gatewayAnswerTemplate(answer.code) },
          responseParameters: headers,
        },
        opts,
      ),
  );
}
