/**
 * Requests as an IAM-authorized API delivers them: API Gateway puts the SigV4 signer's ARN in
 * `requestContext.identity.userArn`, and there are no Cognito claims.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";

/** The customer-service backend the handler tests list in `ADMIN_PRINCIPALS`. */
export const ADMIN_BACKEND = "arn:aws:iam::123456789012:role/customer-service-backend";

/** `event`, signed by `userArn`. */
export function signedBy(event: APIGatewayProxyEvent, userArn: string): APIGatewayProxyEvent {
  return { ...event, requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, userArn } } };
}

/**
 * `api`, called by the admin backend unless a request says who calls: requests with Cognito
 * claims or a signer keep them.
 */
export function asAdminBackend<TResult>(api: (event: APIGatewayProxyEvent) => Promise<TResult>) {
  return (event: APIGatewayProxyEvent): Promise<TResult> => {
    const identified = event.requestContext.authorizer?.claims !== undefined || Boolean(event.requestContext.identity?.userArn);
    return api(identified ? event : signedBy(event, ADMIN_BACKEND));
  };
}
