/**
 * The reader against a real DynamoDB: balances, history pages, authorization and every
 * refusal, as API Gateway's Lambda proxy integration would deliver the requests.
 */
import test from "ava";
import type { APIGatewayProxyResult } from "aws-lambda";
import { mayActAsAdmin, mayActForUser, mayUseAdminTree } from "../handlers/http/caller";
import { ADMIN_PREFIX } from "../handlers/http/routes";
import { configuredAdminPrincipals, InvalidEnvironmentError, readEnv } from "../handlers/runtime/env";
import { createLogger } from "../handlers/runtime/log";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { createReadApi } from "../handlers/reader/read-api";
import { apiEvent, balanceRequest, historyRequest } from "./support/api-events";
import { createHarness, serviceError } from "./support/dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { ADMIN_BACKEND, asAdminBackend, signedBy } from "./support/iam-caller";
import { createTestWriter } from "./support/writer-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

// As the stack sets it: the SigV4 callers that are admins. Requests in these tests come from
// this backend unless they carry Cognito claims or another signer.
process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND, "arn:aws:iam::123456789012:user/support-tool"]);

const dynamo = useDynamoLocal();

interface ReaderOptions {
  allowedOrigins?: string[];
  adminGroup?: string;
}

async function setup(options: ReaderOptions = {}) {
  const harness = await createHarness(dynamo);
  const { write, ledger } = createTestWriter(harness);
  const logLines: string[] = [];
  const api = createReadApi({
    ledger,
    rewards: new DynamoRewards(harness.documents, harness.tableName),
    logger: createLogger("info", (line) => logLines.push(line)),
    allowedOrigins: options.allowedOrigins ?? [],
    adminGroup: options.adminGroup,
  });
  return { harness, write, read: asAdminBackend(api), api, logLines };
}

const bodyOf = (response: APIGatewayProxyResult): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

function assertError(t: import("ava").ExecutionContext, response: APIGatewayProxyResult, status: number, code: string) {
  t.is(response.statusCode, status);
  const body = bodyOf(response) as { error?: { code?: string; message?: string } };
  t.is(body.error?.code, code);
  t.is(typeof body.error?.message, "string");
  t.is(response.headers?.["Content-Type"], "application/json; charset=utf-8");
}

test("a user with no entries has a zero balance", async (t) => {
  const { read } = await setup();
  const response = await read(balanceRequest("nobody"));

  t.is(response.statusCode, 200);
  // Contract change (lifecycle): the answer gains pending, nextRelease and nextExpiry.
  t.deepEqual(bodyOf(response), {
    userId: "nobody",
    balance: 0,
    pending: 0,
    lifetimeEarned: 0,
    updatedAt: null,
    nextRelease: null,
    nextExpiry: null,
  });
  t.like(response.headers, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
});

test("the balance shows earned minus reversed, and every point ever earned", async (t) => {
  const { read, write } = await setup();
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-1", userId: "u-1", amount: 10_000 }))));
  await write(sqsBatch(sqsRecord(orderCompleted({ orderId: "o-2", userId: "u-1", amount: 4_000 }))));
  await write(sqsBatch(sqsRecord(orderRefunded({ orderId: "o-1", userId: "u-1", refundId: "r", amount: 2_500 }))));

  t.deepEqual(bodyOf(await read(balanceRequest("u-1"))), {
    userId: "u-1",
    balance: 115,
    pending: 0,
    lifetimeEarned: 140,
    updatedAt: "2026-11-24T12:00:00.000Z",
    nextRelease: null,
    nextExpiry: null,
  });
});

test("history pages run newest first with no gaps or repeats, equal times included", async (t) => {
  const { read, write, harness } = await setup();
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
  const events = [
    ...Array.from({ length: 30 }, (_, i) =>
      orderCompleted({ orderId: `o-${String(i).padStart(2, "0")}`, userId: "u-1", amount: 1_000 + i, completedAt: at(i) }),
    ),
    // Two orders in the same millisecond must both show.
    orderCompleted({ orderId: "same-a", userId: "u-1", amount: 500, completedAt: at(15) }),
    orderCompleted({ orderId: "same-b", userId: "u-1", amount: 500, completedAt: at(15) }),
    ...[3, 7, 11, 20, 29].map((i) =>
      orderRefunded({ orderId: `o-${String(i).padStart(2, "0")}`, userId: "u-1", refundId: "r", amount: 100, refundedAt: at(40 + i) }),
    ),
    orderCompleted({ orderId: "other-user", userId: "u-2", amount: 100_000, completedAt: at(50) }),
  ];
  for (const event of events) {
    t.deepEqual((await write(sqsBatch(sqsRecord(event)))).batchItemFailures, []);
  }

  const seen: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  let pages = 0;
  harness.requests.length = 0;
  do {
    const query: Record<string, string> = { limit: "7", ...(cursor ? { cursor } : {}) };
    const response = await read(historyRequest("u-1", { query }));
    t.is(response.statusCode, 200);
    const body = bodyOf(response) as { items: Array<Record<string, unknown>>; nextCursor: string | null };
    t.true(body.items.length <= 7);
    seen.push(...body.items);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);

  t.is(seen.length, 37);
  t.is(pages, 6); // 37 entries / 7 per page, and no empty last page
  t.deepEqual(harness.requests, Array(6).fill("Query")); // one request per page
  const key = (item: Record<string, unknown>) =>
    `${String(item.occurredAt)}#${item.type === "earn" ? `ORDER#${String(item.orderId)}` : `REFUND#${String(item.orderId)}#${String(item.refundId)}`}`;
  const keys = seen.map(key);
  t.deepEqual(keys, [...keys].sort().reverse());
  t.is(new Set(keys).size, 37);
  t.false(seen.some((item) => item.orderId === "other-user"));
  t.true(seen.some((item) => item.orderId === "same-a") && seen.some((item) => item.orderId === "same-b"));
  t.deepEqual(seen[0], {
    type: "refund",
    orderId: "o-29",
    refundId: "r",
    points: -1,
    amount: { amount: 100, currency: "EUR" },
    occurredAt: at(69),
  });
  t.like(
    seen.find((item) => item.orderId === "o-29" && item.type === "earn"),
    { points: 10, reversedPoints: 1, amount: { amount: 1_029, currency: "EUR" } },
  );
});

test("history without a limit returns 20 entries; an unknown user's history is empty", async (t) => {
  const { read, write } = await setup();
  for (let i = 0; i < 25; i++) {
    await write(sqsBatch(sqsRecord(orderCompleted({ orderId: `o-${i}`, userId: "u-1", amount: 100 }))));
  }
  const first = bodyOf(await read(historyRequest("u-1"))) as { items: unknown[]; nextCursor: string | null };
  t.is(first.items.length, 20);
  t.is(typeof first.nextCursor, "string");
  t.deepEqual(bodyOf(await read(historyRequest("nobody"))), { items: [], nextCursor: null });
});

test("invalid user ids are refused with 400", async (t) => {
  const { read } = await setup();
  for (const userId of ["", "a".repeat(129), "a/b", "a b", "ü", "USER#x"]) {
    const response = await read(balanceRequest(userId));
    assertError(t, response, 400, "invalid_user_id");
    t.regex(String((bodyOf(response).error as { message: string }).message), /^userId: /);
  }
  assertError(t, await read(historyRequest("a b")), 400, "invalid_user_id");
});

test("invalid limits and cursors are refused with 400 naming the parameter", async (t) => {
  const { read } = await setup();
  for (const limit of ["0", "101", "abc", "1.5", "-1", "", "1000"]) {
    const response = await read(historyRequest("u-1", { query: { limit } }));
    assertError(t, response, 400, "invalid_query");
    t.regex(String((bodyOf(response).error as { message: string }).message), /limit/, `limit=${limit}`);
  }
  for (const cursor of ["garbage", Buffer.from("{}").toString("base64url"), "x".repeat(2000)]) {
    const response = await read(historyRequest("u-1", { query: { cursor } }));
    t.is(response.statusCode, 400, `cursor=${cursor.slice(0, 20)}`);
  }
  assertError(t, await read(historyRequest("u-1", { query: { cursor: "garbage" } })), 400, "invalid_cursor");
});

test("a customer reads only their own points; the admin group reads anyone's", async (t) => {
  const { read } = await setup({ adminGroup: "loyalty-admins" });
  const own = await read(balanceRequest("u-1", { claims: { sub: "u-1" } }));
  t.is(own.statusCode, 200);

  assertError(t, await read(balanceRequest("u-1", { claims: { sub: "u-2" } })), 403, "forbidden");
  assertError(t, await read(historyRequest("u-1", { claims: { sub: "u-2" } })), 403, "forbidden");
  assertError(t, await read(balanceRequest("u-1", { claims: { sub: "u-2", "cognito:groups": "shoppers" } })), 403, "forbidden");

  const admin = await read(balanceRequest("u-1", { claims: { sub: "ops-7", "cognito:groups": "shoppers,loyalty-admins" } }));
  t.is(admin.statusCode, 200);
  t.like(bodyOf(admin), { userId: "u-1" });
  t.is((await read(historyRequest("u-1", { claims: { sub: "ops-7", "cognito:groups": "loyalty-admins" } }))).statusCode, 200);
});

test("without an admin group configured, nobody reads another user's points", async (t) => {
  const { read } = await setup();
  const response = await read(balanceRequest("u-1", { claims: { sub: "ops-7", "cognito:groups": "loyalty-admins" } }));
  assertError(t, response, 403, "forbidden");
});

test("unknown routes are 404 and other methods 405, as JSON", async (t) => {
  const { read } = await setup();
  assertError(t, await read(apiEvent({ resource: "/balances/{userId}", pathParameters: { userId: "u-1" } })), 404, "not_found");
  const post = await read(balanceRequest("u-1", { method: "POST" }));
  assertError(t, post, 405, "method_not_allowed");
  t.is(post.headers?.Allow, "GET, DELETE, OPTIONS", "every method of the resource, whichever function serves it");
  assertError(t, await read(historyRequest("u-1", { method: "DELETE" })), 405, "method_not_allowed");
});

test("CORS: allowed origins are echoed, others are not, preflight is answered", async (t) => {
  const { read } = await setup({ allowedOrigins: ["https://www.otrium.com", "https://app.otrium.com"] });

  const allowed = await read(balanceRequest("u-1", { headers: { Origin: "https://app.otrium.com" } }));
  t.like(allowed.headers, { "Access-Control-Allow-Origin": "https://app.otrium.com", Vary: "Origin" });

  const other = await read(balanceRequest("u-1", { headers: { origin: "https://evil.example" } }));
  t.is(other.statusCode, 200);
  t.is(other.headers?.["Access-Control-Allow-Origin"], undefined);

  const refused = await read(balanceRequest("bad id", { headers: { origin: "https://www.otrium.com" } }));
  t.is(refused.headers?.["Access-Control-Allow-Origin"], "https://www.otrium.com");

  const preflight = await read(historyRequest("u-1", { method: "OPTIONS", headers: { origin: "https://www.otrium.com" } }));
  t.is(preflight.statusCode, 204);
  t.like(preflight.headers, { "Access-Control-Allow-Methods": "GET, OPTIONS" });
});

test("a DynamoDB failure is a 500 with a request id and no internals", async (t) => {
  const { read, harness, logLines } = await setup();
  harness.inject({ operation: "GetItem", when: "before", error: serviceError("InternalServerError") });

  const request = balanceRequest("u-1");
  const response = await read(request);

  assertError(t, response, 500, "internal_error");
  t.true(response.body.includes(request.requestContext.requestId));
  t.false(/InternalServerError|at .*\.ts|stack/i.test(response.body));
  t.is(logLines.length, 1);
  t.like(JSON.parse(logLines[0] ?? "{}"), { level: "error", requestId: request.requestContext.requestId });
});

test("cost: a balance is one read, a history page one query", async (t) => {
  const { read, harness } = await setup();
  await read(balanceRequest("u-1"));
  t.deepEqual(harness.requests, ["GetItem"]);
  harness.requests.length = 0;
  await read(historyRequest("u-1"));
  t.deepEqual(harness.requests, ["Query"]);
});

test("IAM callers: an admin only when listed (as a user, or as the role of its session); no claims and no ARN is nobody", async (t) => {
  const { api } = await setup({ adminGroup: "loyalty-admins" });
  t.is((await api(signedBy(balanceRequest("u-1"), ADMIN_BACKEND))).statusCode, 200);
  t.is((await api(signedBy(historyRequest("u-1"), "arn:aws:iam::123456789012:user/support-tool"))).statusCode, 200);
  t.is(
    (await api(signedBy(balanceRequest("u-1"), "arn:aws:sts::123456789012:assumed-role/customer-service-backend/session-7"))).statusCode,
    200,
  );
  for (const userArn of [
    "arn:aws:iam::123456789012:role/some-other-backend",
    "arn:aws:sts::123456789012:assumed-role/some-other-backend/session-7",
    "arn:aws:iam::999999999999:role/customer-service-backend",
  ]) {
    assertError(t, await api(signedBy(balanceRequest("u-1"), userArn)), 403, "forbidden");
  }
  // Neither claims nor a signer (what an open API delivers): no admin, no one's points.
  assertError(t, await api(balanceRequest("u-1")), 403, "forbidden");
  assertError(t, await api(historyRequest("u-1")), 403, "forbidden");
  // Claims decide for Cognito callers, whatever else the request carries.
  assertError(t, await api(signedBy(balanceRequest("u-1", { claims: { sub: "u-2" } }), ADMIN_BACKEND)), 403, "forbidden");
});

/** `request` sent to the same route under `/admin`, the backends' tree. */
const underAdmin = (event: ReturnType<typeof balanceRequest>) => ({
  ...event,
  resource: `${ADMIN_PREFIX}${event.resource}`,
  path: `${ADMIN_PREFIX}${event.path}`,
});

test("the /admin tree serves the same routes to listed SigV4 signers only: not to other signers, nor to Cognito users of the admin group", async (t) => {
  const { api, write } = await setup({ adminGroup: "loyalty-admins", allowedOrigins: ["https://www.otrium.com"] });
  await write(sqsBatch(sqsRecord(orderCompleted({ userId: "u-1", orderId: "o-1", amount: 4_200 }))));
  const read = await api(signedBy(underAdmin(balanceRequest("u-1")), ADMIN_BACKEND));
  t.is(read.statusCode, 200);
  t.is(bodyOf(read).balance, 42);
  t.is(
    (await api(signedBy(underAdmin(historyRequest("u-1")), "arn:aws:sts::123456789012:assumed-role/customer-service-backend/s-1")))
      .statusCode,
    200,
  );
  const refusals = {
    "an unlisted signer": signedBy(underAdmin(balanceRequest("u-1")), "arn:aws:iam::123456789012:role/reporting"),
    "the customer themself": underAdmin(balanceRequest("u-1", { claims: { sub: "u-1" } })),
    "the admin group": underAdmin(balanceRequest("u-1", { claims: { sub: "ops", "cognito:groups": "loyalty-admins" } })),
    "claims beside a listed signer": signedBy(underAdmin(balanceRequest("u-1", { claims: { sub: "u-1" } })), ADMIN_BACKEND),
    nobody: underAdmin(balanceRequest("u-1")),
  };
  for (const [who, event] of Object.entries(refusals)) {
    const answer = await api(event);
    assertError(t, answer, 403, "forbidden");
    t.regex(String((bodyOf(answer).error as { message?: string }).message), /adminPrincipals/, who);
  }
  // Backends send no preflights: the admin tree has none, and lists none in Allow.
  const preflight = await api(underAdmin(balanceRequest("u-1", { method: "OPTIONS", headers: { origin: "https://www.otrium.com" } })));
  assertError(t, preflight, 405, "method_not_allowed");
  t.is(preflight.headers?.Allow, "GET, DELETE", "every method of the resource, and no OPTIONS");
});

test("a listed role is known by its sessions whatever its path (a role's name is unique in its account); another account's role of the same name is not", (t) => {
  const listed = ["arn:aws:iam::123456789012:role/support/tools/refunds-bot"];
  const session = (arn: string) => signedBy(underAdmin(balanceRequest("u-1")), arn);
  t.true(mayUseAdminTree(session("arn:aws:sts::123456789012:assumed-role/refunds-bot/run-1"), listed));
  t.true(mayUseAdminTree(session("arn:aws:iam::123456789012:role/support/tools/refunds-bot"), listed));
  t.false(mayUseAdminTree(session("arn:aws:sts::999999999999:assumed-role/refunds-bot/run-1"), listed));
  t.false(mayUseAdminTree(session("arn:aws:sts::123456789012:assumed-role/refunds/run-1"), listed));
  t.false(mayUseAdminTree(session("arn:aws:iam::123456789012:user/refunds-bot"), listed));
});

test("the caller checks take the admin principals they are given, else the environment's", (t) => {
  const iamCall = signedBy(balanceRequest("u-1"), "arn:aws:iam::123456789012:role/ops");
  t.false(mayActForUser(iamCall, "u-1"), "not in this process's ADMIN_PRINCIPALS");
  t.true(mayActForUser(iamCall, "u-1", undefined, ["arn:aws:iam::123456789012:role/ops"]));
  t.true(mayActAsAdmin(iamCall, undefined, ["arn:aws:iam::123456789012:role/ops"]));
  t.false(mayActAsAdmin(balanceRequest("u-1"), "loyalty-admins", []));
  t.false(mayActAsAdmin(balanceRequest("u-1", { claims: { sub: "u-1" } }), "loyalty-admins", [ADMIN_BACKEND]));
  t.true(mayActAsAdmin(balanceRequest("u-1", { claims: { sub: "ops", "cognito:groups": "loyalty-admins" } }), "loyalty-admins", []));
});

test("ADMIN_PRINCIPALS: a JSON array of IAM ARNs, none when unset, a bad value fails the init naming it", (t) => {
  const env = { TABLE_NAME: "ledger" };
  t.deepEqual(readEnv(env).ADMIN_PRINCIPALS, []);
  t.deepEqual(readEnv({ ...env, ADMIN_PRINCIPALS: `["${ADMIN_BACKEND}"]` }).ADMIN_PRINCIPALS, [ADMIN_BACKEND]);
  for (const value of ["support", '"arn:aws:iam::123456789012:role/x"', '["support"]', "{}"]) {
    const error = t.throws(() => readEnv({ ...env, ADMIN_PRINCIPALS: value }), { instanceOf: InvalidEnvironmentError }, value);
    t.regex(error?.message ?? "", /ADMIN_PRINCIPALS/, value);
  }
  t.deepEqual(configuredAdminPrincipals({}), []);
  t.deepEqual(configuredAdminPrincipals({ ADMIN_PRINCIPALS: `["${ADMIN_BACKEND}"]` }), [ADMIN_BACKEND]);
  t.throws(() => configuredAdminPrincipals({ ADMIN_PRINCIPALS: "[1]" }), { instanceOf: InvalidEnvironmentError });
});
