/**
 * Lambda entry of the redeemer: customers spend points on rewards; admins cancel redemptions.
 */
import { DynamoRedemptions } from "./ledger/dynamo-redemptions";
import { createRedeemApi } from "./redeemer/redeem-api";
import { systemClock, type Clock } from "./runtime/clock";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const redemptions = new DynamoRedemptions(createDocumentClient(), env.TABLE_NAME);
const logger = createLogger(env.LOG_LEVEL);

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) =>
  createRedeemApi({ redemptions, logger, allowedOrigins: env.ALLOWED_ORIGINS, adminGroup: env.ADMIN_GROUP, now: clock });

export const handler = handlerWith(systemClock);
