/**
 * Redemptions against a real DynamoDB: spend exactly once per redemptionId, never more than
 * the balance, cancel once, refunds after spending, every refusal, an erased customer (before and
 * during the request), and what each costs.
 */
import test from "ava";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { erasedPk, TOMBSTONE_SK } from "../handlers/domain/ledger-keys";
import { CATALOGUE_PK } from "../handlers/domain/reward-keys";
import { API_ROUTES } from "../handlers/http/routes";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { createReadApi } from "../handlers/reader/read-api";
import { createRedeemApi } from "../handlers/redeemer/redeem-api";
import { createLogger } from "../handlers/runtime/log";
import { apiEvent, balanceRequest, historyRequest } from "./support/api-events";
import { createHarness } from "./support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { ADMIN_BACKEND, asAdminBackend, signedBy } from "./support/iam-caller";
import { createTestWriter } from "./support/writer-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { itemsHolding, scanAll } from "./support/table-scan";

// As the stack sets it: the SigV4 callers that are admins. Requests in these tests come from
// this backend unless they carry Cognito claims or another signer.
process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

const ADMINS = "loyalty-support";
const now = () => new Date("2026-11-24T15:00:00.000Z");

/** The catalogue the tests redeem from: each reward's price. */
const PRICES = { "voucher-10": 30, tote: 15, sneakers: 40, a: 10, cap: 25, coat: 80, pin: 1, grand: 500, scarf: 30, sock: 10 };

/** A user with `euros` worth of points credited (1 point per EUR), and the catalogue. */
async function setup(euros = 100) {
  const harness = await createHarness(dynamo);
  for (const [rewardId, pointsCost] of Object.entries(PRICES)) {
    await harness.catalogue.put(rewardId, { title: rewardId, pointsCost, kind: "product", codes: "none" }, now());
  }
  const { write, ledger } = createTestWriter(harness);
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  const rawRedeemApi = createRedeemApi({
    redemptions: new DynamoRedemptions(harness.documents, harness.tableName),
    logger,
    allowedOrigins: [],
    adminGroup: ADMINS,
    now,
  });
  const redeemApi = asAdminBackend(rawRedeemApi);
  const readApi = asAdminBackend(
    createReadApi({
      ledger,
      rewards: new DynamoRewards(harness.documents, harness.tableName),
      logger,
      allowedOrigins: [],
      adminGroup: ADMINS,
    }),
  );
  if (euros > 0) await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: euros * 100 }))));
  harness.requests.length = 0;
  const balance = async (userId = "u-1") =>
    JSON.parse((await readApi(balanceRequest(userId))).body) as { balance: number; lifetimeEarned: number };
  const erasure = new DynamoErasure(harness.documents, harness.tableName);
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { harness, write, redeemApi, rawRedeemApi, readApi, balance, erasure, logs };
}

const redeem = (body: unknown, options: { userId?: string; claims?: Record<string, string> } = {}) =>
  apiEvent({
    resource: API_ROUTES.redeem.resource,
    method: "POST",
    pathParameters: { userId: options.userId ?? "u-1" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(options.claims ? { claims: options.claims } : {}),
  });

const cancel = (redemptionId: string, options: { userId?: string; claims?: Record<string, string> } = {}) =>
  apiEvent({
    resource: API_ROUTES.cancelRedemption.resource,
    method: "POST",
    pathParameters: { userId: options.userId ?? "u-1", redemptionId },
    ...(options.claims ? { claims: options.claims } : {}),
  });

const bodyOf = (response: APIGatewayProxyResult) =>
  JSON.parse(response.body) as Record<string, unknown> & { error?: { code: string; message: string; balance?: number } };

test("a redemption spends the points once and answers the new balance", async (t) => {
  const { redeemApi, balance } = await setup(100);
  const response = await redeemApi(redeem({ redemptionId: "r-1", points: 30, rewardId: "voucher-10" }));
  t.is(response.statusCode, 201);
  t.deepEqual(bodyOf(response), {
    userId: "u-1",
    redemptionId: "r-1",
    rewardId: "voucher-10",
    points: 30,
    balance: 70,
    redeemedAt: "2026-11-24T15:00:00.000Z",
    reward: { title: "voucher-10", kind: "product" },
  });
  t.like(await balance(), { balance: 70, lifetimeEarned: 100 });
});

test("20 concurrent redemptions that together exceed the balance: exactly the affordable ones pass", async (t) => {
  const { redeemApi, balance } = await setup(100);
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => redeemApi(redeem({ redemptionId: `r-${i}`, points: 15, rewardId: "tote" }))),
  );
  const statuses = responses.map((r) => r.statusCode);
  t.is(statuses.filter((s) => s === 201).length, 6, "6 × 15 = 90 of 100 points");
  t.is(statuses.filter((s) => s === 409).length, 14);
  for (const refused of responses.filter((r) => r.statusCode === 409)) {
    t.is(bodyOf(refused).error?.code, "insufficient_points");
    t.true((bodyOf(refused).error?.balance ?? -1) >= 0);
  }
  const balancesAfter = responses
    .filter((r) => r.statusCode === 201)
    .map((r) => Number(bodyOf(r).balance))
    .sort((a, b) => b - a);
  t.deepEqual(balancesAfter, [85, 70, 55, 40, 25, 10], "each success saw its own exact balance");
  t.like(await balance(), { balance: 10 });
});

test("the same redemptionId sent 10 times concurrently is one redemption", async (t) => {
  const { redeemApi, balance } = await setup(100);
  const request = { redemptionId: "r-same", points: 40, rewardId: "sneakers" };
  const responses = await Promise.all(Array.from({ length: 10 }, () => redeemApi(redeem(request))));
  t.is(responses.filter((r) => r.statusCode === 201).length, 1);
  t.is(responses.filter((r) => r.statusCode === 200).length, 9);
  const answers = new Set(responses.map((r) => JSON.stringify(bodyOf(r))));
  t.is(answers.size, 1, "every retry gets the first answer");
  t.like(await balance(), { balance: 60 });
});

test("a redemptionId reused for a different request is a conflict", async (t) => {
  const { redeemApi, balance } = await setup(100);
  await redeemApi(redeem({ redemptionId: "r-1", points: 10, rewardId: "a" }));
  const other = await redeemApi(redeem({ redemptionId: "r-1", points: 20, rewardId: "a" }));
  t.is(other.statusCode, 409);
  t.is(bodyOf(other).error?.code, "idempotency_conflict");
  t.like(await balance(), { balance: 90 });
});

test("cancelling twice gives the points back once; history shows both", async (t) => {
  const { redeemApi, readApi, balance } = await setup(100);
  await redeemApi(redeem({ redemptionId: "r-1", points: 25, rewardId: "cap" }));
  const admin = { sub: "ops-1", "cognito:groups": ADMINS };
  const first = await redeemApi(cancel("r-1", { claims: admin }));
  const second = await redeemApi(cancel("r-1", { claims: admin }));
  t.is(first.statusCode, 200);
  t.is(second.statusCode, 200);
  t.deepEqual(bodyOf(second), bodyOf(first));
  t.like(bodyOf(first), { redemptionId: "r-1", pointsReturned: 25, balance: 100 });
  t.like(await balance(), { balance: 100 });
  const history = JSON.parse((await readApi(historyRequest("u-1"))).body) as { items: Array<Record<string, unknown>> };
  t.deepEqual(
    history.items.map((item) => [item.type, item.points]),
    [
      ["redemption-cancel", 25],
      ["redemption", -25],
      ["earn", 100],
    ],
  );
});

test("a refund after spending makes the balance negative; no redemption passes until it recovers", async (t) => {
  const { redeemApi, write, balance } = await setup(100);
  await redeemApi(redeem({ redemptionId: "r-1", points: 80, rewardId: "coat" }));
  await write(sqsBatch(sqsRecord(orderRefunded({ orderId: "o-1", userId: "u-1", refundId: "rf-1", amount: 10_000 }))));
  t.like(await balance(), { balance: -80, lifetimeEarned: 100 });
  const refused = await redeemApi(redeem({ redemptionId: "r-2", points: 1, rewardId: "pin" }));
  t.is(refused.statusCode, 409);
  t.like(bodyOf(refused).error, { code: "insufficient_points", balance: -80 });
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-2", userId: "u-1", amount: 10_000 }))));
  t.is((await redeemApi(redeem({ redemptionId: "r-2", points: 1, rewardId: "pin" }))).statusCode, 201);
  t.like(await balance(), { balance: 19 });
});

test("every refusal is a 4xx JSON error naming the problem", async (t) => {
  const { redeemApi, balance } = await setup(100);
  const expect = async (event: ReturnType<typeof redeem>, status: number, code: string, message?: RegExp) => {
    const response = await redeemApi(event);
    t.is(response.statusCode, status, code);
    t.is(bodyOf(response).error?.code, code);
    if (message) t.regex(bodyOf(response).error?.message ?? "", message);
  };
  await expect(redeem("not json"), 400, "invalid_request", /must be JSON/);
  await expect(redeem({ points: 5, rewardId: "a" }), 400, "invalid_request", /redemptionId/);
  await expect(redeem({ redemptionId: "r", points: 0, rewardId: "a" }), 400, "invalid_request", /points: must be at least 1/);
  await expect(redeem({ redemptionId: "r", points: 1.5, rewardId: "a" }), 400, "invalid_request", /points: must be a whole number/);
  await expect(redeem({ redemptionId: "r", points: "5", rewardId: "a" }), 400, "invalid_request", /points: must be a number/);
  await expect(redeem({ redemptionId: "r/x", points: 5, rewardId: "a" }), 400, "invalid_request", /redemptionId: may only contain/);
  await expect(redeem({ redemptionId: "r", points: 5, rewardId: "a" }, { userId: "bad id" }), 400, "invalid_user_id");
  await expect(redeem({ redemptionId: "r", points: 5, rewardId: "a" }, { claims: { sub: "u-2" } }), 403, "forbidden", /own points/);
  await expect(redeem({ redemptionId: "r", points: 500, rewardId: "grand" }), 409, "insufficient_points");
  await expect(cancel("r-unknown"), 404, "redemption_not_found");
  await expect(cancel("r-1", { claims: { sub: "u-1" } }), 403, "forbidden", /admin group/);
  await expect(cancel("bad/id"), 400, "invalid_request", /redemptionId/);
  await expect(
    apiEvent({ resource: API_ROUTES.redeem.resource, method: "GET", pathParameters: { userId: "u-1" } }),
    405,
    "method_not_allowed",
  );
  t.like(await balance(), { balance: 100 }, "no refusal spent anything");
  // A customer spends their own points; an admin may spend for anyone.
  t.is((await redeemApi(redeem({ redemptionId: "own", points: 1, rewardId: "pin" }, { claims: { sub: "u-1" } }))).statusCode, 201);
  t.is(
    (await redeemApi(redeem({ redemptionId: "adm", points: 1, rewardId: "pin" }, { claims: { sub: "ops", "cognito:groups": ADMINS } })))
      .statusCode,
    201,
  );
});

test("cost: a redemption is two DynamoDB requests, a retry one, a refusal one", async (t) => {
  const { redeemApi, harness } = await setup(100);
  await redeemApi(redeem({ redemptionId: "r-1", points: 10, rewardId: "a" }));
  t.deepEqual(harness.requests, ["BatchGetItem", "TransactWriteItems"]);
  harness.requests.length = 0;
  await redeemApi(redeem({ redemptionId: "r-1", points: 10, rewardId: "a" }));
  t.deepEqual(harness.requests, ["BatchGetItem"]);
  harness.requests.length = 0;
  await redeemApi(redeem({ redemptionId: "r-2", points: 500, rewardId: "grand" }));
  t.deepEqual(harness.requests, ["BatchGetItem"]);
  harness.requests.length = 0;
  await redeemApi(cancel("r-1"));
  t.deepEqual(harness.requests, ["TransactGetItems", "TransactWriteItems"]);
});

test("IAM callers spend for others and cancel only when listed in ADMIN_PRINCIPALS", async (t) => {
  const { rawRedeemApi, balance } = await setup(100);
  const spend = (id: string) => redeem({ redemptionId: id, points: 10, rewardId: "a" });
  t.is((await rawRedeemApi(signedBy(spend("r-1"), ADMIN_BACKEND))).statusCode, 201);
  const other = "arn:aws:iam::123456789012:role/some-other-backend";
  t.is((await rawRedeemApi(signedBy(spend("r-2"), other))).statusCode, 403);
  t.is((await rawRedeemApi(signedBy(cancel("r-1"), other))).statusCode, 403);
  // Neither claims nor a signer: no admin.
  t.is((await rawRedeemApi(spend("r-3"))).statusCode, 403);
  t.is((await rawRedeemApi(cancel("r-1"))).statusCode, 403);
  t.like(await balance(), { balance: 90 }, "no refused request spent or gave back anything");
  t.is((await rawRedeemApi(signedBy(cancel("r-1"), "arn:aws:sts::123456789012:assumed-role/customer-service-backend/s"))).statusCode, 200);
  t.like(await balance(), { balance: 100 });
});

/** What a caller sees of an answer: its status and its body. */
const answerOf = (response: APIGatewayProxyResult) => ({ statusCode: response.statusCode, body: bodyOf(response) });

type RedeemApi = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** What the API answers a redemption and a cancel for a customer the ledger never knew. */
async function unknownCustomerAnswers(
  redeemApi: RedeemApi,
  spend: { redemptionId: string; points: number; rewardId: string },
  redemptionId: string,
) {
  return {
    spend: answerOf(await redeemApi(redeem(spend, { userId: "u-never" }))),
    cancel: answerOf(await redeemApi(cancel(redemptionId, { userId: "u-never" }))),
  };
}

/** Only the redemptions' and cancels' own requests (an erasure sends no transaction and no batch read). */
const transactions = (requests: readonly string[]) =>
  requests.filter((operation) => operation.startsWith("Transact") || operation === "BatchGetItem");

test("an erased customer's redemption and cancel are answered as an unknown customer's and write nothing", async (t) => {
  const { harness, redeemApi, erasure } = await setup(100);
  t.is((await redeemApi(redeem({ redemptionId: "r-1", points: 30, rewardId: "scarf" }))).statusCode, 201);
  await erasure.erase("u-1", now());

  const spend = { redemptionId: "r-2", points: 10, rewardId: "sock" };
  const spent = answerOf(await redeemApi(redeem(spend)));
  const cancelled = answerOf(await redeemApi(cancel("r-1")));
  const unknown = await unknownCustomerAnswers(redeemApi, spend, "r-1");
  t.deepEqual(spent, unknown.spend);
  t.like(spent, { statusCode: 409, body: { error: { code: "insufficient_points", balance: 0 } } });
  t.deepEqual(cancelled, unknown.cancel);
  t.like(cancelled, { statusCode: 404, body: { error: { code: "redemption_not_found" } } });
  t.deepEqual(await itemsHolding(harness, "u-1"), [], "no item holds the id");
  t.deepEqual(
    (await scanAll(harness)).filter((item) => item.pk !== CATALOGUE_PK).map((item) => [item.pk, item.sk]),
    [[erasedPk("u-1"), TOMBSTONE_SK]],
    "only the tombstone, besides the catalogue",
  );
});

test("a redemption with the whole erasure between its read and its write leaves nothing behind, in the requests it always sends", async (t) => {
  const { harness, redeemApi, erasure, logs } = await setup(100);
  // The customer never spent, so the balance write is guarded by "no version yet", which the
  // deleted balance item meets as well: only the tombstone check keeps the write from landing.
  harness.interleave({ operation: "TransactWriteItems", match: "REDEEM#r-race", run: () => erasure.erase("u-1", now()) });
  harness.requests.length = 0;
  const spend = { redemptionId: "r-race", points: 30, rewardId: "scarf" };
  const spent = answerOf(await redeemApi(redeem(spend)));
  // Between them, the erasure's own transaction: its tombstone.
  t.deepEqual(
    transactions(harness.requests),
    ["BatchGetItem", "TransactWriteItems", "TransactWriteItems"],
    "one read and one write, as every redemption",
  );

  t.deepEqual(spent, (await unknownCustomerAnswers(redeemApi, spend, "r-race")).spend);
  t.deepEqual(await itemsHolding(harness, "u-1"), [], "no item holds the id");
  t.like(
    logs().find((line) => line.message === "redemption refused: customer erased"),
    { tombstone: erasedPk("u-1"), redemptionId: "r-race", outcome: "erased" },
  );
  t.false(JSON.stringify(logs()).includes("u-1"), "the log names the tombstone, not the id");
});

test("a cancel and a redemption landing while an erasure pages through the customer leave nothing behind it", async (t) => {
  const { harness, redeemApi, erasure, logs } = await setup(100);
  t.is((await redeemApi(redeem({ redemptionId: "r-1", points: 30, rewardId: "scarf" }))).statusCode, 201);
  // The tombstone is in and the customer's keys are read; before the first batch deletes them, a
  // cancel and a redemption read the items still there and write behind the paging.
  const spend = { redemptionId: "r-2", points: 10, rewardId: "sock" };
  const during: Array<ReturnType<typeof answerOf>> = [];
  harness.interleave({
    operation: "BatchWriteItem",
    match: "USER#u-1",
    run: async () => {
      during.push(answerOf(await redeemApi(cancel("r-1"))));
      during.push(answerOf(await redeemApi(redeem(spend))));
    },
  });
  harness.requests.length = 0;
  await erasure.erase("u-1", now());
  // After the erasure's own transaction (its tombstone).
  t.deepEqual(
    transactions(harness.requests),
    ["TransactWriteItems", "TransactGetItems", "TransactWriteItems", "BatchGetItem", "TransactWriteItems"],
    "a cancel and a redemption: two requests each",
  );

  const unknown = await unknownCustomerAnswers(redeemApi, spend, "r-1");
  t.deepEqual(during, [unknown.cancel, unknown.spend]);
  t.deepEqual(await itemsHolding(harness, "u-1"), [], "no item holds the id");
  t.deepEqual(
    logs()
      .filter((line) => line.outcome === "erased")
      .map((line) => [line.message, line.tombstone, line.redemptionId]),
    [
      ["cancel refused: customer erased", erasedPk("u-1"), "r-1"],
      ["redemption refused: customer erased", erasedPk("u-1"), "r-2"],
    ],
  );
  t.false(JSON.stringify(logs()).includes("u-1"), "the log names the tombstone, not the id");
});
