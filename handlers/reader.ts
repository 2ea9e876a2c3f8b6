/**
 * Lambda entry of the reader: `GET /points/{userId}` and its history, and the rewards catalogue, read-only.
 */
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { DynamoRewards } from "./ledger/dynamo-rewards";
import { createReadApi } from "./reader/read-api";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const client = createDocumentClient();

export const handler = createReadApi({
  ledger: new DynamoLedger(client, env.TABLE_NAME),
  rewards: new DynamoRewards(client, env.TABLE_NAME),
  logger: createLogger(env.LOG_LEVEL),
  allowedOrigins: env.ALLOWED_ORIGINS,
  adminGroup: env.ADMIN_GROUP,
});
