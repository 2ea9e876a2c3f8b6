/**
 * How a caller proves who it is, for each kind of auth a stack can choose (`AUTHORIZATION`): a
 * deployed API uses one of them, so the document offers both as alternatives. The kind without
 * auth exists for throwaway experiments only and is never described.
 */
import type { AUTHORIZATION } from "../components/api-routes";

export interface SecurityScheme {
  type: "apiKey";
  in: "header";
  name: string;
  description: string;
  /** API Gateway's own extension naming the authorizer type. */
  "x-amazon-apigateway-authtype": string;
}

export const SECURITY_SCHEMES: Record<Exclude<keyof typeof AUTHORIZATION, "none">, SecurityScheme> = {
  iam: {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "AWS Signature Version 4 for the `execute-api` service (backends and tools; dev's API). " +
      "The caller acts as an admin only when its IAM role or user is listed in the stack's `api.adminPrincipals`, and for nobody otherwise.",
    "x-amazon-apigateway-authtype": "awsSigv4",
  },
  cognito: {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "The ID token of a user signed in to the apps' Cognito user pool (prod's API). " +
      "A customer acts on their own points only (`sub` = `userId`); members of the admin group on anyone's.",
    "x-amazon-apigateway-authtype": "cognito_user_pools",
  },
};
