/**
 * The document holds against the live API: a client generated from `openapi.json`
 * (openapi-typescript's types and openapi-fetch) drives a real `npm start` (the run's shared one under `npm test`) through every route —
 * credit, read, page, redeem, replay, conflict, cancel, and the refusals — and every answer it
 * gets, success or error, must validate against the document's schema for its route and status.
 * A route or status the document lacks fails.
 */
import { readFileSync } from "node:fs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import test from "ava";
import createClient from "openapi-fetch";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { LOCAL_AWS } from "../local/dynamo-local";
import { OPENAPI_FILE } from "../openapi/generate";
import type { paths } from "./support/loyalty-api";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { runningLoop } from "./support/npm-start";
import { answerChecker } from "./support/openapi-answers";

// Serial: ava runs hooks of one kind concurrently; this check must follow every other hook.
test.serial.after.always(assertNoJvmLeft);

const USER = "contract-ana";
const orders = [
  { orderId: "contract-o-1", total: { amount: 12995, currency: "EUR" }, completedAt: "2026-11-24T10:00:00Z" },
  { orderId: "contract-o-2", total: { amount: 5000, currency: "EUR" }, completedAt: "2026-11-24T11:00:00Z" },
];
/** A customer's claims, as a Cognito authorizer passes them (the local runtime reads this header). */
const as = (sub: string) => ({ "X-Local-Claims": JSON.stringify({ sub }) });

test("a client generated from openapi.json works against npm start, and every answer is one the document describes", async (t) => {
  const { endpoint: baseUrl } = await runningLoop(t);

  const served = await fetch(`${baseUrl}/openapi.json`);
  t.is(served.status, 200);
  const text = await served.text();
  t.is(text, readFileSync(OPENAPI_FILE, "utf8"), "the runtime serves the committed document");
  const check = answerChecker(JSON.parse(text));

  const answered: string[] = [];
  const problems: string[] = [];
  const client = createClient<paths>({ baseUrl });
  client.use({
    async onResponse({ request, response, schemaPath }) {
      const verdict = check(schemaPath, request.method, String(response.status), await response.clone().json());
      answered.push(`${request.method} ${schemaPath} ${response.status}`);
      if (!verdict.ok) problems.push(verdict.problem);
    },
  });

  // Credit: the platform publishes two orders through EventBridge's own client.
  const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: baseUrl });
  t.teardown(() => eventBridge.destroy());
  const published = await eventBridge.send(
    new PutEventsCommand({
      Entries: orders.map((order) => ({
        Source: "otrium.ecommerce",
        DetailType: DETAIL_TYPES.orderCompleted,
        Detail: JSON.stringify({ ...order, userId: USER }),
      })),
    }),
  );
  t.is(published.FailedEntryCount, 0);

  // Read: the writer works asynchronously, as in AWS.
  const user = { params: { path: { userId: USER } } };
  let balance = await client.GET("/points/{userId}", user);
  for (const deadline = Date.now() + 60_000; balance.data?.balance !== 179 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    balance = await client.GET("/points/{userId}", user);
  }
  t.like(balance.data, { userId: USER, balance: 179, pending: 0, lifetimeEarned: 179, nextRelease: null, nextExpiry: null });
  // npm start runs the dev stack's tiers: the answer carries the tier, checked against the document
  // with the rest. Credited now, the orders count for tiers from the next midnight.
  const tier = balance.data?.tier;
  t.like(tier, { name: "Member", since: null, until: null, next: { name: "Silver" }, pointsToKeep: 0 });
  t.is((tier?.qualifyingPoints ?? 0) + (tier?.next?.pointsNeeded ?? 0), 500);

  // Page the history one entry at a time.
  const first = await client.GET("/points/{userId}/history", { params: { path: { userId: USER }, query: { limit: 1 } } });
  t.is(first.data?.items.length, 1);
  const cursor = first.data?.nextCursor;
  if (typeof cursor !== "string") return t.fail("the first page has a cursor");
  const second = await client.GET("/points/{userId}/history", { params: { path: { userId: USER }, query: { limit: 1, cursor } } });
  t.like(second.data?.items[0], { type: "earn", orderId: "contract-o-1", points: 129 });
  t.is(second.data?.nextCursor, null);

  // The catalogue (an admin: no claims locally): a reward of 100 points, one of 80, one of 10, and
  // a voucher with single-use codes; its codes again are duplicates; a customer may read, not write.
  const reward = (rewardId: string) => ({ params: { path: { rewardId } } });
  for (const [rewardId, pointsCost] of [
    ["contract-100", 100],
    ["contract-80", 80],
    ["contract-10", 10],
  ] as const) {
    const put = await client.PUT("/rewards/{rewardId}", { ...reward(rewardId), body: { title: rewardId, pointsCost, kind: "product" } });
    t.true(put.response.status === 201 || put.response.status === 200, rewardId);
  }
  const voucher = { title: "€5 off", pointsCost: 5, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" } as const;
  t.like((await client.PUT("/rewards/{rewardId}", { ...reward("contract-v5"), body: voucher })).data, {
    rewardId: "contract-v5",
    codes: "pool",
  });
  const codes = { ...reward("contract-v5"), body: { codes: ["CONTRACT-A", "CONTRACT-B"] } };
  t.like((await client.POST("/rewards/{rewardId}/codes", codes)).data, { available: 2 });
  t.like((await client.POST("/rewards/{rewardId}/codes", codes)).data, { added: 0, duplicates: 2, available: 2 });
  t.like((await client.GET("/rewards/{rewardId}", { ...reward("contract-v5"), headers: as(USER) })).data, { available: 2, active: true });
  t.true(((await client.GET("/rewards", { headers: as(USER) })).data?.items ?? []).some((item) => item.rewardId === "contract-v5"));
  t.is((await client.GET("/rewards/{rewardId}", reward("contract-none"))).error?.error.code, "reward_not_found");
  t.is(
    (await client.PUT("/rewards/{rewardId}", { ...reward("contract-v5"), headers: as(USER), body: voucher })).error?.error.code,
    "forbidden",
  );
  t.is(
    (await client.POST("/rewards/{rewardId}/codes", { ...reward("contract-v5"), body: { codes: [] } })).error?.error.code,
    "invalid_request",
  );

  // Redeem, replay, conflict, refuse.
  const redemptions = { params: { path: { userId: USER } } };
  const request = { redemptionId: "contract-r-1", points: 100, rewardId: "contract-100" };
  const redeemed = await client.POST("/points/{userId}/redemptions", { ...redemptions, body: request });
  t.is(redeemed.response.status, 201);
  t.like(redeemed.data, { ...request, userId: USER, balance: 79 });
  const replayed = await client.POST("/points/{userId}/redemptions", { ...redemptions, body: request });
  t.is(replayed.response.status, 200);
  t.deepEqual(replayed.data, redeemed.data);
  const conflict = await client.POST("/points/{userId}/redemptions", { ...redemptions, body: { ...request, points: 99 } });
  t.is(conflict.error?.error.code, "idempotency_conflict");
  const insufficient = await client.POST("/points/{userId}/redemptions", {
    ...redemptions,
    body: { ...request, redemptionId: "contract-r-2", points: 80, rewardId: "contract-80" },
  });
  t.like(insufficient.error, { error: { code: "insufficient_points", balance: 79 } });
  const stale = await client.POST("/points/{userId}/redemptions", {
    ...redemptions,
    body: { ...request, redemptionId: "contract-r-5", points: 90 },
  });
  t.like(stale.error, { error: { code: "price_changed", pointsCost: 100 } });
  const oldShape = await client.POST("/points/{userId}/redemptions", {
    ...redemptions,
    body: { redemptionId: "contract-r-6", points: 10, rewardId: "voucher-10" },
  });
  t.is(oldShape.error?.error.code, "reward_not_found");
  // A pool reward hands out a code, the same on a retry.
  const pool = { redemptionId: "contract-r-7", rewardId: "contract-v5" };
  const withCode = await client.POST("/points/{userId}/redemptions", { ...redemptions, body: pool });
  t.like(withCode.data, { points: 5, balance: 74, reward: { title: "€5 off", kind: "voucher", value: { amount: 500, currency: "EUR" } } });
  t.true(["CONTRACT-A", "CONTRACT-B"].includes(String(withCode.data?.code)));
  t.deepEqual((await client.POST("/points/{userId}/redemptions", { ...redemptions, body: pool })).data, withCode.data);
  // Its cancel gives the points back and voids the code: the reward has one code left, not two.
  const voided = await client.POST("/points/{userId}/redemptions/{redemptionId}/cancel", {
    params: { path: { userId: USER, redemptionId: "contract-r-7" } },
  });
  t.like(voided.data, { pointsReturned: 5, balance: 79 });
  t.like((await client.GET("/rewards/{rewardId}", reward("contract-v5"))).data, { available: 1 });
  const invalid = await client.POST("/points/{userId}/redemptions", {
    ...redemptions,
    body: { ...request, redemptionId: "contract-r-3", points: 0 },
  });
  t.is(invalid.error?.error.code, "invalid_request");
  const othersPoints = await client.POST("/points/{userId}/redemptions", {
    ...redemptions,
    headers: as("contract-bob"),
    body: { ...request, redemptionId: "contract-r-4" },
  });
  t.is(othersPoints.error?.error.code, "forbidden");

  // Reads the router and the reader refuse.
  t.is((await client.GET("/points/{userId}", { params: { path: { userId: "not an id!" } } })).error?.error.code, "invalid_user_id");
  t.is((await client.GET("/points/{userId}", { ...user, headers: as("contract-bob") })).error?.error.code, "forbidden");
  t.is(
    (await client.GET("/points/{userId}/history", { params: { path: { userId: USER }, query: { limit: 0 } } })).error?.error.code,
    "invalid_query",
  );
  t.is(
    (await client.GET("/points/{userId}/history", { params: { path: { userId: USER }, query: { cursor: "bm90LWEtY3Vyc29y" } } })).error
      ?.error.code,
    "invalid_cursor",
  );

  // Cancel (an admin: no claims locally), twice, and the refusals.
  const cancel = (redemptionId: string, headers: Record<string, string> = {}) =>
    client.POST("/points/{userId}/redemptions/{redemptionId}/cancel", { params: { path: { userId: USER, redemptionId } }, headers });
  const cancelled = await cancel("contract-r-1");
  t.like(cancelled.data, { redemptionId: "contract-r-1", pointsReturned: 100, balance: 179 });
  t.deepEqual((await cancel("contract-r-1")).data, cancelled.data);
  t.is((await cancel("contract-r-9")).error?.error.code, "redemption_not_found");
  t.is((await cancel("contract-r-1", as(USER))).error?.error.code, "forbidden");
  t.is((await cancel("not an id")).error?.error.code, "invalid_request");

  // Adjustments and erasure (an admin: no claims locally), and their refusals.
  const adjustments = { params: { path: { userId: USER } } };
  const adjustment = { adjustmentId: "contract-a-1", points: 21, reason: "goodwill" };
  const adjusted = await client.POST("/points/{userId}/adjustments", { ...adjustments, body: adjustment });
  t.is(adjusted.response.status, 201);
  t.like(adjusted.data, { adjustmentId: "contract-a-1", points: 21, balance: 200, reason: "goodwill" });
  t.deepEqual((await client.POST("/points/{userId}/adjustments", { ...adjustments, body: adjustment })).data, adjusted.data);
  t.is(
    (await client.POST("/points/{userId}/adjustments", { ...adjustments, body: { ...adjustment, points: 22 } })).error?.error.code,
    "idempotency_conflict",
  );
  t.like(
    (
      await client.POST("/points/{userId}/adjustments", {
        ...adjustments,
        body: { adjustmentId: "contract-a-2", points: -1000, reason: "fraud" },
      })
    ).error,
    {
      error: { code: "insufficient_points", balance: 200 },
    },
  );
  t.is(
    (await client.POST("/points/{userId}/adjustments", { ...adjustments, headers: as(USER), body: adjustment })).error?.error.code,
    "forbidden",
  );
  const erased = await client.DELETE("/points/{userId}", { params: { path: { userId: USER } } });
  t.like(erased.data, { userId: USER, erased: true, pointsRemoved: 200 });
  t.deepEqual((await client.DELETE("/points/{userId}", { params: { path: { userId: USER } } })).data, erased.data);
  t.is((await client.DELETE("/points/{userId}", { params: { path: { userId: USER } }, headers: as(USER) })).error?.error.code, "forbidden");
  t.is(
    (await client.POST("/points/{userId}/adjustments", { ...adjustments, body: { ...adjustment, adjustmentId: "contract-a-3" } })).error
      ?.error.code,
    "customer_erased",
  );
  t.like((await client.GET("/points/{userId}", user)).data, { balance: 0, lifetimeEarned: 0, updatedAt: null });

  // The backends' tree: every route again under /admin, for the listed SigV4 backend (no claims locally).
  const BACKENDS_USER = "contract-cleo";
  const cleo = { params: { path: { userId: BACKENDS_USER } } };
  const granted = await client.POST("/admin/points/{userId}/adjustments", {
    ...cleo,
    body: { adjustmentId: "contract-a-9", points: 30, reason: "late parcel" },
  });
  t.is(granted.response.status, 201);
  t.like(granted.data, { userId: BACKENDS_USER, points: 30, balance: 30 });
  const spentForCleo = await client.POST("/admin/points/{userId}/redemptions", {
    ...cleo,
    body: { redemptionId: "contract-r-9", points: 10, rewardId: "contract-10" },
  });
  t.like(spentForCleo.data, { balance: 20 });
  const returned = await client.POST("/admin/points/{userId}/redemptions/{redemptionId}/cancel", {
    params: { path: { userId: BACKENDS_USER, redemptionId: "contract-r-9" } },
  });
  t.like(returned.data, { pointsReturned: 10, balance: 30 });
  t.like((await client.GET("/admin/points/{userId}", cleo)).data, { balance: 30, lifetimeEarned: 30 });
  t.is(
    (await client.GET("/admin/points/{userId}/history", { params: { path: { userId: BACKENDS_USER }, query: { limit: 10 } } })).data?.items
      .length,
    3,
  );
  const deniedToCustomer = await client.GET("/admin/points/{userId}", { ...cleo, headers: as(BACKENDS_USER) });
  t.is(deniedToCustomer.response.status, 403);
  t.is(deniedToCustomer.error?.error.code, "access_denied", "a Cognito user is refused by the gateway, as the resource policy does");
  t.like((await client.DELETE("/admin/points/{userId}", cleo)).data, { userId: BACKENDS_USER, erased: true, pointsRemoved: 30 });
  // The catalogue, for backends.
  const backendReward = { params: { path: { rewardId: "contract-backend" } } };
  t.is(
    (
      await client.PUT("/admin/rewards/{rewardId}", {
        ...backendReward,
        body: { title: "Tote", pointsCost: 20, kind: "product", codes: "pool" },
      })
    ).response.status,
    201,
  );
  t.like((await client.POST("/admin/rewards/{rewardId}/codes", { ...backendReward, body: { codes: ["CONTRACT-TOTE-1"] } })).data, {
    added: 1,
  });
  t.like((await client.GET("/admin/rewards/{rewardId}", backendReward)).data, { available: 1 });
  t.true(((await client.GET("/admin/rewards", {})).data?.items ?? []).some((item) => item.rewardId === "contract-backend"));

  t.deepEqual(problems, [], "every answer validates against the document");
  const routes = Object.keys(JSON.parse(text).paths);
  t.deepEqual(
    routes.filter((route) => !answered.some((line) => line.split(" ")[1] === route)),
    [],
    "every route was asked",
  );
  t.log(`${answered.length} answers checked`);
});
