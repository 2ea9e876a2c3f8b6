/**
 * The real writer over a harness table, with its log lines captured and parsed.
 */
import { parseEarnRules } from "../../handlers/domain/earn-rules";
import { DynamoLedger } from "../../handlers/ledger/dynamo-ledger";
import { createLogger } from "../../handlers/runtime/log";
import { createBatchWriter } from "../../handlers/writer/batch-writer";
import type { Harness } from "./dynamo-harness";

export const TEST_RULES = '{"EUR": 1, "GBP": 1.25, "JPY": 0.01, "KWD": 2}';

export function createTestWriter(harness: Harness, rules = TEST_RULES) {
  const lines: string[] = [];
  const ledger = new DynamoLedger(harness.documents, harness.tableName);
  const write = createBatchWriter({
    ledger,
    rules: parseEarnRules(rules),
    logger: createLogger("debug", (line) => lines.push(line)),
    now: () => new Date("2026-11-24T12:00:00.000Z"),
  });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { write, ledger, logs };
}
