/**
 * Lambda entry of the writer: SQS batch of order events → points ledger.
 * Settings are read and checked at init, so a bad `EARN_RULES` fails the deployment's first
 * invocation loudly instead of sending every event to the DLQ.
 */
import { parseEarnRules } from "./domain/earn-rules";
import { DynamoLedger } from "./ledger/dynamo-ledger";
import { createDocumentClient } from "./runtime/dynamo-client";
import { readEnv, requireEarnRules } from "./runtime/env";
import { createLogger } from "./runtime/log";
import { createBatchWriter } from "./writer/batch-writer";

const env = readEnv();

export const handler = createBatchWriter({
  ledger: new DynamoLedger(createDocumentClient(), env.TABLE_NAME),
  rules: parseEarnRules(requireEarnRules(env)),
  logger: createLogger(env.LOG_LEVEL),
  publishers: { source: env.EVENT_SOURCE, accounts: env.PUBLISHER_ACCOUNTS },
  lifecycle: env.POINTS_LIFECYCLE,
});
