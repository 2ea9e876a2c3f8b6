/**
 * Lambda entry of the reader: `GET /points/{userId}` and its history, read-only.
 */
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { createReadApi } from "./reader/read-api";
import { systemClock, type Clock } from "./runtime/clock";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const ledger = new DynamoLedger(createDocumentClient(), env.TABLE_NAME);
const logger = createLogger(env.LOG_LEVEL);

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) =>
  createReadApi({ ledger, logger, allowedOrigins: env.ALLOWED_ORIGINS, adminGroup: env.ADMIN_GROUP, now: clock });

export const handler = handlerWith(systemClock);
