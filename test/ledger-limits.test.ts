/**
 * Numbers the ledger cannot hold, against a real DynamoDB (DynamoDB Local): amounts beyond the
 * contract's bound and writes that would leave a total beyond Number.MAX_SAFE_INTEGER are
 * refused (reported failed, reason logged, nothing written), and the user's balance, history
 * and redemptions keep answering.
 */
import test from "ava";
import type { APIGatewayProxyResult, SQSBatchResponse } from "aws-lambda";
import { NumberValue, PutCommand } from "@aws-sdk/lib-dynamodb";
import { CorruptLedgerItemError } from "../handlers/domain/errors";
import { API_ROUTES } from "../handlers/http/routes";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { totalName } from "../handlers/ledger/total-names";
import { createReadApi } from "../handlers/reader/read-api";
import { createRedeemApi } from "../handlers/redeemer/redeem-api";
import { createLogger } from "../handlers/runtime/log";
import { apiEvent, balanceRequest, historyRequest } from "./support/api-events";
import { pricedRewards } from "./support/priced-rewards";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { createTestWriter, TEST_RULES } from "./support/writer-harness";
import { ADMIN_BACKEND, asAdminBackend } from "./support/iam-caller";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { required } from "../harness/required";

// The customer-service backend reads and spends here, as an IAM caller listed as an admin.
process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

const MAX = Number.MAX_SAFE_INTEGER;
const LIMIT_REASON = /beyond 9007199254740991 \(Number\.MAX_SAFE_INTEGER\)/;

const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;

async function setup(rules = TEST_RULES) {
  const harness = await createHarness(dynamo);
  const { write, ledger, logs } = createTestWriter(harness, rules);
  const apiLogs: string[] = [];
  const logger = createLogger("info", (line) => apiLogs.push(line));
  const read = asAdminBackend(
    createReadApi({ ledger, rewards: new DynamoRewards(harness.documents, harness.tableName), logger, allowedOrigins: [] }),
  );
  const redeemApi = asAdminBackend(
    createRedeemApi({
      redemptions: new DynamoRedemptions(harness.documents, harness.tableName),
      logger,
      allowedOrigins: [],
      now: () => new Date("2026-11-24T15:00:00.000Z"),
    }),
  );
  // The rewards the redemptions below spend on: `reward-1` and `reward-10`.
  const priced = pricedRewards(harness);
  await Promise.all([priced(1), priced(10)]);
  return { harness, write, ledger, logs, read, redeemApi, apiLogs };
}

/** Writes a user's balance item as a long history would have left it. */
async function seedBalance(harness: Harness, userId: string, balance: number | NumberValue, lifetimeEarned: number | NumberValue) {
  await harness.documents.send(
    new PutCommand({
      TableName: harness.tableName,
      Item: { pk: `USER#${userId}`, sk: "BALANCE", balance, lifetimeEarned, updatedAt: "2026-11-01T00:00:00.000Z" },
    }),
  );
}

const redeem = (userId: string, redemptionId: string, points: number) =>
  apiEvent({
    resource: API_ROUTES.redeem.resource,
    method: "POST",
    pathParameters: { userId },
    body: JSON.stringify({ redemptionId, points, rewardId: `reward-${points}` }),
  });

test("81 GBP orders of 9007199254740991 minor units are refused; the user's balance still reads", async (t) => {
  const { write, logs, read } = await setup();
  const records = Array.from({ length: 81 }, (_, i) =>
    sqsRecord(orderCompleted({ orderId: `huge-${i}`, userId: "u-huge", amount: MAX, currency: "GBP" }), `m-${i}`),
  );

  const response = await write(sqsBatch(...records));

  t.deepEqual(failedIds(response), records.map((record) => record.messageId).sort());
  t.true(logs().every((line) => line.outcome === "invalid" && line.level === "warn"));
  t.is(logs()[0]?.reason, "detail.total.amount: must be at most 1000000000000 minor units");
  const balance = await read(balanceRequest("u-huge"));
  t.is(balance.statusCode, 200);
  t.like(bodyOf(balance), { balance: 0, lifetimeEarned: 0 });
});

test("orders within the bound that would pass the safe integers are refused, nothing written", async (t) => {
  // 100 points per yen: every order of the largest amount earns 10^14 points, so 90 of them
  // reach 9 × 10^15 and the 91st would pass 2^53.
  const { harness, write, logs, read, ledger } = await setup('{"JPY": 100}');
  const records = Array.from({ length: 92 }, (_, i) =>
    sqsRecord(orderCompleted({ orderId: `o-${i}`, userId: "u-1", amount: 10 ** 12, currency: "JPY" }), `m-${i}`),
  );

  const response = await write(sqsBatch(...records));

  t.deepEqual(failedIds(response), ["m-90", "m-91"]);
  const refused = logs().filter((line) => line.outcome === "invalid");
  t.deepEqual(
    refused.map((line) => line.orderId),
    ["o-90", "o-91"],
  );
  for (const line of refused) {
    t.like(line, { level: "warn", points: 0 });
    // Contract change (lifecycle): an order's points go to its lot (`lot_-_-` with no pending
    // and no expiry days), so the refusal names that lot where it named `balance`. Rule change:
    // a refusal names each total in words, never by its attribute.
    t.is(
      String(line.reason),
      "crediting 100000000000000 points would take the points available at once and never expiring or the points earned in total beyond 9007199254740991 (Number.MAX_SAFE_INTEGER)",
    );
    t.regex(String(line.reason), LIMIT_REASON);
  }

  const balance = await read(balanceRequest("u-1"));
  t.is(balance.statusCode, 200);
  t.like(bodyOf(balance), { balance: 9 * 10 ** 15, lifetimeEarned: 9 * 10 ** 15 });
  const history = await ledger.getHistory("u-1", 100);
  t.is(history.entries.length, 90);
  t.false(history.entries.some((entry) => entry.sk === "ORDER#o-90" || entry.sk === "ORDER#o-91"));
  t.is((await read(historyRequest("u-1"))).statusCode, 200);

  // Redelivered, the refused order is refused again (not taken for a duplicate), in one request.
  harness.requests.length = 0;
  t.deepEqual(failedIds(await write(sqsBatch(required(records[90], "record 90")))), ["m-90"]);
  t.deepEqual(harness.requests, ["TransactWriteItems"]);
  t.like(logs().at(-1), { outcome: "invalid", orderId: "o-90" });
});

test("a credit may fill the balance to exactly the largest safe integer, not one point past it", async (t) => {
  const { harness, write, logs, ledger } = await setup();
  await seedBalance(harness, "u-1", MAX - 100, MAX - 100);

  harness.requests.length = 0;
  t.deepEqual(failedIds(await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "fill", userId: "u-1", amount: 10_000 }))))), []);
  t.deepEqual(harness.requests, ["TransactWriteItems"]);
  t.like(await ledger.getBalance("u-1"), { balance: MAX, lifetimeEarned: MAX });

  harness.requests.length = 0;
  const over = sqsRecord(orderCompleted({ orderId: "over", userId: "u-1", amount: 100 }), "over");
  t.deepEqual(failedIds(await write(sqsBatch(over))), ["over"]);
  t.deepEqual(harness.requests, ["TransactWriteItems"]);
  t.like(logs().at(-1), { outcome: "invalid", orderId: "over" });
  t.regex(String(logs().at(-1)?.reason), LIMIT_REASON);
  t.like(await ledger.getBalance("u-1"), { balance: MAX, lifetimeEarned: MAX });

  // An order of less than one point changes no total, so nothing refuses it.
  t.deepEqual(failedIds(await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "cents", userId: "u-1", amount: 99 }))))), []);
  t.like(logs().at(-1), { outcome: "credited", points: 0 });
});

test("lifetimeEarned is guarded on its own: a spent balance does not let it pass the limit", async (t) => {
  const { harness, write, logs, ledger } = await setup();
  await seedBalance(harness, "u-1", 0, MAX - 5);

  const record = sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 1_000 }), "m");
  t.deepEqual(failedIds(await write(sqsBatch(record))), ["m"]);
  t.regex(String(logs()[0]?.reason), LIMIT_REASON);
  t.like(await ledger.getBalance("u-1"), { balance: 0, lifetimeEarned: MAX - 5 });
});

test("an order credited before the balance reached the limit is still a duplicate when redelivered", async (t) => {
  const { harness, write, logs } = await setup();
  const record = sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 1_000 }), "m");
  await write(sqsBatch(record));
  await seedBalance(harness, "u-1", MAX, MAX);

  t.deepEqual(failedIds(await write(sqsBatch(record))), []);
  t.deepEqual(
    logs().map((line) => line.outcome),
    ["credited", "duplicate"],
  );
});

test("a refund that would take the balance below the smallest safe integer is refused", async (t) => {
  const { harness, write, logs, ledger } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 10_000 }))));
  await seedBalance(harness, "u-1", -MAX + 50, 100);

  const refund = sqsRecord(orderRefunded({ orderId: "o", userId: "u-1", refundId: "r", amount: 10_000 }), "refund");
  t.deepEqual(failedIds(await write(sqsBatch(refund))), ["refund"]);
  t.like(logs().at(-1), { outcome: "invalid", refundId: "r" });
  // Contract change (lifecycle): points reversed after they were spent are owed as `debt` (a
  // positive total) rather than taken below zero on `balance`, so the refusal names the debt
  // passing the largest safe integer; the balance it stands for is the same. Rule change: the
  // refusal names the total in words ("the points owed"), not by its attribute (`debt`).
  t.regex(String(logs().at(-1)?.reason), /reversing 100 points would take the points owed beyond 9007199254740991/);
  t.like(await ledger.getBalance("u-1"), { balance: -MAX + 50 });
  t.deepEqual(
    (await ledger.getHistory("u-1", 10)).entries.map((entry) => entry.sk),
    ["ORDER#o"],
  );
});

test("a balance at the limit can still be spent and given back", async (t) => {
  const { harness, redeemApi, read } = await setup();
  await seedBalance(harness, "u-1", MAX, MAX);

  const spent = await redeemApi(redeem("u-1", "r-1", 1));
  t.is(spent.statusCode, 201);
  t.like(bodyOf(spent), { balance: MAX - 1 });
  const cancelled = await redeemApi(
    apiEvent({ resource: API_ROUTES.cancelRedemption.resource, method: "POST", pathParameters: { userId: "u-1", redemptionId: "r-1" } }),
  );
  t.is(cancelled.statusCode, 200);
  t.like(bodyOf(await read(balanceRequest("u-1"))), { balance: MAX, lifetimeEarned: MAX });
});

test("a cancel that would give back past the largest safe integer is refused, nothing written", async (t) => {
  const { harness, redeemApi, read, apiLogs } = await setup();
  await seedBalance(harness, "u-1", MAX, MAX);
  t.is((await redeemApi(redeem("u-1", "r-1", 10))).statusCode, 201);
  // A balance no consistent history leaves (it exceeds lifetimeEarned): only repair gets here.
  await seedBalance(harness, "u-1", MAX - 5, MAX);

  harness.requests.length = 0;
  const cancelled = await redeemApi(
    apiEvent({ resource: API_ROUTES.cancelRedemption.resource, method: "POST", pathParameters: { userId: "u-1", redemptionId: "r-1" } }),
  );
  t.is(cancelled.statusCode, 500);
  // Rule change: the refusal names the total in words; an item from before lots holds its
  // points in `balance`, which reads as points available at once and never expiring.
  t.regex(
    apiLogs.join("\n"),
    /LedgerLimitError: returning 10 points would take the points available at once and never expiring beyond 9007199254740991/,
  );
  t.deepEqual(harness.requests, ["TransactGetItems"]);
  t.like(bodyOf(await read(balanceRequest("u-1"))), { balance: MAX - 5 });
});

test("a balance item already beyond the safe integers takes no more credits and says what needs repair", async (t) => {
  const { harness, write, logs, ledger, read, apiLogs } = await setup();
  // What the unguarded writer left behind: DynamoDB holds it; the SDK reads it back as a BigInt.
  const beyond = NumberValue.from("9007199254741100");
  await seedBalance(harness, "u-1", beyond, beyond);

  const record = sqsRecord(orderCompleted({ orderId: "o", userId: "u-1", amount: 1_000 }), "m");
  t.deepEqual(failedIds(await write(sqsBatch(record))), ["m"]);
  t.like(logs()[0], { outcome: "invalid" });

  await t.throwsAsync(() => ledger.getBalance("u-1"), {
    instanceOf: CorruptLedgerItemError,
    message: /^ledger item USER#u-1 BALANCE cannot be read: balance: .*lifetimeEarned: /,
  });
  const answer = await read(balanceRequest("u-1"));
  t.is(answer.statusCode, 500);
  t.regex(apiLogs.join("\n"), /CorruptLedgerItemError: ledger item USER#u-1 BALANCE cannot be read/);
});

test("a refusal names each total in words, a lot by its dates, never by the balance item's attribute", (t) => {
  t.deepEqual(
    [
      "lot_2026-01-16_2027-01-16",
      "lot_-_2027-01-16",
      "lot_2026-01-16_-",
      "lot_-_-",
      "balance",
      "lifetimeEarned",
      "debt",
      "expiredTotal",
    ].map(totalName),
    [
      "the points available from 2026-01-16 and expiring on 2027-01-16",
      "the points available at once and expiring on 2027-01-16",
      "the points available from 2026-01-16 and never expiring",
      "the points available at once and never expiring",
      "the points available at once and never expiring",
      "the points earned in total",
      "the points owed",
      "the points expired in total",
    ],
  );
});
