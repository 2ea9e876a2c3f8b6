/**
 * The admin function against a real DynamoDB: adjustments (grant, take, refused below zero,
 * allowed below zero, replay, conflict, who may) and erasure (a heavy customer, what it costs, a
 * Scan that finds the id nowhere, events after it dropped, an erasure interrupted and resumed).
 */
import test from "ava";
import type { APIGatewayProxyResult } from "aws-lambda";
import { BatchWriteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createAdminApi } from "../handlers/admin/admin-api";
import { erasedPk, indexShardOf, TOMBSTONE_SK } from "../handlers/domain/ledger-keys";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import { API_ROUTES } from "../handlers/http/routes";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { createReadApi } from "../handlers/reader/read-api";
import { createLogger } from "../handlers/runtime/log";
import { apiEvent, balanceRequest, historyRequest } from "./support/api-events";
import { createHarness, serviceError, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { ADMIN_BACKEND, asAdminBackend, signedBy } from "./support/iam-caller";
import { customerDeleted, orderCompleted, sqsBatch, sqsRecord } from "./support/events";
import { createTestWriter } from "./support/writer-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { writeEarnEntries } from "./support/seed-entries";
import { itemsHolding, scanAll } from "./support/table-scan";

process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

const ADMINS = "loyalty-support";
const START = "2026-03-01T10:00:00.000Z";

async function setup(lifecycle: Lifecycle = { pendingDays: 0, expiryDays: 0 }, erasurePageSize?: number) {
  const harness = await createHarness(dynamo);
  const rig = createLifecycleRig(harness, lifecycle, START);
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  const rawAdminApi = createAdminApi({
    adjustments: new DynamoAdjustments(harness.documents, harness.tableName, lifecycle),
    erasure: new DynamoErasure(harness.documents, harness.tableName, undefined, { pageSize: erasurePageSize }),
    rewards: new DynamoRewards(harness.documents, harness.tableName),
    logger,
    allowedOrigins: [],
    adminGroup: ADMINS,
    now: rig.now,
  });
  const adminApi = asAdminBackend(rawAdminApi);
  const readApi = asAdminBackend(
    createReadApi({
      ledger: rig.ledger,
      rewards: new DynamoRewards(harness.documents, harness.tableName),
      logger,
      allowedOrigins: [],
      adminGroup: ADMINS,
      now: rig.now,
    }),
  );
  const balance = async (userId = "u-1") => bodyOf(await readApi(balanceRequest(userId)));
  const history = async (userId = "u-1") =>
    bodyOf(await readApi(historyRequest(userId, { query: { limit: "100" } }))).items as Array<Record<string, unknown>>;
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { harness, rig, adminApi, rawAdminApi, balance, history, logs };
}

const adjust = (body: unknown, userId = "u-1") =>
  apiEvent({
    resource: API_ROUTES.adjust.resource,
    method: "POST",
    pathParameters: { userId },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const erase = (userId: string) => apiEvent({ resource: API_ROUTES.erase.resource, method: "DELETE", pathParameters: { userId } });

const bodyOf = (response: APIGatewayProxyResult) =>
  JSON.parse(response.body) as Record<string, unknown> & { error?: { code: string; message: string; balance?: number } };

async function itemOf(harness: Harness, pk: string, sk: string) {
  return (await harness.documents.send(new GetCommand({ TableName: harness.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
}

test("a grant credits a lot of its own, spendable at once and expiring by the lifecycle, with the reason and who made it", async (t) => {
  const { harness, rig, adminApi, balance, history } = await setup({ pendingDays: 30, expiryDays: 365 });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  const response = await adminApi(adjust({ adjustmentId: "adj-1", points: 50, reason: "parcel lost in transit" }));
  t.is(response.statusCode, 201);
  t.deepEqual(bodyOf(response), {
    userId: "u-1",
    adjustmentId: "adj-1",
    points: 50,
    reason: "parcel lost in transit",
    actor: ADMIN_BACKEND,
    balance: 50,
    expiresAt: "2027-03-01T00:00:00.000Z",
    adjustedAt: START,
  });
  // The order's 100 points are still pending; the grant is spendable now.
  t.like(await balance(), { balance: 50, pending: 100, lifetimeEarned: 150, nextExpiry: { points: 50, at: "2027-03-01T00:00:00.000Z" } });
  t.like(await itemOf(harness, "USER#u-1", "ADJUST#adj-1"), {
    kind: "adjustment",
    direction: "grant",
    actor: ADMIN_BACKEND,
    reason: "parcel lost in transit",
  });
  t.truthy(await itemOf(harness, `EXPIRES#2027-03-01#${indexShardOf("u-1")}`, "USER#u-1"), "indexed for the settle");
  t.like(
    (await history()).find((item) => item.type === "adjustment"),
    { adjustmentId: "adj-1", points: 50, reason: "parcel lost in transit" },
  );
});

test("a take spends the earliest-expiring points first and shows in history, negative", async (t) => {
  const { harness, rig, adminApi, balance, history } = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START }); // 100, expires 2026-03-11
  rig.at("2026-03-05T10:00:00.000Z");
  await adminApi(adjust({ adjustmentId: "adj-grant", points: 50, reason: "goodwill" })); // 50, expires 2026-03-15
  const response = await adminApi(adjust({ adjustmentId: "adj-take", points: -120, reason: "points credited twice by mistake" }));
  t.is(response.statusCode, 201);
  t.like(bodyOf(response), { points: -120, balance: 30 });
  t.like(await itemOf(harness, "USER#u-1", "ADJUST#adj-take"), {
    direction: "take",
    points: 120,
    draws: { "lot_2026-03-01_2026-03-11": 100, "lot_2026-03-05_2026-03-15": 20 },
    toDebt: 0,
  });
  t.like(await balance(), { balance: 30, lifetimeEarned: 150 });
  t.like((await history())[0], { type: "adjustment", adjustmentId: "adj-take", points: -120, reason: "points credited twice by mistake" });
});

test("a take below zero is refused with the balance, unless allowNegative; then the rest is owed", async (t) => {
  const { rig, adminApi, balance } = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  const refused = await adminApi(adjust({ adjustmentId: "adj-1", points: -150, reason: "fraudulent order" }));
  t.is(refused.statusCode, 409);
  t.like(bodyOf(refused).error, { code: "insufficient_points", balance: 100 });
  t.like(await balance(), { balance: 100 });

  const allowed = await adminApi(adjust({ adjustmentId: "adj-1", points: -150, reason: "fraudulent order", allowNegative: true }));
  t.is(allowed.statusCode, 201);
  t.like(bodyOf(allowed), { points: -150, balance: -50 });
  t.like(await balance(), { balance: -50, lifetimeEarned: 100 });
  // What is owed comes off the next points first.
  await rig.order({ orderId: "o-2", userId: "u-1", amount: 8_000, completedAt: START });
  t.like(await balance(), { balance: 30 });
  t.like(await rig.redeem("r-1", 31), { outcome: "insufficient", balance: 30 });
});

test("an adjustment that would carry a total past the safe integers is refused either way, 400 naming the limit in words", async (t) => {
  const { harness, adminApi, balance, history } = await setup();
  const MAX = Number.MAX_SAFE_INTEGER;
  // A customer who owes nearly the most the ledger can hold, and has earned nearly as much.
  await harness.documents.send(
    new PutCommand({
      TableName: harness.tableName,
      Item: { pk: "USER#u-1", sk: "BALANCE", "lot_-_-": 0, debt: MAX - 2, lifetimeEarned: MAX - 2, updatedAt: START },
    }),
  );

  const take = await adminApi(adjust({ adjustmentId: "adj-take", points: -5, reason: "fraudulent order", allowNegative: true }));
  t.is(take.statusCode, 400);
  t.deepEqual(bodyOf(take).error, {
    code: "invalid_request",
    message: "adjusting by -5 points would take the points owed beyond 9007199254740991 (Number.MAX_SAFE_INTEGER)",
  });
  const grant = await adminApi(adjust({ adjustmentId: "adj-grant", points: 5, reason: "goodwill" }));
  t.is(grant.statusCode, 400);
  t.deepEqual(bodyOf(grant).error, {
    code: "invalid_request",
    message: "adjusting by 5 points would take the points earned in total beyond 9007199254740991 (Number.MAX_SAFE_INTEGER)",
  });

  t.like(await balance(), { balance: -(MAX - 2), lifetimeEarned: MAX - 2 });
  t.deepEqual(await history(), [], "nothing written");
  // Within the limit, the same customer can still be adjusted.
  t.is(
    (await adminApi(adjust({ adjustmentId: "adj-small", points: -2, reason: "fraudulent order", allowNegative: true }))).statusCode,
    201,
  );
  t.like(await balance(), { balance: -MAX });
});

test("the same adjustment again gets its first answer; the same id with another body is a conflict", async (t) => {
  const { harness, rig, adminApi, balance } = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  const request = { adjustmentId: "adj-1", points: 25, reason: "late delivery" };
  const first = await adminApi(adjust(request));
  rig.at("2026-03-02T10:00:00.000Z");
  harness.requests.length = 0;
  const again = await adminApi(adjust(request));
  t.is(again.statusCode, 200);
  t.deepEqual(bodyOf(again), bodyOf(first));
  t.deepEqual(harness.requests, ["TransactGetItems"], "a replay is answered from one read");
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => adminApi(adjust({ ...request, adjustmentId: "adj-2" }))));
  t.deepEqual(concurrent.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 201]);
  for (const body of [
    { ...request, points: 26 },
    { ...request, reason: "other" },
    { ...request, allowNegative: true },
  ]) {
    const conflict = await adminApi(adjust(body));
    t.is(conflict.statusCode, 409);
    t.is(bodyOf(conflict).error?.code, "idempotency_conflict");
  }
  t.like(await balance(), { balance: 150 });
});

test("only admins adjust and erase (403); bad bodies are 400 naming the field", async (t) => {
  const { rig, rawAdminApi, adminApi, balance } = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  const customer = { claims: { sub: "u-1" } };
  const asCustomer = (event: ReturnType<typeof adjust>) => ({
    ...event,
    requestContext: { ...event.requestContext, authorizer: { claims: customer.claims } },
  });
  for (const event of [adjust({ adjustmentId: "a", points: 1000, reason: "me" }), erase("u-1")]) {
    t.is((await rawAdminApi(asCustomer(event))).statusCode, 403, "a customer, even for themselves");
    t.is((await rawAdminApi(signedBy(event, "arn:aws:iam::123456789012:role/someone-else"))).statusCode, 403, "an unlisted signer");
    t.is((await rawAdminApi(event)).statusCode, 403, "no claims and no signer");
  }
  const groupMember = { ...adjust({ adjustmentId: "a-group", points: 5, reason: "support" }) };
  const asMember = {
    ...groupMember,
    requestContext: { ...groupMember.requestContext, authorizer: { claims: { sub: "agent-7", "cognito:groups": ADMINS } } },
  };
  const made = await rawAdminApi(asMember);
  t.is(made.statusCode, 201);
  t.is(bodyOf(made).actor, "agent-7", "a Cognito admin is recorded by sub");
  for (const [body, field] of [
    [{ adjustmentId: "a", points: 0, reason: "x" }, "points: must not be 0"],
    [{ adjustmentId: "a", points: 1.5, reason: "x" }, "points: must be a whole number"],
    [{ adjustmentId: "a", points: 1, reason: "" }, "reason: must not be empty"],
    [{ adjustmentId: "a", points: 1, reason: "x".repeat(501) }, "reason: must be at most 500"],
    [{ adjustmentId: "a", points: 1 }, "reason:"],
    [{ adjustmentId: "a", points: -1, reason: "x", allowNegative: "yes" }, "allowNegative: must be true or false"],
  ] as const) {
    const response = await adminApi(adjust(body));
    t.is(response.statusCode, 400);
    t.true(bodyOf(response).error?.message.startsWith(field), bodyOf(response).error?.message);
  }
  t.true((await adminApi(adjust({ adjustmentId: "a", points: 1, reason: "x".repeat(500) }))).statusCode === 201, "500 characters is fine");
  t.like(await balance(), { balance: 106 });
});

const HEAVY = "heavy-customer-7f3a";
/**
 * The heavy customer's entries, and the erasure's page of keys: many pages, none a whole number
 * of 25-key batches, so deletes carry over from page to page. The same erasure of 10,000 entries
 * at DynamoDB's own page size is measured by `npm run bench`.
 */
const ENTRIES = 300;
const PAGE = 40;

/** A customer with real orders (lots expiring on two days), a parked refund, a redemption (and their count of its reward), and ENTRIES entries. */
async function heavyCustomer() {
  const context = await setup({ pendingDays: 0, expiryDays: 365 }, PAGE);
  const { harness, rig } = context;
  await rig.order({ orderId: "real-1", userId: HEAVY, amount: 10_000, completedAt: START });
  rig.at("2026-03-05T10:00:00.000Z");
  await rig.order({ orderId: "real-2", userId: HEAVY, amount: 5_000, completedAt: "2026-03-05T09:00:00.000Z" });
  await rig.refund({ orderId: "not-yet", userId: HEAVY, refundId: "rf-1", amount: 1_000 });
  await rig.redeem("r-1", 20, HEAVY);
  await rig.order({ orderId: "other-1", userId: "u-2", amount: 4_200, completedAt: START });
  await writeEarnEntries(harness.documents, harness.tableName, HEAVY, ENTRIES, { recordedAt: START, idDigits: 5 });
  harness.requests.length = 0;
  return context;
}

test(`erasing a customer with ${ENTRIES} entries over pages of ${PAGE} keys leaves no item holding the id, only a tombstone; the API then knows them not`, async (t) => {
  const { harness, adminApi, balance, history, logs } = await heavyCustomer();
  const before = (await itemsHolding(harness, HEAVY)).length;
  harness.requests.length = 0;

  const response = await adminApi(erase(HEAVY));
  t.is(response.statusCode, 200);
  t.deepEqual(bodyOf(response), { userId: HEAVY, erased: true, pointsRemoved: 130, erasedAt: "2026-03-05T10:00:00.000Z" });

  const counts: Record<string, number> = {};
  for (const operation of harness.requests) counts[operation] = (counts[operation] ?? 0) + 1;
  t.is(
    before,
    ENTRIES + 7 + 2,
    "the entries, the balance, 2 orders, a parked refund and its order's early note, a redemption and the count of its reward, and 2 expiry index items",
  );
  // The balance, the tombstone with its check that the balance is as read, the balance again (its
  // lots name the index days); the pages of keys; every other item (the two expiry index items
  // among them) in batches of 25; the balance item alone, last.
  const batches = Math.ceil((before - 1) / 25) + 1;
  t.like(counts, { GetItem: 2, TransactWriteItems: 1, PutItem: undefined, BatchWriteItem: batches });
  // The partition (all but the 2 index items) a page at a time; a full last page is followed by an empty one.
  const partition = before - 2;
  t.is(counts.Query, Math.floor(partition / PAGE) + 1, "one query per page of keys");
  t.is(harness.requests.length, 3 + (counts.Query ?? 0) + batches);
  t.log(`erasing ${before} items: ${harness.requests.length} requests (${JSON.stringify(counts)})`);

  const left = await scanAll(harness);
  t.deepEqual(
    left.filter((item) => JSON.stringify(item).includes(HEAVY)),
    [],
    "no item holds the id in clear",
  );
  t.like(
    left.find((item) => item.pk === erasedPk(HEAVY)),
    { sk: TOMBSTONE_SK, pointsRemoved: 130, erasedAt: "2026-03-05T10:00:00.000Z" },
  );
  t.true(
    left.some((item) => item.pk === "USER#u-2"),
    "other customers stay",
  );
  t.deepEqual(await balance(HEAVY), {
    userId: HEAVY,
    balance: 0,
    pending: 0,
    lifetimeEarned: 0,
    updatedAt: null,
    nextRelease: null,
    nextExpiry: null,
  });
  t.deepEqual(await history(HEAVY), []);
  const erased = logs().find((line) => line.message === "customer erased");
  // And the release index key of today's lot, sent though never written (its points were spendable at once).
  t.like(erased, { tombstone: erasedPk(HEAVY), pointsRemoved: 130, itemsDeleted: before + 1 });
  t.false(JSON.stringify(logs()).includes(HEAVY), "the log names the tombstone, not the id");

  harness.requests.length = 0;
  const again = await adminApi(erase(HEAVY));
  t.deepEqual(bodyOf(again), bodyOf(response), "erasing again answers the same");
  t.deepEqual(harness.requests, ["GetItem", "TransactWriteItems", "GetItem", "Query"], "and costs four requests");
});

test("after an erasure the customer's events are acknowledged and dropped, and adjustments refused", async (t) => {
  const { harness, rig, adminApi, balance } = await setup({ pendingDays: 0, expiryDays: 365 });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  t.deepEqual(
    (await rig.write(sqsBatch(sqsRecord(customerDeleted("u-1", START, "del-u-1"))))).batchItemFailures,
    [],
    "the platform's Customer Deleted erases",
  );

  // Replays and late events: the order again, a new order, a refund, a close, the deletion again.
  t.deepEqual(await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START }), []);
  t.deepEqual(await rig.order({ orderId: "o-2", userId: "u-1", amount: 5_000, completedAt: START }), []);
  t.deepEqual(await rig.refund({ orderId: "o-1", userId: "u-1", refundId: "rf-1", amount: 1_000 }), []);
  t.deepEqual(await rig.windowClosed({ orderId: "o-2", userId: "u-1", closedAt: START }), []);
  t.deepEqual((await rig.write(sqsBatch(sqsRecord(customerDeleted("u-1", START, "del-u-1"))))).batchItemFailures, []);
  t.deepEqual(rig.outcomes(), [
    ["credited", 100],
    ["erased", 100],
    ["erased", 0],
    ["erased", 0],
    ["erased", 0],
    ["erased", 0],
    ["erased", 100],
  ]);
  const refused = await adminApi(adjust({ adjustmentId: "adj-1", points: 10, reason: "goodwill" }));
  t.is(refused.statusCode, 409);
  t.is(bodyOf(refused).error?.code, "customer_erased");
  const left = await scanAll(harness);
  t.deepEqual(
    left.map((item) => item.pk),
    [erasedPk("u-1")],
    "only the tombstone",
  );
  t.like(await balance(), { balance: 0, lifetimeEarned: 0, updatedAt: null });
});

test("the writer erases on Customer Deleted and drops the customer's later events in one request each; its log lines name the tombstone, not the id", async (t) => {
  const harness = await createHarness(dynamo);
  const { write, logs } = createTestWriter(harness);
  const deleted = customerDeleted("gone-1", START, "del-1");
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-1", userId: "gone-1", amount: 1_000 }))));
  t.deepEqual((await write(sqsBatch(sqsRecord(deleted)))).batchItemFailures, []);
  harness.requests.length = 0;
  t.deepEqual(
    (await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-2", userId: "gone-1", amount: 1_000 }))))).batchItemFailures,
    [],
  );
  t.deepEqual(harness.requests, ["TransactWriteItems"], "a dropped order costs what a credited one does");
  const [, erasedLine, droppedLine] = logs();
  t.like(erasedLine, { outcome: "erased", points: 10, tombstone: erasedPk("gone-1"), userId: undefined });
  t.like(droppedLine, { outcome: "erased", points: 0, tombstone: erasedPk("gone-1"), orderId: "o-2" });
  t.false(JSON.stringify([erasedLine, droppedLine]).includes("gone-1"));
});

test("an erasure that fails half-way finishes when retried", async (t) => {
  const { harness, adminApi } = await heavyCustomer();
  const before = (await itemsHolding(harness, HEAVY)).length;
  harness.requests.length = 0;
  harness.inject({
    operation: "BatchWriteItem",
    match: `ORDER#o-${String(ENTRIES / 2).padStart(5, "0")}`,
    when: "before",
    error: serviceError("InternalServerError"),
  });
  const failed = await adminApi(erase(HEAVY));
  t.is(failed.statusCode, 500);
  const halfway = await itemsHolding(harness, HEAVY);
  t.true(halfway.length > 0 && halfway.length < before, `${halfway.length} of ${before} items left`);
  t.true(
    halfway.some((item) => item.sk === "BALANCE"),
    "the balance item goes last, so a retry knows the lots",
  );

  // A response lost after DynamoDB deleted the batch: the retry finds those items gone.
  harness.inject({ operation: "BatchWriteItem", when: "after", error: serviceError("InternalServerError") });
  t.is((await adminApi(erase(HEAVY))).statusCode, 500);

  const finished = await adminApi(erase(HEAVY));
  t.is(finished.statusCode, 200);
  t.like(bodyOf(finished), { pointsRemoved: 130, erasedAt: "2026-03-05T10:00:00.000Z" });
  t.deepEqual(await itemsHolding(harness, HEAVY), []);
});

test("a balance item the ledger cannot read does not keep its customer from being erased", async (t) => {
  const { harness, adminApi } = await setup();
  const damaged = { pk: "USER#u-damaged", sk: "BALANCE", lifetimeEarned: "not a number", "lot_2026-01-01_2027-01-01": 5 };
  const index = { pk: `EXPIRES#2027-01-01#${indexShardOf("u-damaged")}`, sk: "USER#u-damaged" };
  await harness.documents.send(
    new BatchWriteCommand({ RequestItems: { [harness.tableName]: [{ PutRequest: { Item: damaged } }, { PutRequest: { Item: index } }] } }),
  );
  const response = await adminApi(erase("u-damaged"));
  t.is(response.statusCode, 200);
  t.like(bodyOf(response), { erased: true, pointsRemoved: 0 });
  t.deepEqual(await itemsHolding(harness, "u-damaged"), [], "its expiry index item too, found by the lot's name");
});

test("erasing someone the ledger never knew leaves a tombstone and removes nothing", async (t) => {
  const { harness, adminApi } = await setup();
  const response = await adminApi(erase("never-seen"));
  t.like(bodyOf(response), { erased: true, pointsRemoved: 0 });
  t.deepEqual(harness.requests, ["GetItem", "TransactWriteItems", "GetItem", "Query"]);
  t.truthy(await itemOf(harness, erasedPk("never-seen"), TOMBSTONE_SK));
});

const RACER = "racer-4e1b";

/**
 * Runs `work` just before the request that writes the erasure's tombstone, the only one that
 * carries `pointsRemoved`: whichever request the erasure writes it with, `work` lands between
 * its read of the customer and its tombstone.
 */
function beforeTombstone(harness: Harness, work: () => Promise<unknown>): { ran: () => boolean } {
  let ran = false;
  const run = async () => {
    ran = true;
    await work();
  };
  for (const operation of ["PutItem", "TransactWriteItems"]) harness.interleave({ operation, match: "pointsRemoved", run });
  return { ran: () => ran };
}

type Context = Awaited<ReturnType<typeof setup>>;

/** The two ways to erase a customer; each gives the points it reports removed. */
const erasures = {
  "DELETE /points/{userId}": async ({ adminApi }: Context) => {
    const response = await adminApi(erase(RACER));
    if (response.statusCode !== 200) throw new Error(`the erasure answered ${response.statusCode}`);
    return bodyOf(response).pointsRemoved;
  },
  "Customer Deleted": async ({ rig }: Context) => {
    const { batchItemFailures } = await rig.write(sqsBatch(sqsRecord(customerDeleted(RACER, START, `del-${RACER}`))));
    if (batchItemFailures.length > 0) throw new Error("the deletion was not acknowledged");
    return rig.outcomes().at(-1)?.[1];
  },
};

/** What lands for the customer on another day than their first order, so its lot names days the first read never saw. */
const racers = {
  "an order's credit": ({ rig }: Context) =>
    rig.order({ orderId: "o-raced", userId: RACER, amount: 5_000, completedAt: "2026-03-05T09:00:00.000Z" }),
  "an admin's grant": ({ adminApi }: Context) => adminApi(adjust({ adjustmentId: "adj-raced", points: 50, reason: "goodwill" }, RACER)),
};

for (const [path, eraseBy] of Object.entries(erasures)) {
  for (const [raced, race] of Object.entries(racers)) {
    for (const known of [true, false]) {
      const who = known ? "" : ", for a customer the ledger did not know yet";
      test(`${raced} landing between the erasure's read and its tombstone (${path}${who}) is erased too, and counted`, async (t) => {
        const context = await setup({ pendingDays: 14, expiryDays: 365 });
        const { harness, rig, balance, history } = context;
        if (known) await rig.order({ orderId: "o-1", userId: RACER, amount: 10_000, completedAt: START });
        rig.at("2026-03-05T10:00:00.000Z");
        const racing = beforeTombstone(harness, () => race(context));

        const pointsRemoved = await eraseBy(context);
        t.true(racing.ran(), "the race was run");
        t.deepEqual(await itemsHolding(harness, RACER), [], "no item of the customer is left, nor an index item naming them");
        const held = known ? 150 : 50;
        t.is(pointsRemoved, held, "the points held, and the 50 that landed meanwhile");
        t.like(await itemOf(harness, erasedPk(RACER), TOMBSTONE_SK), { pointsRemoved: held, erasedAt: "2026-03-05T10:00:00.000Z" });
        t.like(await balance(RACER), { balance: 0, pending: 0, lifetimeEarned: 0 });
        t.deepEqual(await history(RACER), []);
      });
    }
  }
}

test("a take for an erased customer is refused as customer_erased, not insufficient_points", async (t) => {
  const { rig, adminApi } = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: START });
  t.is((await adminApi(erase("u-1"))).statusCode, 200);
  for (const allowNegative of [false, true]) {
    const refused = await adminApi(
      adjust({ adjustmentId: `adj-take-${String(allowNegative)}`, points: -10, reason: "fraud", allowNegative }),
    );
    t.is(refused.statusCode, 409);
    t.is(bodyOf(refused).error?.code, "customer_erased", `allowNegative: ${String(allowNegative)}`);
  }
});

/** What changes an order the customer already has: it finds the order, as the erasure has not deleted it yet. */
const changesOfAnOrder = {
  "a refund": ({ rig }: Context) => rig.refund({ orderId: "o-1", userId: RACER, refundId: "rf-1", amount: 1_000 }),
  "a return window's close": ({ rig }: Context) =>
    rig.windowClosed({ orderId: "o-1", userId: RACER, closedAt: "2026-03-01T12:00:00.000Z" }),
};

for (const [change, land] of Object.entries(changesOfAnOrder)) {
  test(`${change} of an order that lands while the erasure deletes the partition writes nothing behind it`, async (t) => {
    const context = await setup({ pendingDays: 14, expiryDays: 365 });
    const { harness, rig, adminApi } = context;
    await rig.order({ orderId: "o-1", userId: RACER, amount: 10_000, completedAt: START });
    // After the tombstone and the partition's keys were read, before the first delete.
    harness.interleave({ operation: "BatchWriteItem", run: () => land(context) });
    const response = await adminApi(erase(RACER));
    t.is(response.statusCode, 200);
    t.like(bodyOf(response), { pointsRemoved: 100 });
    t.deepEqual(await itemsHolding(harness, RACER), [], "no entry, notice or index item of the customer is left");
    t.deepEqual(rig.outcomes().at(-1), ["erased", 0], "dropped, as for an erased customer");
  });
}

test("the settle expiring a customer's lot while the erasure deletes the partition writes nothing behind it", async (t) => {
  const { harness, rig, adminApi } = await setup({ pendingDays: 0, expiryDays: 10 });
  await rig.order({ orderId: "o-1", userId: RACER, amount: 10_000, completedAt: START }); // expires 2026-03-11
  rig.at("2026-03-11T00:15:00.000Z");
  let settled: Awaited<ReturnType<typeof rig.settle.settleDay>> | undefined;
  // After the tombstone and the partition's keys were read, before the first delete: the settle finds the customer in the day's index.
  harness.interleave({ operation: "BatchWriteItem", run: async () => (settled = await rig.settle.settleDay("2026-03-11", rig.now())) });
  t.is((await adminApi(erase(RACER))).statusCode, 200);
  t.deepEqual(await itemsHolding(harness, RACER), [], "no expiry entry, and no balance item, of the customer is left");
  t.like(settled, { customers: 1, entries: 0, points: 0 });
});

test("the settle's release notice for a customer erased since it read the day's index writes nothing behind the erasure", async (t) => {
  const { harness, rig, adminApi } = await setup({ pendingDays: 14, expiryDays: 365 });
  await rig.order({ orderId: "o-1", userId: RACER, amount: 10_000, completedAt: START }); // released 2026-03-16
  rig.at("2026-03-16T00:15:00.000Z");
  let settled: Awaited<ReturnType<typeof rig.settle.settleDay>> | undefined;
  harness.interleave({ operation: "BatchWriteItem", run: async () => (settled = await rig.settle.settleDay("2026-03-16", rig.now())) });
  t.is((await adminApi(erase(RACER))).statusCode, 200);
  t.deepEqual(await itemsHolding(harness, RACER), [], "no notice of the customer is left");
  t.like(settled?.released, { customers: 0, points: 0 });
});
