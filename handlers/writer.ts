/**
 * Lambda entry of the writer: SQS batch of order events → points ledger.
 * Settings are read and checked at init: a bad `EARN_RULES` fails every invocation at init,
 * loudly (the function's errors alarm), before any event is judged. The events are not lost:
 * they wait in the queue and, after `maxReceiveCount` deliveries, in the DLQ, to be redriven
 * once the setting is fixed.
 */
import { parseEarnRules } from "./domain/earn-rules";
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv, requireEarnRules } from "./runtime/env";
import { createLogger } from "./runtime/log";
import { createBatchWriter } from "./writer/batch-writer";
import { reportRejectedRefunds } from "./writer/rejected-refunds";

const env = readEnv();
const logger = createLogger(env.LOG_LEVEL);

export const handler = createBatchWriter({
  ledger: new DynamoLedger(createDocumentClient(), env.TABLE_NAME, reportRejectedRefunds(logger)),
  rules: parseEarnRules(requireEarnRules(env)),
  logger,
  publishers: { source: env.EVENT_SOURCE, accounts: env.PUBLISHER_ACCOUNTS },
  lifecycle: env.POINTS_LIFECYCLE,
});
