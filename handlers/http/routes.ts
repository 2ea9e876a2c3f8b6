/**
 * The API's routes as API Gateway resources, and which function answers each. The handlers
 * answer them, `LoyaltyApi` builds them, the local runtime matches requests against them: one
 * list for all three.
 *
 * Every route is served twice: at its own resource, behind the stack's auth (the apps' Cognito
 * users in prod), and under `/admin`, behind SigV4 (`AWS_IAM`) and a resource policy that admits
 * the stack's `adminPrincipals` only: the way Otrium's backends (customer service) reach the same
 * operations in every stack, whatever the apps sign in with.
 */
export const API_ROUTES = {
  balance: { resource: "/points/{userId}", method: "GET", handler: "reader" },
  history: { resource: "/points/{userId}/history", method: "GET", handler: "reader" },
  redeem: { resource: "/points/{userId}/redemptions", method: "POST", handler: "redeemer" },
  cancelRedemption: { resource: "/points/{userId}/redemptions/{redemptionId}/cancel", method: "POST", handler: "redeemer" },
  adjust: { resource: "/points/{userId}/adjustments", method: "POST", handler: "admin" },
  erase: { resource: "/points/{userId}", method: "DELETE", handler: "admin" },
  listRewards: { resource: "/rewards", method: "GET", handler: "reader" },
  getReward: { resource: "/rewards/{rewardId}", method: "GET", handler: "reader" },
  putReward: { resource: "/rewards/{rewardId}", method: "PUT", handler: "admin" },
  uploadCodes: { resource: "/rewards/{rewardId}/codes", method: "POST", handler: "admin" },
} as const;

export type ApiRoute = (typeof API_ROUTES)[keyof typeof API_ROUTES];

/** The routes about one customer (`{userId}` in the path): the router checks the caller may act for them. */
export type CustomerRoute = Extract<ApiRoute, { resource: `/points/{userId}${string}` }>;

/** The routes about the catalogue, for no customer in particular. */
export type CatalogueRoute = Exclude<ApiRoute, CustomerRoute>;

/** Whether a route is about one customer. */
export const isCustomerResource = (route: ApiRoute): route is CustomerRoute => route.resource.startsWith("/points/{userId}");

/** The functions behind the API. */
export type ApiHandlerName = ApiRoute["handler"];

/** Where the backends' tree of routes starts: `/admin/points/{userId}` serves `/points/{userId}`'s routes. */
export const ADMIN_PREFIX = "/admin";

/** The two trees every route is served in. */
export type RouteTree = "customer" | "admin";

/** The resource a route is served at in `tree`. */
export const resourceIn = (tree: RouteTree, route: ApiRoute): string =>
  tree === "admin" ? `${ADMIN_PREFIX}${route.resource}` : route.resource;

/** A route as served at one resource. */
export interface ServedRoute {
  route: ApiRoute;
  tree: RouteTree;
  /** `route.resource`, or the same under `ADMIN_PREFIX`. */
  resource: string;
}

/** Every route in both trees: the customer tree first, as API Gateway creates them. */
export const SERVED_ROUTES: readonly ServedRoute[] = (["customer", "admin"] as const).flatMap((tree) =>
  Object.values(API_ROUTES).map((route) => ({ route, tree, resource: resourceIn(tree, route) })),
);

/** Which tree a served resource belongs to, and the route resource it serves. */
export function treeOf(resource: string): { tree: RouteTree; routeResource: string } {
  return resource.startsWith(`${ADMIN_PREFIX}/`)
    ? { tree: "admin", routeResource: resource.slice(ADMIN_PREFIX.length) }
    : { tree: "customer", routeResource: resource };
}

/** Every method the API serves on `resource`, in either tree (one resource may be served by several functions). */
export const methodsOf = (resource: string): string[] =>
  SERVED_ROUTES.filter((served) => served.resource === resource).map((served) => served.route.method);
