/**
 * What every function behind the API does before and after its own work, in one place: find
 * the route by its resource (in either tree, see `routes.ts`), answer CORS preflights, refuse
 * other methods (405) and unknown routes (404), validate a customer route's `{userId}`, check the caller may act
 * (403; only listed IAM principals on the `/admin` tree, whatever API Gateway let through), and
 * turn any unexpected failure into a 500 that names the request id and nothing internal.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { describeIssues } from "../domain/describe-issues";
import type { Logger } from "../runtime/log";
import { mayUseAdminTree } from "./caller";
import {
  isCustomerResource,
  methodsOf,
  SERVED_ROUTES,
  type ApiRoute,
  type CatalogueRoute,
  type CustomerRoute,
  type RouteTree,
} from "./routes";
import { corsHeaders, errorResponse, type ErrorCode, type Headers } from "./responses";

/** A failure a route expects and answers itself (e.g. a bad cursor is a 400). */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

/**
 * The errors the router answers on every route, by status; each route adds its own. Requests
 * for no route (`404 not_found`) or another method (`405 method_not_allowed`) belong to none.
 */
export const ROUTER_ERRORS = {
  400: ["invalid_user_id"],
  403: ["forbidden"],
  500: ["internal_error"],
} as const satisfies Record<number, readonly ErrorCode[]>;

/** The router's errors on a route: a catalogue route names no customer, so it has no `invalid_user_id`. */
export const routerErrorsOf = (route: ApiRoute): Record<number, readonly ErrorCode[]> =>
  isCustomerResource(route) ? ROUTER_ERRORS : { 403: ROUTER_ERRORS[403], 500: ROUTER_ERRORS[500] };

/** A route about one customer: `{userId}` is validated and the caller's right to act for them checked. */
export interface CustomerRouteHandler {
  route: CustomerRoute;
  /** Whether this caller may act for `userId` here; refused with a 403 and this message. */
  authorize: (event: APIGatewayProxyEvent, userId: string) => boolean;
  forbidden: string;
  handle: (userId: string, event: APIGatewayProxyEvent, headers: Headers) => Promise<APIGatewayProxyResult>;
}

/** A route of the catalogue: about no customer, so only the caller is checked. */
export interface CatalogueRouteHandler {
  route: CatalogueRoute;
  /** Whether this caller may use the route; refused with a 403 and this message. */
  authorize: (event: APIGatewayProxyEvent) => boolean;
  forbidden: string;
  handle: (event: APIGatewayProxyEvent, headers: Headers) => Promise<APIGatewayProxyResult>;
}

export type RouteHandler = CustomerRouteHandler | CatalogueRouteHandler;

/** A customer route as written in a function's list: typed where its callbacks alone cannot tell which kind it is. */
export const customerRoute = (handler: CustomerRouteHandler): CustomerRouteHandler => handler;

/** A catalogue route as written in a function's list. */
export const catalogueRoute = (handler: CatalogueRouteHandler): CatalogueRouteHandler => handler;

const isCustomerRoute = (handler: RouteHandler): handler is CustomerRouteHandler => isCustomerResource(handler.route);

export interface ProxyRouterOptions {
  routes: RouteHandler[];
  logger: Logger;
  /** Origins that may call from a browser (`*` for any); none means no CORS headers. */
  allowedOrigins: readonly string[];
}

/** A request header by its lower-case name (API Gateway passes them as the client spelled them). */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

export function createProxyRouter({ routes, logger, allowedOrigins }: ProxyRouterOptions) {
  // Each route is served at its own resource and under `/admin`.
  const byResource = new Map<string, { handler: RouteHandler; tree: RouteTree }>(
    SERVED_ROUTES.flatMap((served) => {
      const handler = routes.find((candidate) => candidate.route === served.route);
      return handler ? [[served.resource, { handler, tree: served.tree }] as const] : [];
    }),
  );

  return async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const served = byResource.get(event.resource);
    const handler = served?.handler;
    const method = handler?.route.method ?? "GET";
    // The preflight of a resource answers for every method the API serves there.
    const headers = corsHeaders(headerOf(event, "origin"), allowedOrigins, handler ? methodsOf(event.resource).join(", ") : method);
    if (!served || !handler) return errorResponse(404, "not_found", `no route ${event.httpMethod} ${event.path}`, headers);
    // Backends send no preflights: the admin tree has none.
    if (event.httpMethod === "OPTIONS" && served.tree === "customer") return { statusCode: 204, headers, body: "" };
    if (event.httpMethod !== method) {
      // Another function may serve the resource's other methods: the answer names them all.
      const allow = [...methodsOf(event.resource), ...(served.tree === "customer" ? ["OPTIONS"] : [])].join(", ");
      return errorResponse(405, "method_not_allowed", `${event.httpMethod} is not allowed here; ${event.resource} serves ${allow}`, {
        ...headers,
        Allow: allow,
      });
    }
    const adminTreeRefusal = () =>
      served.tree === "admin" && !mayUseAdminTree(event)
        ? errorResponse(
            403,
            "forbidden",
            "only the IAM principals listed as the stack's adminPrincipals call the /admin routes (SigV4)",
            headers,
          )
        : undefined;
    const answer = async (): Promise<APIGatewayProxyResult> => {
      if (isCustomerRoute(handler)) {
        const userId = v.safeParse(IdSchema, event.pathParameters?.userId);
        if (!userId.success) return errorResponse(400, "invalid_user_id", describeIssues(userId.issues, "userId"), headers);
        const refused = adminTreeRefusal();
        if (refused) return refused;
        if (!handler.authorize(event, userId.output)) return errorResponse(403, "forbidden", handler.forbidden, headers);
        return handler.handle(userId.output, event, headers);
      }
      const refused = adminTreeRefusal();
      if (refused) return refused;
      if (!handler.authorize(event)) return errorResponse(403, "forbidden", handler.forbidden, headers);
      return handler.handle(event, headers);
    };
    try {
      return await answer();
    } catch (error) {
      if (error instanceof ClientError) return errorResponse(error.statusCode, error.code, error.message, headers);
      const requestId = event.requestContext.requestId;
      logger.log("error", "request failed", {
        requestId,
        resource: event.resource,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return errorResponse(500, "internal_error", `internal error (request ${requestId})`, headers);
    }
  };
}
