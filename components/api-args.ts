/**
 * What `LoyaltyApi` checks of its arguments, built from the stack config's own field schemas
 * (`config/api-settings.ts`): the same rules, defaults and messages. A user pool ARN or admin
 * group may also be another resource's output.
 */
import * as v from "valibot";
import {
  AdminGroupSchema,
  AdminPrincipalsSchema,
  AllowedOriginsSchema,
  API_DEFAULTS,
  apiAuthSchema,
  StageNameSchema,
  ThrottleSchema,
  UserPoolArnSchema,
} from "../config/api-settings";
import { orOutput } from "./validate-args";

export const ApiArgsSchema = v.object(
  {
    auth: v.optional(apiAuthSchema(orOutput(UserPoolArnSchema)), API_DEFAULTS.auth),
    stageName: v.optional(StageNameSchema, API_DEFAULTS.stageName),
    adminGroup: v.optional(orOutput(AdminGroupSchema)),
    adminPrincipals: v.optional(AdminPrincipalsSchema, []),
    allowedOrigins: v.optional(AllowedOriginsSchema, []),
    throttle: v.optional(ThrottleSchema, API_DEFAULTS.throttle),
  },
  "must be an object",
);

export type ApiSettings = v.InferOutput<typeof ApiArgsSchema>;
