/**
 * Lambda entry of the reader: `GET /points/{userId}` and its history, and the rewards catalogue, read-only.
 */
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { DynamoRewards } from "./ledger/dynamo-rewards";
import { createReadApi } from "./reader/read-api";
import { systemClock, type Clock } from "./runtime/clock";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";

const env = readEnv();
const client = createDocumentClient();
// No parked refunds to report here: the reader writes nothing. `TIERS` gives the balance its `tier`.
const ledger = new DynamoLedger(client, env.TABLE_NAME, undefined, env.TIERS);
const rewards = new DynamoRewards(client, env.TABLE_NAME);
const logger = createLogger(env.LOG_LEVEL);

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) =>
  createReadApi({ ledger, rewards, logger, allowedOrigins: env.ALLOWED_ORIGINS, adminGroup: env.ADMIN_GROUP, now: clock });

export const handler = handlerWith(systemClock);
