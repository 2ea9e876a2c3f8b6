/**
 * The API's routes as API Gateway resources. The reader answers them, `LoyaltyApi` builds them,
 * the local runtime matches requests against them: one list for all three.
 */
export const API_ROUTES = {
  balance: { resource: "/points/{userId}", method: "GET" },
  history: { resource: "/points/{userId}/history", method: "GET" },
} as const;

export type ApiRoute = (typeof API_ROUTES)[keyof typeof API_ROUTES];
