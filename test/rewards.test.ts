/**
 * Rewards priced by the server on a real DynamoDB: the catalogue's units (codes, stock) claimed
 * in the redemption's own transaction, so no code goes out twice and no stock below zero under
 * races; a customer's limit under their own concurrent requests; the window; a cancel that voids
 * the code for good; a replay that answers the same code whatever the catalogue did since; and
 * what a redemption costs in requests.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import test from "ava";
import type { APIGatewayProxyResult } from "aws-lambda";
import { eventOfChange } from "../handlers/domain/entry-events";
import { API_ROUTES } from "../handlers/http/routes";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { createRedeemApi } from "../handlers/redeemer/redeem-api";
import * as v from "valibot";
import { RewardDefinitionSchema, type RewardDefinition } from "../handlers/domain/rewards";
import { createLogger } from "../handlers/runtime/log";
import { required } from "../harness/required";
import { apiEvent } from "./support/api-events";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { orderCompleted, sqsBatch, sqsRecord } from "./support/events";
import { asAdminBackend } from "./support/iam-caller";
import { createTestWriter } from "./support/writer-harness";
import { itemsHolding, scanAll } from "./support/table-scan";

process.env.ADMIN_PRINCIPALS = JSON.stringify(["arn:aws:iam::123456789012:role/customer-service-backend"]);

const dynamo = useDynamoLocal();

const NOW = "2026-11-24T15:00:00.000Z";

/** A definition as a PUT body gives it, its defaults filled in. */
const define = (body: Record<string, unknown>): RewardDefinition => v.parse(RewardDefinitionSchema, body);

const VOUCHER = define({ title: "€5 off", pointsCost: 50, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" });

type Answer = Record<string, unknown> & { error?: { code: string; pointsCost?: number } };

/** A table, customers holding `euros` worth of points each, and the redeemer over it (one instance per `instances`). */
async function setup({ users = ["u-1"], euros = 1_000, instances = 1 }: { users?: string[]; euros?: number; instances?: number } = {}) {
  const harness = await createHarness(dynamo);
  const { write } = createTestWriter(harness);
  for (const userId of users) {
    await write(sqsBatch(sqsRecord(orderCompleted({ orderId: `o-${userId}`, userId, amount: euros * 100 }))));
  }
  let clock = Date.parse(NOW);
  const now = () => new Date(clock);
  // Several redeemers over one table: as many Lambda instances, each with its own cache of free codes.
  const apis = Array.from({ length: instances }, () =>
    asAdminBackend(
      createRedeemApi({
        redemptions: new DynamoRedemptions(harness.documents, harness.tableName),
        logger: createLogger("error", () => undefined),
        allowedOrigins: [],
        now,
      }),
    ),
  );
  const redeem = async (userId: string, body: Record<string, unknown>, instance = 0) => {
    const response = await required(
      apis[instance % apis.length],
      "a redeemer",
    )(apiEvent({ resource: API_ROUTES.redeem.resource, method: "POST", pathParameters: { userId }, body: JSON.stringify(body) }));
    return { status: response.statusCode, body: JSON.parse(response.body) as Answer };
  };
  const cancel = async (userId: string, redemptionId: string) =>
    statusOf(
      await required(
        apis[0],
        "a redeemer",
      )(apiEvent({ resource: API_ROUTES.cancelRedemption.resource, method: "POST", pathParameters: { userId, redemptionId } })),
    );
  harness.requests.length = 0;
  return { harness, redeem, cancel, at: (instant: string) => (clock = Date.parse(instant)), now };
}

const statusOf = (response: APIGatewayProxyResult) => ({ status: response.statusCode, body: JSON.parse(response.body) as Answer });

const codes = (count: number, prefix = "CODE") => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

const upload = (harness: Harness, rewardId: string, list: readonly string[]) =>
  harness.catalogue.uploadCodes(rewardId, list, new Date(NOW));

test("N customers racing for K codes: exactly K succeed, each with a different code, the rest reward_unavailable", async (t) => {
  const users = Array.from({ length: 30 }, (_, i) => `u-${i}`);
  const { harness, redeem } = await setup({ users, instances: 4 });
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  await upload(harness, "v5", codes(12));
  const answers = await Promise.all(users.map((userId, i) => redeem(userId, { redemptionId: `r-${userId}`, rewardId: "v5" }, i)));
  const won = answers.filter((answer) => answer.status === 201);
  t.is(won.length, 12);
  t.is(new Set(won.map((answer) => answer.body.code)).size, 12, "every winner got its own code");
  t.deepEqual([...new Set(won.map((answer) => String(answer.body.code)))].sort(), codes(12));
  t.deepEqual(
    answers.filter((answer) => answer.status !== 201).map((answer) => [answer.status, answer.body.error?.code]),
    Array.from({ length: 18 }, () => [409, "reward_unavailable"]),
  );
  t.is((await harness.catalogue.get("v5"))?.available, 0);
  // A refused customer spent nothing.
  const loser = required(
    users.find((_, i) => answers[i]?.status === 409),
    "a refused customer",
  );
  t.is(await spendableOf(harness, loser), 1_000);
});

test("fewer customers than codes: every one gets a code, and what is left is available", async (t) => {
  const users = ["a", "b", "c"];
  const { harness, redeem } = await setup({ users });
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  await upload(harness, "v5", codes(10));
  const answers = await Promise.all(users.map((userId) => redeem(userId, { redemptionId: "r-1", rewardId: "v5" })));
  t.deepEqual(
    answers.map((answer) => answer.status),
    [201, 201, 201],
  );
  t.is(new Set(answers.map((answer) => answer.body.code)).size, 3);
  t.is((await harness.catalogue.get("v5"))?.available, 7);
});

test("stock never goes below zero: 20 concurrent redemptions of a reward with 5 left", async (t) => {
  const users = Array.from({ length: 20 }, (_, i) => `u-${i}`);
  const { harness, redeem } = await setup({ users });
  await harness.catalogue.put(
    "ship",
    define({ title: "Free shipping", pointsCost: 20, kind: "free_shipping", stock: 5, codes: "none" }),
    new Date(NOW),
  );
  const answers = await Promise.all(users.map((userId) => redeem(userId, { redemptionId: "r-1", rewardId: "ship" })));
  t.is(answers.filter((answer) => answer.status === 201).length, 5);
  t.is(answers.filter((answer) => answer.body.error?.code === "reward_unavailable").length, 15);
  t.is((await harness.catalogue.get("ship"))?.available, 0);
  // A stock raised later adds what it adds, counting what was handed out already.
  await harness.catalogue.put(
    "ship",
    define({ title: "Free shipping", pointsCost: 20, kind: "free_shipping", stock: 7, codes: "none" }),
    new Date(NOW),
  );
  t.is((await harness.catalogue.get("ship"))?.available, 2);
  await harness.catalogue.put(
    "ship",
    define({ title: "Free shipping", pointsCost: 20, kind: "free_shipping", stock: 3, codes: "none" }),
    new Date(NOW),
  );
  t.is((await harness.catalogue.get("ship"))?.available, 0, "a stock below what was redeemed leaves none, never less");
});

test("perCustomerLimit holds under one customer's own concurrent requests", async (t) => {
  const { harness, redeem } = await setup();
  await harness.catalogue.put("tote", define({ title: "Tote bag", pointsCost: 10, kind: "product", perCustomerLimit: 2 }), new Date(NOW));
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => redeem("u-1", { redemptionId: `r-${i}`, rewardId: "tote" })));
  t.is(answers.filter((answer) => answer.status === 201).length, 2);
  t.deepEqual(
    answers.filter((answer) => answer.status !== 201).map((answer) => answer.body.error?.code),
    Array.from({ length: 6 }, () => "reward_limit_reached"),
  );
  t.is(await spendableOf(harness, "u-1"), 980);
});

test("the window: refused before activeFrom and from activeUntil on, redeemed in between", async (t) => {
  const { harness, redeem, at } = await setup();
  await harness.catalogue.put(
    "xmas",
    define({
      title: "Christmas",
      pointsCost: 10,
      kind: "product",
      activeFrom: "2026-12-01T00:00:00.000Z",
      activeUntil: "2026-12-25T00:00:00.000Z",
    }),
    new Date(NOW),
  );
  at("2026-11-30T23:59:59.999Z");
  t.like(await redeem("u-1", { redemptionId: "r-1", rewardId: "xmas" }), { status: 409, body: { error: { code: "reward_unavailable" } } });
  at("2026-12-01T00:00:00.000Z");
  t.like(await redeem("u-1", { redemptionId: "r-2", rewardId: "xmas" }), { status: 201 });
  at("2026-12-25T00:00:00.000Z");
  t.like(await redeem("u-1", { redemptionId: "r-3", rewardId: "xmas" }), { status: 409, body: { error: { code: "reward_unavailable" } } });
  t.is(await spendableOf(harness, "u-1"), 990);
});

test("the server names the price: a stale price is price_changed with the current one, an unknown reward reward_not_found", async (t) => {
  const { harness, redeem } = await setup();
  await harness.catalogue.put("v5", define({ ...VOUCHER, codes: "none" }), new Date(NOW));
  t.like(await redeem("u-1", { redemptionId: "r-1", rewardId: "v5", points: 1 }), {
    status: 409,
    body: { error: { code: "price_changed", pointsCost: 50 } },
  });
  // The apps' old request: a price and a reward the catalogue does not know.
  t.like(await redeem("u-1", { redemptionId: "r-2", rewardId: "voucher-10", points: 30 }), {
    status: 404,
    body: { error: { code: "reward_not_found" } },
  });
  t.like(await redeem("u-1", { redemptionId: "r-3", rewardId: "v5", points: 50 }), { status: 201, body: { points: 50, balance: 950 } });
  t.like(await redeem("u-1", { redemptionId: "r-4", rewardId: "v5" }), { status: 201, body: { points: 50, balance: 900 } });
  t.is(await spendableOf(harness, "u-1"), 900, "the refusals spent nothing");
});

test("a replay answers the same code and reward whatever the catalogue did since", async (t) => {
  const { harness, redeem } = await setup();
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  await upload(harness, "v5", codes(3));
  const first = await redeem("u-1", { redemptionId: "r-1", rewardId: "v5" });
  t.is(first.status, 201);
  t.like(first.body, { rewardId: "v5", points: 50, reward: { title: "€5 off", kind: "voucher", value: { amount: 500, currency: "EUR" } } });
  await harness.catalogue.put("v5", define({ ...VOUCHER, title: "€5 off, now dearer", pointsCost: 80 }), new Date(NOW));
  const again = await redeem("u-1", { redemptionId: "r-1", rewardId: "v5" });
  t.is(again.status, 200);
  t.deepEqual(again.body, first.body);
  t.is((await harness.catalogue.get("v5"))?.available, 2, "the replay took no second code");
});

test("a cancel gives the points back and voids the code: it is never handed out again", async (t) => {
  const { harness, redeem, cancel } = await setup({ users: ["u-1", "u-2"] });
  await harness.catalogue.put("v5", define({ ...VOUCHER, perCustomerLimit: 1 }), new Date(NOW));
  await upload(harness, "v5", ["ONLY-ONE"]);
  t.like(await redeem("u-1", { redemptionId: "r-1", rewardId: "v5" }), { status: 201, body: { code: "ONLY-ONE" } });
  t.like(await cancel("u-1", "r-1"), { status: 200, body: { pointsReturned: 50, balance: 1_000 } });
  t.is((await harness.catalogue.get("v5"))?.available, 0, "the voided code is not free again");
  t.like(await upload(harness, "v5", ["ONLY-ONE"]), { added: 0, duplicates: 1, available: 0 });
  // The cancel returns neither the unit nor the customer's count: their limit of 1 stays used.
  t.like(await redeem("u-1", { redemptionId: "r-2", rewardId: "v5" }), { status: 409, body: { error: { code: "reward_limit_reached" } } });
  await upload(harness, "v5", ["NEXT"]);
  t.like(await redeem("u-2", { redemptionId: "r-3", rewardId: "v5" }), { status: 201, body: { code: "NEXT" } });
});

test("uploading codes is idempotent: a known code (free, issued or void) is a duplicate, never added twice", async (t) => {
  const { harness, redeem } = await setup();
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  t.deepEqual(await upload(harness, "v5", [...codes(100), "CODE-0001"]), {
    outcome: "uploaded",
    added: 100,
    duplicates: 1,
    available: 100,
  });
  await redeem("u-1", { redemptionId: "r-1", rewardId: "v5" });
  const twice = await Promise.all([upload(harness, "v5", codes(120)), upload(harness, "v5", codes(120))]);
  t.deepEqual(
    twice.map((result) => (result.outcome === "uploaded" ? result.added : -1)).sort(),
    [0, 20],
    "concurrent uploads of the same codes add each new one once",
  );
  t.is((await harness.catalogue.get("v5"))?.available, 119);
  t.deepEqual(await harness.catalogue.uploadCodes("nope", ["A"], new Date(NOW)), { outcome: "not-found" });
  await harness.catalogue.put("tote", define({ title: "Tote", pointsCost: 10, kind: "product" }), new Date(NOW));
  t.deepEqual(await harness.catalogue.uploadCodes("tote", ["A"], new Date(NOW)), { outcome: "takes-no-codes" });
  t.deepEqual(await harness.catalogue.put("tote", define({ ...VOUCHER }), new Date(NOW)), { outcome: "codes-fixed", codes: "none" });
});

test("an upload that meets a redemption writing the same shard (TransactionConflict) tries the chunk again and counts each code once", async (t) => {
  const { harness } = await setup();
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  // The store under test sends through the counted, faulted client (the harness's catalogue does not).
  const rewards = new DynamoRewards(harness.documents, harness.tableName);
  const conflict = () =>
    new TransactionCanceledException({
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
      $metadata: {},
      CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }],
    });
  // The first chunk (CODE-0000..0039) conflicts twice, the last (from CODE-0080) once.
  harness.inject({ operation: "TransactWriteItems", match: "CODE#CODE-0000", when: "before", error: conflict, times: 2 });
  harness.inject({ operation: "TransactWriteItems", match: "CODE#CODE-0080", when: "before", error: conflict });
  t.deepEqual(await rewards.uploadCodes("v5", codes(100), new Date(NOW)), {
    outcome: "uploaded",
    added: 100,
    duplicates: 0,
    available: 100,
  });
  t.is(
    harness.requests.filter((request) => request === "TransactWriteItems").length,
    3 + 3,
    "three chunks, three of their tries conflicted",
  );
  t.deepEqual(await rewards.uploadCodes("v5", codes(100), new Date(NOW)), {
    outcome: "uploaded",
    added: 0,
    duplicates: 100,
    available: 100,
  });
});

test("a lost claim drops the instance's stale cache of the shard: one lost claim, not one per code others took since it loaded", async (t) => {
  const { harness, now } = await setup({ users: ["u-a", "u-b"] });
  // One shard and pinned randomness: both instances load the same free codes, in code order, and take the first.
  const pinned = { shards: 1, random: () => 0 };
  const rewards = new DynamoRewards(harness.documents, harness.tableName, pinned);
  await rewards.put("v1", define({ ...VOUCHER, pointsCost: 10 }), new Date(NOW));
  await rewards.uploadCodes("v1", codes(30), new Date(NOW));
  const [a, b] = [
    new DynamoRedemptions(harness.documents, harness.tableName, pinned),
    new DynamoRedemptions(harness.documents, harness.tableName, pinned),
  ];
  t.is((await a.redeem("u-a", { redemptionId: "a-1", rewardId: "v1" }, now)).outcome, "redeemed");
  // The other instance takes the next 20 codes, every one of them still in the first instance's cache.
  for (let i = 0; i < 20; i++) t.is((await b.redeem("u-b", { redemptionId: `b-${i}`, rewardId: "v1" }, now)).outcome, "redeemed");
  harness.requests.length = 0;
  const late = await a.redeem("u-a", { redemptionId: "a-2", rewardId: "v1" }, now);
  t.like(late, { outcome: "redeemed", entry: { code: "CODE-0021" } });
  t.is(harness.requests.filter((request) => request === "TransactWriteItems").length, 2, "one claim lost, then one that wins");
});

test("cost: a successful redemption is two DynamoDB requests — one read, one transaction claiming the code or the stock", async (t) => {
  const { harness, redeem } = await setup({ users: ["u-1", "u-2"] });
  await harness.catalogue.put("v5", VOUCHER, new Date(NOW));
  await harness.catalogue.put(
    "ship",
    define({ title: "Free shipping", pointsCost: 20, kind: "free_shipping", stock: 100, codes: "none" }),
    new Date(NOW),
  );
  // One shard's codes: the first redemption of an instance loads its cache of them, once.
  await upload(harness, "v5", codes(40));
  harness.requests.length = 0;
  await redeem("u-1", { redemptionId: "r-1", rewardId: "ship" });
  t.deepEqual(harness.requests, ["BatchGetItem", "TransactWriteItems"], "a stock reward");
  harness.requests.length = 0;
  await redeem("u-1", { redemptionId: "r-2", rewardId: "v5" });
  t.deepEqual(
    harness.requests.filter((request) => request !== "Query"),
    ["BatchGetItem", "TransactWriteItems"],
  );
  t.true(harness.requests.filter((request) => request === "Query").length <= 2, "a cold cache loads its shard's free codes");
  // A warm cache: a second redemption of the same shard sends no query.
  let warm = 0;
  for (const [i, userId] of ["u-1", "u-2", "u-1", "u-2", "u-1", "u-2"].entries()) {
    harness.requests.length = 0;
    t.is((await redeem(userId, { redemptionId: `w-${i}`, rewardId: "v5" })).status, 201);
    if (harness.requests.join() === "BatchGetItem,TransactWriteItems") warm++;
  }
  t.true(warm >= 1, "redemptions from a warm cache are two requests");
  harness.requests.length = 0;
  await redeem("u-1", { redemptionId: "r-1", rewardId: "ship" });
  t.deepEqual(harness.requests, ["BatchGetItem"], "a replay is one read");
  harness.requests.length = 0;
  await redeem("u-1", { redemptionId: "r-9", rewardId: "ship", points: 1 });
  t.deepEqual(harness.requests, ["BatchGetItem"], "a refusal is one read");
});

test("an erased customer leaves no trace in the reward's items: codes hold no customer id", async (t) => {
  const { harness, redeem } = await setup({ users: ["u-erased"] });
  await harness.catalogue.put("v5", define({ ...VOUCHER, perCustomerLimit: 3 }), new Date(NOW));
  await upload(harness, "v5", codes(5));
  t.is((await redeem("u-erased", { redemptionId: "r-1", rewardId: "v5" })).status, 201);
  await new DynamoErasure(harness.documents, harness.tableName).erase("u-erased", new Date(NOW));
  t.deepEqual(await itemsHolding(harness, "u-erased"), [], "no item holds the id");
  t.is((await harness.catalogue.get("v5"))?.available, 4, "the handed-out code stays handed out");
});

async function spendableOf(harness: Harness, userId: string): Promise<number> {
  const { balance } = await createTestWriter(harness).ledger.getBalance(userId, new Date(NOW));
  return balance;
}

test("the catalogue's, the shards' and the codes' items publish nothing on the table's stream, and are never taken for entries", async (t) => {
  const { harness, redeem, cancel } = await setup();
  for (const kind of ["voucher", "free_shipping", "product"] as const) {
    await harness.catalogue.put(kind, define({ ...VOUCHER, kind, stock: undefined, codes: "pool" }), new Date(NOW));
    await upload(harness, kind, codes(2, kind));
  }
  await redeem("u-1", { redemptionId: "r-1", rewardId: "voucher" });
  await cancel("u-1", "r-1");
  const rewardItems = (await scanAll(harness)).filter((item) => !String(item.pk).startsWith("USER#"));
  t.true(rewardItems.length > 10);
  for (const item of rewardItems) {
    t.is(eventOfChange({ eventName: "INSERT", newImage: item }), undefined, `${String(item.pk)} ${String(item.sk)}`);
    t.is(eventOfChange({ eventName: "MODIFY", oldImage: item, newImage: item }), undefined);
  }
});
