/**
 * Lambda entry of the admin function: customer service adjusts points and erases customers, and
 * changes the rewards catalogue.
 * Its own function, so that its role alone may delete from the ledger.
 */
import { createAdminApi } from "./admin/admin-api";
import { DynamoAdjustments } from "./ledger/dynamo-adjustments";
import { DynamoErasure } from "./ledger/dynamo-erasure";
import { systemClock, type Clock } from "./runtime/clock";
import { DynamoRewards } from "./ledger/dynamo-rewards";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const client = createDocumentClient();
const adjustments = new DynamoAdjustments(client, env.TABLE_NAME, env.POINTS_LIFECYCLE);
const erasure = new DynamoErasure(client, env.TABLE_NAME);
const logger = createLogger(env.LOG_LEVEL);

const rewards = new DynamoRewards(client, env.TABLE_NAME);

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) =>
  createAdminApi({ adjustments, erasure, rewards, logger, allowedOrigins: env.ALLOWED_ORIGINS, adminGroup: env.ADMIN_GROUP, now: clock });

export const handler = handlerWith(systemClock);
