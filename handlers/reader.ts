/**
 * Lambda entry of the reader: `GET /points/{userId}` and its history, read-only.
 */
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { createReadApi } from "./reader/read-api";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();

export const handler = createReadApi({
  ledger: new DynamoLedger(createDocumentClient(), env.TABLE_NAME),
  logger: createLogger(env.LOG_LEVEL),
  allowedOrigins: env.ALLOWED_ORIGINS,
  adminGroup: env.ADMIN_GROUP,
});
