/**
 * Only Otrium's platform mints points: the writer refuses, as invalid (reported failed, to the
 * DLQ), any event whose `source` or `account` is not a configured publisher's — a second line
 * behind the rule's pattern — and writes nothing for it.
 */
import test from "ava";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { readEnv } from "../handlers/runtime/env";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { createHarness } from "./support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { TEST_RULES } from "./support/writer-harness";

const dynamo = useDynamoLocal();

const PLATFORM = "123456789012"; // the account the test events carry

test("events from other accounts or sources are refused with the reason, and credit nothing", async (t) => {
  const harness = await createHarness(dynamo);
  const lines: string[] = [];
  const ledger = new DynamoLedger(harness.documents, harness.tableName);
  const write = createBatchWriter({
    ledger,
    rules: parseEarnRules(TEST_RULES),
    logger: createLogger("debug", (line) => lines.push(line)),
    publishers: { source: "otrium.ecommerce", accounts: [PLATFORM] },
  });

  const genuine = sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 10_000 }), "genuine");
  const otherAccount = sqsRecord(
    { ...orderCompleted({ orderId: "o-2", userId: "u-1", amount: 99_900 }), account: "999999999999" },
    "other-account",
  );
  const otherSource = sqsRecord(
    { ...orderCompleted({ orderId: "o-3", userId: "u-1", amount: 99_900 }), source: "someone.else" },
    "other-source",
  );
  const foreignRefund = sqsRecord(
    { ...orderRefunded({ orderId: "o-1", userId: "u-1", refundId: "r-1", amount: 10_000 }), account: "999999999999" },
    "foreign-refund",
  );

  const response = await write(sqsBatch(genuine, otherAccount, otherSource, foreignRefund));
  t.deepEqual(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort(), [
    "foreign-refund",
    "other-account",
    "other-source",
  ]);
  t.like(await ledger.getBalance("u-1"), { balance: 100, lifetimeEarned: 100 });

  const reasons = Object.fromEntries(
    lines.map((line) => JSON.parse(line) as { messageId: string; outcome: string; reason?: string }).map((log) => [log.messageId, log]),
  );
  t.like(reasons["other-account"], {
    outcome: "invalid",
    reason: "account 999999999999 is not one of the publisher accounts (PUBLISHER_ACCOUNTS)",
  });
  t.like(reasons["other-source"], {
    outcome: "invalid",
    reason: 'source "someone.else" is not the configured publisher source "otrium.ecommerce"',
  });
  t.like(reasons["foreign-refund"], { outcome: "invalid" });
});

test("without configured publishers (unit tests, the local runtime) any account is admitted", async (t) => {
  const harness = await createHarness(dynamo);
  const ledger = new DynamoLedger(harness.documents, harness.tableName);
  const write = createBatchWriter({ ledger, rules: parseEarnRules(TEST_RULES), logger: createLogger("error", () => {}) });
  const response = await write(
    sqsBatch(sqsRecord({ ...orderCompleted({ orderId: "o-1", userId: "u-1", amount: 500 }), account: "999999999999" })),
  );
  t.deepEqual(response.batchItemFailures, []);
});

test("PUBLISHER_ACCOUNTS and EVENT_SOURCE are read and checked at init", (t) => {
  const base = { TABLE_NAME: "ledger" };
  t.deepEqual(
    readEnv({ ...base, PUBLISHER_ACCOUNTS: '["123456789012","444455556666"]', EVENT_SOURCE: "otrium.ecommerce" }).PUBLISHER_ACCOUNTS,
    ["123456789012", "444455556666"],
  );
  t.is(readEnv(base).PUBLISHER_ACCOUNTS, undefined);
  t.throws(() => readEnv({ ...base, PUBLISHER_ACCOUNTS: '["12345"]' }), { message: /PUBLISHER_ACCOUNTS.*12-digit/ });
  t.throws(() => readEnv({ ...base, PUBLISHER_ACCOUNTS: "123456789012" }), { message: /PUBLISHER_ACCOUNTS.*JSON array/ });
  t.throws(() => readEnv({ ...base, EVENT_SOURCE: "" }), { message: /EVENT_SOURCE/ });
});
