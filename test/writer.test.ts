import test from "ava";
import { startDynamoLocal, type DynamoLocal } from "../local/dynamo-local";
import { createHarness } from "./support/dynamo-harness";
import { orderCompleted, sqsBatch, sqsRecord } from "./support/events";
import { createTestWriter } from "./support/writer-harness";

let dynamo: DynamoLocal;
test.before(async () => {
  dynamo = await startDynamoLocal();
});
test.after.always(async () => {
  await dynamo?.stop();
});

test("the same SQS record delivered twice credits the order once", async (t) => {
  const harness = await createHarness(dynamo);
  const { write, ledger } = createTestWriter(harness);
  const record = sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 12_345 }));

  t.deepEqual(await write(sqsBatch(record)), { batchItemFailures: [] });
  t.deepEqual(await write(sqsBatch(record)), { batchItemFailures: [] });

  const balance = await ledger.getBalance("u-1");
  t.is(balance.balance, 123);
  t.is(balance.lifetimeEarned, 123);
});
