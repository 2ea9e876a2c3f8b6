/**
 * Lambda entry of the settle: once a day, writes the day's expiry entries and takes expired lots
 * off the balance items, and writes the day's notices (released, expiring soon). Balances never
 * wait for it; it keeps the record and the items small.
 */
import { DynamoSettle } from "./ledger/dynamo-settle";
import { systemClock, type Clock } from "./runtime/clock";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";
import { createSettleRun } from "./settle/settle-run";

const env = readEnv();
const settle = new DynamoSettle(createDocumentClient(), env.TABLE_NAME, env.EXPIRING_SOON_DAYS, env.TIERS);
const logger = createLogger(env.LOG_LEVEL);

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) => createSettleRun({ settle, logger, now: clock });

export const handler = handlerWith(systemClock);
