/**
 * The API's routes as API Gateway resources, and which function answers each. The handlers
 * answer them, `LoyaltyApi` builds them, the local runtime matches requests against them: one
 * list for all three.
 */
export const API_ROUTES = {
  balance: { resource: "/points/{userId}", method: "GET", handler: "reader" },
  history: { resource: "/points/{userId}/history", method: "GET", handler: "reader" },
  redeem: { resource: "/points/{userId}/redemptions", method: "POST", handler: "redeemer" },
  cancelRedemption: { resource: "/points/{userId}/redemptions/{redemptionId}/cancel", method: "POST", handler: "redeemer" },
  adjust: { resource: "/points/{userId}/adjustments", method: "POST", handler: "admin" },
  erase: { resource: "/points/{userId}", method: "DELETE", handler: "admin" },
} as const;

export type ApiRoute = (typeof API_ROUTES)[keyof typeof API_ROUTES];

/** The functions behind the API. */
export type ApiHandlerName = ApiRoute["handler"];

/** Every method the API serves on `resource` (one resource may be served by several functions). */
export const methodsOf = (resource: string): string[] =>
  Object.values(API_ROUTES).filter((route) => route.resource === resource).map((route) => route.method);
