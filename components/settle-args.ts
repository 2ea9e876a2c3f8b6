/**
 * What `LoyaltySettle` checks of its arguments, with the schema parts and defaults every
 * component shares.
 */
import * as v from "valibot";
import { SETTLE_DEFAULTS } from "../config/defaults/settle-defaults";
import { FunctionMemorySchema, FunctionTimeoutSchema, TrueOrFalseSchema } from "../config/schema-parts";
import { ExpiringSoonDaysSchema } from "../handlers/domain/lifecycle";
import { LedgerRefSchema } from "./store-args";

const SCHEDULE_EXAMPLE = "must be an EventBridge Scheduler expression like cron(15 0 * * ? *) or rate(1 day)";

/** `cron(<6 fields>)` or `rate(<n> <unit>)`, as EventBridge Scheduler takes them for recurring schedules. */
export const ScheduleExpressionSchema = v.pipe(
  v.string(SCHEDULE_EXAMPLE),
  v.regex(/^(cron\(\S+( \S+){5}\)|rate\([1-9]\d* (minutes?|hours?|days?)\))$/, SCHEDULE_EXAMPLE),
);

export const SettleArgsSchema = v.object(
  {
    store: LedgerRefSchema,
    scheduleExpression: v.optional(ScheduleExpressionSchema, SETTLE_DEFAULTS.scheduleExpression),
    timeoutSeconds: v.optional(FunctionTimeoutSchema, SETTLE_DEFAULTS.timeoutSeconds),
    memoryMb: v.optional(FunctionMemorySchema, SETTLE_DEFAULTS.memoryMb),
    expiringSoonDays: v.optional(ExpiringSoonDaysSchema, SETTLE_DEFAULTS.expiringSoonDays),
    deletionProtection: v.optional(TrueOrFalseSchema, SETTLE_DEFAULTS.deletionProtection),
  },
  "must be an object",
);

export type SettleSettings = v.InferOutput<typeof SettleArgsSchema>;
