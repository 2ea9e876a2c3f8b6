/**
 * What `LoyaltyApi` checks of its arguments, built from the stack config's own field schemas
 * (`config/api-settings.ts`) and defaults (`config/defaults/api-defaults.ts`): the same rules,
 * defaults and messages. A user pool ARN or admin
 * group may also be another resource's output.
 */
import * as v from "valibot";
import {
  AdminGroupSchema,
  AdminPrincipalsSchema,
  AllowedOriginsSchema,
  apiAuthSchema,
  StageNameSchema,
  ThrottleSchema,
  UserPoolArnSchema,
} from "../config/api-settings";
import { API_DEFAULTS } from "../config/defaults/api-defaults";
import { TrueOrFalseSchema } from "../config/schema-parts";
import { LedgerRefSchema, MovedLifecycleSchema } from "./store-args";
import { orOutput } from "./validate-args";

export const ApiArgsSchema = v.object(
  {
    auth: v.optional(apiAuthSchema(orOutput(UserPoolArnSchema)), API_DEFAULTS.auth),
    stageName: v.optional(StageNameSchema, API_DEFAULTS.stageName),
    adminGroup: v.optional(orOutput(AdminGroupSchema)),
    adminPrincipals: v.optional(AdminPrincipalsSchema, API_DEFAULTS.adminPrincipals),
    allowedOrigins: v.optional(AllowedOriginsSchema, API_DEFAULTS.allowedOrigins),
    throttle: v.optional(ThrottleSchema, API_DEFAULTS.throttle),
    manageAccountLogRole: v.optional(TrueOrFalseSchema, API_DEFAULTS.manageAccountLogRole),
    store: LedgerRefSchema,
    lifecycle: MovedLifecycleSchema,
  },
  "must be an object",
);

export type ApiSettings = v.InferOutput<typeof ApiArgsSchema>;
