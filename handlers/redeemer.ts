/**
 * Lambda entry of the redeemer: customers spend points on rewards; admins cancel redemptions.
 */
import { DynamoRedemptions } from "./ledger/dynamo-redemptions";
import { createRedeemApi } from "./redeemer/redeem-api";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();

export const handler = createRedeemApi({
  redemptions: new DynamoRedemptions(createDocumentClient(), env.TABLE_NAME),
  logger: createLogger(env.LOG_LEVEL),
  allowedOrigins: env.ALLOWED_ORIGINS,
  adminGroup: env.ADMIN_GROUP,
});
