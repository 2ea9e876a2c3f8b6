/**
 * The writer against a real DynamoDB (DynamoDB Local): exactly-once credits and reversals
 * under redelivery, re-publication, concurrency, reordering and injected faults.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import test from "ava";
import type { SQSBatchResponse } from "aws-lambda";
import { connectionReset, createHarness, serviceError, type Harness } from "./support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { createTestWriter } from "./support/writer-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

async function setup() {
  const harness = await createHarness(dynamo);
  return { harness, ...createTestWriter(harness) };
}

async function balanceOf(harness: Harness, userId: string) {
  const { ledger } = createTestWriter(harness);
  return ledger.getBalance(userId);
}

test("the same SQS record delivered twice credits the order once", async (t) => {
  const { harness, write } = await setup();
  const record = sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 12_345 }));

  t.deepEqual(await write(sqsBatch(record)), { batchItemFailures: [] });
  t.deepEqual(await write(sqsBatch(record)), { batchItemFailures: [] });

  t.like(await balanceOf(harness, "u-1"), { balance: 123, lifetimeEarned: 123 });
});

test("the same order re-published in another record (new event id) credits once", async (t) => {
  const { harness, write, logs } = await setup();
  const order = { orderId: "o-1", userId: "u-1", amount: 5_000 };

  await write(sqsBatch(sqsRecord(orderCompleted(order))));
  await write(sqsBatch(sqsRecord(orderCompleted(order))));

  t.like(await balanceOf(harness, "u-1"), { balance: 50, lifetimeEarned: 50 });
  t.deepEqual(
    logs().map((line) => line.outcome),
    ["credited", "duplicate"],
  );
});

test("50 concurrent deliveries of one order credit it exactly once", async (t) => {
  const { harness, write, logs } = await setup();
  const event = orderCompleted({ orderId: "o-hot", userId: "u-1", amount: 99_999 });

  const responses = await Promise.all(Array.from({ length: 50 }, () => write(sqsBatch(sqsRecord(event)))));

  t.deepEqual(responses.flatMap(failedIds), []);
  t.like(await balanceOf(harness, "u-1"), { balance: 999, lifetimeEarned: 999 });
  const outcomes = logs().map((line) => line.outcome);
  t.is(outcomes.filter((outcome) => outcome === "credited").length, 1);
  t.is(outcomes.filter((outcome) => outcome === "duplicate").length, 49);
});

test("many distinct orders of one user written concurrently sum exactly", async (t) => {
  const { harness, write } = await setup();
  const amounts = Array.from({ length: 60 }, (_, i) => 1_000 + i * 137);

  const responses = await Promise.all(
    amounts.map((amount, i) => write(sqsBatch(sqsRecord(orderCompleted({ orderId: `o-${i}`, userId: "u-1", amount }))))),
  );

  t.deepEqual(responses.flatMap(failedIds), []);
  // 10.00, 11.37, … 90.83 EUR at 1 point per EUR: 10 + 11 + … + 90 points, 2,995 in all.
  t.like(await balanceOf(harness, "u-1"), { balance: 2_995, lifetimeEarned: 2_995 });
});

// Contract change (lifecycle): a refund before its order is acknowledged and parked, no longer failed.
test("one batch: only the invalid record fails; the refund before its order is parked", async (t) => {
  const { harness, write, logs } = await setup();
  const good = [
    sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 1_000 }), "good-1"),
    sqsRecord(orderCompleted({ orderId: "o-2", userId: "u-2", amount: 2_000 }), "good-2"),
    sqsRecord(orderCompleted({ orderId: "o-3", userId: "u-1", amount: 3_000 }), "good-3"),
  ];
  const invalid = sqsRecord(orderCompleted({ orderId: "o-4", userId: "u-3", amount: 12.5 }), "bad");
  const early = sqsRecord(orderRefunded({ orderId: "o-later", userId: "u-2", refundId: "r-1", amount: 500 }), "early");

  const [good1, good2, good3] = good;
  if (!good1 || !good2 || !good3) return t.fail("three good records");
  const response = await write(sqsBatch(good1, invalid, good2, early, good3));

  t.deepEqual(failedIds(response), ["bad"]);
  t.like(await balanceOf(harness, "u-1"), { balance: 40 });
  t.like(await balanceOf(harness, "u-2"), { balance: 20 });
  const byMessage = new Map(logs().map((line) => [line.messageId, line]));
  t.like(byMessage.get("bad"), { outcome: "invalid", level: "warn" });
  t.regex(String(byMessage.get("bad")?.reason), /detail\.total\.amount/);
  t.like(byMessage.get("early"), { outcome: "parked", orderId: "o-later", level: "info" });
});

test("unreadable bodies and unknown detail-types are reported failed with a reason", async (t) => {
  const { write, logs } = await setup();
  const unknownType = { ...orderCompleted({ orderId: "o", userId: "u", amount: 1 }), "detail-type": "Order Shipped" };

  const response = await write(sqsBatch(sqsRecord("not json", "m-1"), sqsRecord(unknownType, "m-2")));

  t.deepEqual(failedIds(response), ["m-1", "m-2"]);
  const reasons = logs().map((line) => String(line.reason));
  t.true(reasons.some((reason) => reason.includes("not JSON")));
  t.true(reasons.some((reason) => reason.includes("detail-type")));
});

test("a currency with no earn rule goes to the DLQ path, never zero points", async (t) => {
  const { harness, write, logs } = await setup();
  const record = sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 10_000, currency: "CHF" }), "chf");

  t.deepEqual(failedIds(await write(sqsBatch(record))), ["chf"]);
  t.like(logs()[0], { outcome: "invalid" });
  t.regex(String(logs()[0]?.reason), /no earn rule for currency CHF/);
  t.like(await balanceOf(harness, "u-1"), { balance: 0, updatedAt: null });
});

test("each record logs one JSON line with ids, outcome and points only", async (t) => {
  const { write, logs } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 2_500 }), "m-1")));

  const [line, ...rest] = logs();
  t.deepEqual(rest, []);
  t.like(line, { level: "info", messageId: "m-1", userId: "u-1", orderId: "o-1", outcome: "credited", points: 25 });
  const allowed = ["level", "message", "timestamp", "messageId", "eventId", "userId", "orderId", "refundId", "outcome", "points", "reason"];
  t.deepEqual(
    Object.keys(line ?? {}).filter((key) => !allowed.includes(key)),
    [],
  );
});

test("refunds: partial, full, capped, repeated and two per order", async (t) => {
  const { harness, write, logs } = await setup();
  const credit = (orderId: string, amount: number) => write(sqsBatch(sqsRecord(orderCompleted({ orderId, userId: "u-1", amount }))));
  const refund = (orderId: string, refundId: string, amount: number) =>
    write(sqsBatch(sqsRecord(orderRefunded({ orderId, userId: "u-1", refundId, amount }))));

  await credit("partial", 10_000); // 100 points
  await credit("full", 5_000); // 50
  await credit("capped", 2_000); // 20
  await credit("twice", 8_000); // 80
  t.like(await balanceOf(harness, "u-1"), { balance: 250, lifetimeEarned: 250 });

  await refund("partial", "r-1", 2_550); // 25 points back
  await refund("full", "r-1", 5_000); // 50
  await refund("capped", "r-1", 9_999); // larger than the order: only its 20
  await refund("twice", "r-1", 3_000); // 30
  await refund("twice", "r-1", 3_000); // the same refund again: nothing
  await refund("twice", "r-2", 5_000); // a second refund of the order: the other 50

  const outcomes = logs()
    .slice(4)
    .map((line) => [line.outcome, line.points]);
  t.deepEqual(outcomes, [
    ["reversed", 25],
    ["reversed", 50],
    ["reversed", 20],
    ["reversed", 30],
    ["duplicate", 0],
    ["reversed", 50],
  ]);
  t.like(await balanceOf(harness, "u-1"), { balance: 250 - 175, lifetimeEarned: 250 });
});

test("refunds in pieces reverse exactly what one full refund would", async (t) => {
  const { harness, write } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_050 }))));

  for (const refundId of ["a", "b", "c"]) {
    await write(sqsBatch(sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId, amount: 3_350 }))));
  }

  t.like(await balanceOf(harness, "u-1"), { balance: 0, lifetimeEarned: 100 });
});

test("a refund in another currency than its order is invalid", async (t) => {
  const { harness, write, logs } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }))));

  const response = await write(
    sqsBatch(sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 100, currency: "GBP" }), "gbp")),
  );

  t.deepEqual(failedIds(response), ["gbp"]);
  t.like(logs()[1], { outcome: "invalid" });
  t.like(await balanceOf(harness, "u-1"), { balance: 100 });
});

// Contract change (lifecycle): the early refund is acknowledged at once and netted out when its
// order lands; its redelivery is a duplicate instead of what applies it.
test("a refund that arrives before its order is acknowledged and netted out when the order lands", async (t) => {
  const { harness, write, logs } = await setup();
  const refund = sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 4_000 }), "refund");

  t.deepEqual(failedIds(await write(sqsBatch(refund))), []);
  t.like(await balanceOf(harness, "u-1"), { balance: 0, lifetimeEarned: 0 });
  t.deepEqual(failedIds(await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }))))), []);
  t.like(await balanceOf(harness, "u-1"), { balance: 60, lifetimeEarned: 100 });
  t.deepEqual(failedIds(await write(sqsBatch(refund))), []);

  t.like(await balanceOf(harness, "u-1"), { balance: 60, lifetimeEarned: 100 });
  t.deepEqual(
    logs().map((line) => [line.outcome, line.points]),
    [
      ["parked", 0],
      ["credited", 60],
      ["duplicate", 0],
    ],
  );
});

test("an order and its refund in one batch are written in delivery order", async (t) => {
  const { harness, write } = await setup();
  const response = await write(
    sqsBatch(
      sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 })),
      sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 1_000 })),
      sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "s", amount: 1_000 })),
    ),
  );

  t.deepEqual(failedIds(response), []);
  t.like(await balanceOf(harness, "u-1"), { balance: 80 });
});

test("concurrent refunds of one order never reverse more than it earned", async (t) => {
  const { harness, write, logs } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }))));
  const records = ["a", "b", "c", "d", "e"].map((refundId) =>
    sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId, amount: 3_000 }), refundId),
  );

  // Five refunds of 30 EUR each, in separate batches at once, race on the order's totals.
  // A refund that keeps losing the race is reported failed; SQS delivers it again.
  let pending = records;
  for (let round = 0; round < 5 && pending.length > 0; round++) {
    const responses = await Promise.all(pending.map((record) => write(sqsBatch(record))));
    const failed = responses.flatMap(failedIds);
    pending = records.filter((record) => failed.includes(record.messageId));
    const { balance } = await balanceOf(harness, "u-1");
    t.true(balance >= 0, `round ${round}: balance ${balance} went below zero`);
  }

  t.deepEqual(pending, []);
  t.like(await balanceOf(harness, "u-1"), { balance: 0, lifetimeEarned: 100 });
  const reversed = logs()
    .filter((line) => line.outcome === "reversed")
    .map((line) => Number(line.points));
  t.deepEqual(
    reversed.sort((a, b) => b - a),
    [30, 30, 30, 10, 0],
  );
});

// Contract change (lifecycle): a refund reads its order and the balance in one TransactGetItems.
test("cost: a new order is one DynamoDB request, its duplicate one too, a refund two", async (t) => {
  const { harness, write } = await setup();
  const order = sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }));

  await write(sqsBatch(order));
  t.deepEqual(harness.requests, ["TransactWriteItems"]);

  harness.requests.length = 0;
  await write(sqsBatch(order));
  t.deepEqual(harness.requests, ["TransactWriteItems"]);

  harness.requests.length = 0;
  await write(sqsBatch(sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 100 }))));
  t.deepEqual(harness.requests, ["TransactGetItems", "TransactWriteItems"]);
});

test("faults: exactly the failed records are reported, and their redelivery credits once", async (t) => {
  const { harness, write, logs } = await setup();
  const conflict = () =>
    new TransactionCanceledException({
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
      $metadata: {},
      CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }],
    });
  harness.inject({
    operation: "TransactWriteItems",
    match: "o-throttled",
    when: "before",
    error: serviceError("ProvisionedThroughputExceededException"),
  });
  harness.inject({ operation: "TransactWriteItems", match: "o-conflict", when: "before", error: conflict });
  harness.inject({ operation: "TransactWriteItems", match: "o-dropped", when: "before", error: connectionReset });
  harness.inject({ operation: "TransactWriteItems", match: "o-committed", when: "after", error: connectionReset });

  const records = ["o-ok", "o-throttled", "o-conflict", "o-dropped", "o-committed"].map((orderId, i) =>
    sqsRecord(orderCompleted({ orderId, userId: `u-${i}`, amount: 1_000 }), orderId),
  );
  const first = await write(sqsBatch(...records));

  t.deepEqual(failedIds(first), ["o-committed", "o-conflict", "o-dropped", "o-throttled"]);
  const errors = logs().filter((line) => line.outcome === "error");
  t.is(errors.length, 4);
  t.true(errors.every((line) => line.level === "error"));
  t.regex(String(errors.find((line) => line.orderId === "o-throttled")?.reason), /ProvisionedThroughputExceeded/);

  // SQS delivers the failed records again; the one whose commit was lost is now a duplicate.
  const retried = records.filter((record) => failedIds(first).includes(record.messageId));
  t.deepEqual(failedIds(await write(sqsBatch(...retried))), []);
  for (let i = 0; i < records.length; i++) {
    t.like(await balanceOf(harness, `u-${i}`), { balance: 10, lifetimeEarned: 10 });
  }
  const committed = logs()
    .filter((line) => line.orderId === "o-committed")
    .map((line) => line.outcome);
  t.deepEqual(committed, ["error", "duplicate"]);
});

test("a refund whose read fails is reported failed and reverses once on redelivery", async (t) => {
  const { harness, write } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }))));
  harness.inject({ operation: "TransactGetItems", when: "before", error: serviceError("ThrottlingException") });
  harness.inject({ operation: "TransactWriteItems", match: "REFUND#o#r", when: "after", error: connectionReset });
  const refund = sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 5_000 }), "refund");

  t.deepEqual(failedIds(await write(sqsBatch(refund))), ["refund"]); // read throttled
  t.deepEqual(failedIds(await write(sqsBatch(refund))), ["refund"]); // committed, answer lost
  t.deepEqual(failedIds(await write(sqsBatch(refund))), []); // duplicate

  t.like(await balanceOf(harness, "u-1"), { balance: 50 });
});
