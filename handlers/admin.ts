/**
 * Lambda entry of the admin function: customer service adjusts points and erases customers, and
 * changes the rewards catalogue.
 * Its own function, so that its role alone may delete from the ledger.
 */
import { createAdminApi } from "./admin/admin-api";
import { DynamoAdjustments } from "./ledger/dynamo-adjustments";
import { DynamoErasure } from "./ledger/dynamo-erasure";
import { DynamoRewards } from "./ledger/dynamo-rewards";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const client = createDocumentClient();

export const handler = createAdminApi({
  adjustments: new DynamoAdjustments(client, env.TABLE_NAME, env.POINTS_LIFECYCLE),
  erasure: new DynamoErasure(client, env.TABLE_NAME),
  rewards: new DynamoRewards(client, env.TABLE_NAME),
  logger: createLogger(env.LOG_LEVEL),
  allowedOrigins: env.ALLOWED_ORIGINS,
  adminGroup: env.ADMIN_GROUP,
});
