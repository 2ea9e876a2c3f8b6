/**
 * Lambda entry of the writer: SQS batch of order events → points ledger.
 * Settings are read and checked at init: a bad `EARN_RULES` fails every invocation at init,
 * loudly (the function's errors alarm), before any event is judged. The events are not lost:
 * they wait in the queue and, after `maxReceiveCount` deliveries, in the DLQ, to be redriven
 * once the setting is fixed.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { parseEarnRules } from "./domain/earn-rules";
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { systemClock, type Clock } from "./runtime/clock";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv, requireEarnRules } from "./runtime/env";
import { createLogger } from "./runtime/log";
import { createBatchWriter } from "./writer/batch-writer";
import { sqsDeadLetters } from "./writer/dead-letter-queue";
import { reportRejectedRefunds } from "./writer/rejected-refunds";

const env = readEnv();
const logger = createLogger(env.LOG_LEVEL);
const deadLetters = env.DLQ_URL === undefined ? undefined : sqsDeadLetters(new SQSClient({}), env.DLQ_URL);
const ledger = new DynamoLedger(createDocumentClient(), env.TABLE_NAME, reportRejectedRefunds(logger, deadLetters), env.TIERS);
const rules = parseEarnRules(requireEarnRules(env));

/** The function reading the time from `clock`: the local runtime passes the one it moves. */
export const handlerWith = (clock: Clock) =>
  createBatchWriter({
    ledger,
    rules,
    logger,
    now: clock,
    publishers: { source: env.EVENT_SOURCE, accounts: env.PUBLISHER_ACCOUNTS },
    lifecycle: env.POINTS_LIFECYCLE,
  });

export const handler = handlerWith(systemClock);
