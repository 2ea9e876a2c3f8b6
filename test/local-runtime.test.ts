/**
 * The local runtime end to end, through the real clients only: `@aws-sdk/client-eventbridge`
 * publishes, `fetch` reads. One runtime at a time (the handlers read the process environment).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import test from "ava";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { isRunning, jvmsStillRunning, LOCAL_AWS, startDynamoLocal } from "../local/dynamo-local";
import { startLocalRuntime, type LocalRuntime } from "../local/runtime";
import type { LocalSettings } from "../local/settings";
import { sharedDynamoEndpoint } from "./support/dynamo-local-per-file";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { required } from "../harness/required";
import { priced, putRewards } from "./support/local-catalogue";

// Serial, in this order: ava runs hooks of one kind concurrently; the check must follow the stop.
test.serial.after.always(() => stopFast());
test.serial.after.always(assertNoJvmLeft);

// Failed records come back after 1 s instead of dev's 180 s; everything else is the dev stack's.
/**
 * Short enough that dead letters arrive within a test, long enough that a batch the writer
 * finishes is never received again on a loaded machine (at 1 s, three slow batches in a row sent
 * a well-formed event to the DLQ).
 */
const FAST = { port: 0, visibilityTimeoutSeconds: 4, logLevel: "error" } as const;

const orderEntry = (detail: Record<string, unknown>, source = "otrium.ecommerce"): PutEventsRequestEntry => ({
  Source: source,
  DetailType: DETAIL_TYPES.orderCompleted,
  Detail: JSON.stringify(detail),
});
const refundEntry = (detail: Record<string, unknown>): PutEventsRequestEntry => ({
  Source: "otrium.ecommerce",
  DetailType: DETAIL_TYPES.orderRefunded,
  Detail: JSON.stringify(detail),
});

async function publish(runtime: LocalRuntime, entries: PutEventsRequestEntry[]): Promise<void> {
  const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: runtime.endpoint });
  try {
    for (let i = 0; i < entries.length; i += 10) {
      const result = await client.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      if (result.FailedEntryCount) throw new Error(`PutEvents refused entries: ${JSON.stringify(result.Entries)}`);
    }
  } finally {
    client.destroy();
  }
}

const getJson = async (runtime: LocalRuntime, url: string) => {
  const response = await fetch(`${runtime.endpoint}${url}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Polls until `check` holds (the writer works asynchronously, as in AWS). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/**
 * Under `npm test`, a runtime that keeps no data directory uses the run's DynamoDB Local with a
 * table of its own instead of starting a JVM; alone, this file's runtimes start their own. The
 * restart and the stop below start their own always: a data directory and a stopped JVM are theirs.
 */
function onTheRunsDynamo(): Partial<LocalSettings> {
  const endpoint = sharedDynamoEndpoint();
  return endpoint === undefined ? {} : { dynamoEndpoint: endpoint, tableName: `loyalty-ledger-${randomUUID()}` };
}

/**
 * One FAST runtime with nothing else of its own, shared by the tests that need no more (they run
 * one after another, on customers of their own), stopped before any other runtime starts.
 */
let fast: Promise<LocalRuntime> | undefined;
async function stopFast(): Promise<void> {
  const running = fast;
  fast = undefined;
  await (await running?.catch(() => undefined))?.stop();
}
async function withFastRuntime(use: (runtime: LocalRuntime) => Promise<void>) {
  fast ??= startLocalRuntime({ ...FAST, ...onTheRunsDynamo() });
  await use(await fast);
}

async function withRuntime(overrides: Partial<LocalSettings>, use: (runtime: LocalRuntime) => Promise<void>) {
  await stopFast();
  const runtime = await startLocalRuntime({ ...FAST, ...(overrides.dataDir === undefined && onTheRunsDynamo()), ...overrides });
  try {
    await use(runtime);
  } finally {
    await runtime.stop();
  }
}

test.serial(
  "200 orders over 20 users, 20% duplicates, refunds before and after their orders: every balance and history exact",
  async (t) => {
    // Early refunds wait for their orders through redelivery, 1 s apart here: ten receives leave
    // ten seconds for 240 order events even on a busy machine, where dev's three left three.
    await withRuntime({ maxReceiveCount: 10 }, async (runtime) => {
      const orders = Array.from({ length: 200 }, (_, i) => ({
        orderId: `order-${i}`,
        userId: `user-${i % 20}`,
        total: { amount: 1_000 + i * 37, currency: i % 5 === 0 ? "GBP" : "EUR" },
        completedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
      }));
      const refunds = [0, 3, 7, 11, 42, 99].map((i, n) => {
        const order = required(orders[i], `order ${i}`);
        return {
          orderId: order.orderId,
          userId: order.userId,
          refundId: `refund-${n}`,
          refund: { amount: Math.floor(order.total.amount / 2), currency: order.total.currency },
          refundedAt: new Date(Date.UTC(2026, 10, 2, 0, n)).toISOString(),
        };
      });
      const early = refunds.slice(0, 3);
      const late = refunds.slice(3);
      const duplicates = orders.filter((_, i) => i % 5 === 1); // 40 re-publications

      await publish(runtime, early.map(refundEntry)); // before their orders
      await publish(
        runtime,
        [...orders, ...duplicates].map((o) => orderEntry(o)),
      );
      await publish(runtime, late.map(refundEntry));

      const rate = (currency: string) => (currency === "GBP" ? 125 : 100);
      const earned = (o: (typeof orders)[number]) => Math.floor((o.total.amount * rate(o.total.currency)) / 10_000);
      for (let u = 0; u < 20; u++) {
        const userId = `user-${u}`;
        const mine = orders.filter((o) => o.userId === userId);
        const myRefunds = refunds.filter((r) => r.userId === userId);
        const lifetime = mine.reduce((sum, o) => sum + earned(o), 0);
        const reversed = myRefunds.reduce((sum, r) => {
          const order = required(
            orders.find((o) => o.orderId === r.orderId),
            `the order of ${r.orderId}`,
          );
          return sum + Math.min(earned(order), Math.floor((r.refund.amount * rate(order.total.currency)) / 10_000));
        }, 0);
        const balance = await eventually(
          () => getJson(runtime, `/points/${userId}`),
          (r) => r.body.balance === lifetime - reversed && r.body.lifetimeEarned === lifetime,
        );
        t.like(balance.body, { userId, balance: lifetime - reversed, lifetimeEarned: lifetime }, userId);
        const history = await getJson(runtime, `/points/${userId}/history?limit=100`);
        const items = history.body.items as Array<{ type: string; orderId: string; refundId?: string }>;
        t.deepEqual(
          items.map((item) => (item.type === "earn" ? item.orderId : `${item.orderId}/${item.refundId}`)).sort(),
          [...mine.map((o) => o.orderId), ...myRefunds.map((r) => `${r.orderId}/${r.refundId}`)].sort(),
          `${userId}: one history entry per order and refund, no duplicates`,
        );
      }
      const dlq = await getJson(runtime, "/_local/dlq");
      t.is(dlq.body.count, 0, "nothing was dead-lettered");
    });
  },
);

// Contract change (lifecycle): a refund before its order is no longer refused until the order
// comes (and dead-lettered when it never does); it is parked, acknowledged, and netted out when
// the order lands. The well-formed event the writer refuses here is a refund in another currency.
test.serial("malformed events end in the DLQ after maxReceiveCount receives, show in local:dlq, and can be redriven", async (t) => {
  await withFastRuntime(async (runtime) => {
    await publish(runtime, [
      orderEntry({ orderId: "eur-1", userId: "u-dlq", total: { amount: 2_000, currency: "EUR" }, completedAt: "2026-11-01T09:00:00Z" }),
    ]);
    await eventually(
      () => getJson(runtime, "/points/u-dlq"),
      (r) => r.body.lifetimeEarned === 20,
    );
    await publish(runtime, [
      orderEntry({ orderId: "bad-1", userId: "u-dlq", total: { amount: 12.5, currency: "EUR" }, completedAt: "2026-11-01T10:00:00Z" }),
      refundEntry({
        orderId: "eur-1",
        userId: "u-dlq",
        refundId: "r-gbp",
        refund: { amount: 500, currency: "GBP" },
        refundedAt: "2026-11-01T10:00:00Z",
      }),
      refundEntry({
        orderId: "never-sent",
        userId: "u-dlq",
        refundId: "r-1",
        refund: { amount: 500, currency: "EUR" },
        refundedAt: "2026-11-01T10:00:00Z",
      }),
    ]);
    const dlq = await eventually(
      () => getJson(runtime, "/_local/dlq"),
      (r) => r.body.count === 2,
    );
    t.is(dlq.body.count, 2, "the malformed order and the refund in another currency; the early refund was acknowledged");
    t.is(runtime.settings.maxReceiveCount, 3, "the dev stack's maxReceiveCount");

    const port = new URL(runtime.endpoint).port;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import=tsx", "local/dlq-cli.ts", "--port", port], {
      cwd: path.resolve(__dirname, ".."),
    });
    t.regex(stdout, /2 message\(s\) in the DLQ/);
    t.regex(stdout, /given to the writer 3 time\(s\), first at \d{4}-\d\d-\d\dT/, "the dev stack's maxReceiveCount deliveries");
    t.regex(stdout, /why: breaks the event contract: .*total\.amount.*\n\s+event: .*"orderId":"bad-1"/);
    t.regex(
      stdout,
      /why: the event meets the contract, and the writer refused it 3 time\(s\): its log line with "messageId":"[^"]+" gives the reason.*\n\s+event: .*"refundId":"r-gbp"/,
    );

    // The early refund's order arrives late and nets it out; a redrive fails both again.
    await publish(runtime, [
      orderEntry({
        orderId: "never-sent",
        userId: "u-dlq",
        total: { amount: 2_000, currency: "EUR" },
        completedAt: "2026-11-01T09:00:00Z",
      }),
    ]);
    const balance = await eventually(
      () => getJson(runtime, "/points/u-dlq"),
      (r) => r.body.lifetimeEarned === 40,
    );
    t.like(balance.body, { balance: 35, lifetimeEarned: 40 });
    const redrive = await fetch(`${runtime.endpoint}/_local/dlq/redrive`, { method: "POST" });
    t.deepEqual(await redrive.json(), { redriven: 2 });
    const back = await eventually(
      () => getJson(runtime, "/_local/dlq"),
      (r) => r.body.count === 2,
    );
    t.is(back.body.count, 2, "both are back in the DLQ");
  });
});

test.serial("events of another source are accepted and dropped; PutEvents errors reach the SDK", async (t) => {
  await withFastRuntime(async (runtime) => {
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: runtime.endpoint });
    const accepted = await client.send(
      new PutEventsCommand({
        Entries: [
          orderEntry(
            { orderId: "m-1", userId: "u-other", total: { amount: 5_000, currency: "EUR" }, completedAt: "2026-11-01T10:00:00Z" },
            "otrium.marketing",
          ),
          { Source: "otrium.ecommerce", DetailType: DETAIL_TYPES.orderCompleted, Detail: "not json" },
          orderEntry({ orderId: "e-1", userId: "u-barrier", total: { amount: 100, currency: "EUR" }, completedAt: "2026-11-01T10:00:00Z" }),
        ],
      }),
    );
    t.is(accepted.FailedEntryCount, 1);
    t.is(accepted.Entries?.[1]?.ErrorCode, "MalformedDetail");
    t.truthy(accepted.Entries?.[0]?.EventId);
    await eventually(
      () => getJson(runtime, "/points/u-barrier"),
      (r) => r.body.balance === 1,
    );
    t.like((await getJson(runtime, "/points/u-other")).body, { balance: 0, updatedAt: null });

    await t.throwsAsync(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => orderEntry({ orderId: "x" })) })), {
      name: "ValidationException",
    });
    client.destroy();
  });
});

test.serial("the API over HTTP: 400, 403 for no route, 405 as JSON, CORS for the dev origin", async (t) => {
  await withFastRuntime(async (runtime) => {
    const bad = await fetch(`${runtime.endpoint}/points/bad%20id`);
    t.is(bad.status, 400);
    t.like(await bad.json(), { error: { code: "invalid_user_id" } });
    const limit = await fetch(`${runtime.endpoint}/points/u-1/history?limit=500`);
    t.is(limit.status, 400);
    t.like(await limit.json(), { error: { code: "invalid_query" } });
    const cursor = await fetch(`${runtime.endpoint}/points/u-1/history?cursor=nope`);
    t.like(await cursor.json(), { error: { code: "invalid_cursor" } });
    // No route: API Gateway's own answer (MISSING_AUTHENTICATION_TOKEN), never a function's.
    const missing = await fetch(`${runtime.endpoint}/balances/u-1`);
    t.is(missing.status, 403);
    t.like(await missing.json(), { error: { code: "missing_authentication_token" } });
    const post = await fetch(`${runtime.endpoint}/points/u-1`, { method: "POST", body: "{}" });
    t.is(post.status, 405);
    const cors = await fetch(`${runtime.endpoint}/points/u-1`, { headers: { Origin: "http://localhost:3000" } });
    t.is(cors.headers.get("access-control-allow-origin"), "http://localhost:3000");
    t.is(cors.headers.get("content-type"), "application/json; charset=utf-8");
  });
});

test.serial("redemptions over HTTP: spend, retry, refuse, cancel — and the history shows them", async (t) => {
  await withFastRuntime(async (runtime) => {
    await publish(runtime, [
      orderEntry({
        orderId: "spend-1",
        userId: "u-spend",
        total: { amount: 10_000, currency: "EUR" },
        completedAt: "2026-11-01T10:00:00Z",
      }),
    ]);
    await eventually(
      () => getJson(runtime, "/points/u-spend"),
      (r) => r.body.balance === 100,
    );
    const post = (url: string, body?: unknown) =>
      fetch(`${runtime.endpoint}${url}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    await putRewards(runtime.endpoint, { "voucher-60": priced(60), "spend-41": priced(41) });
    const request = { redemptionId: "red-1", points: 60, rewardId: "voucher-60" };
    const first = await post("/points/u-spend/redemptions", request);
    t.is(first.status, 201);
    t.like(await first.json(), { balance: 40, points: 60 });
    const retry = await post("/points/u-spend/redemptions", request);
    t.is(retry.status, 200);
    t.like(await retry.json(), { balance: 40, redemptionId: "red-1" });
    const tooMuch = await post("/points/u-spend/redemptions", { redemptionId: "red-2", points: 41, rewardId: "spend-41" });
    t.is(tooMuch.status, 409);
    t.like(await tooMuch.json(), { error: { code: "insufficient_points", balance: 40 } });
    const malformed = await post("/points/u-spend/redemptions", { redemptionId: "red-3" });
    t.is(malformed.status, 400);
    const cancelled = await post("/points/u-spend/redemptions/red-1/cancel");
    t.is(cancelled.status, 200);
    t.like(await cancelled.json(), { pointsReturned: 60, balance: 100 });
    t.like((await getJson(runtime, "/points/u-spend")).body, { balance: 100 });
    const history = await getJson(runtime, "/points/u-spend/history");
    t.deepEqual(
      (history.body.items as Array<{ type: string }>).map((item) => item.type),
      ["redemption-cancel", "redemption", "earn"],
    );
  });
});

test.serial("local auth: no claims acts as an admin, X-Local-Claims as a customer or the admin group, bad claims are a 401", async (t) => {
  await withFastRuntime(async (runtime) => {
    await publish(runtime, [
      orderEntry({ orderId: "auth-1", userId: "u-auth", total: { amount: 10_000, currency: "EUR" }, completedAt: "2026-11-01T10:00:00Z" }),
    ]);
    await eventually(
      () => getJson(runtime, "/points/u-auth"),
      (r) => r.body.balance === 100,
    );
    const as = (claims: Record<string, string> | string) => ({
      "X-Local-Claims": typeof claims === "string" ? claims : JSON.stringify(claims),
    });
    const get = (url: string, headers: Record<string, string> = {}) => fetch(`${runtime.endpoint}${url}`, { headers });

    t.is((await get("/points/u-auth")).status, 200, "curl without claims is an admin");
    t.is((await get("/points/u-auth", as({ sub: "u-auth" }))).status, 200, "a customer reads their own points");
    const other = await get("/points/u-auth", as({ sub: "u-someone-else" }));
    t.is(other.status, 403);
    t.like(await other.json(), { error: { code: "forbidden" } });
    t.is(
      (await get("/points/u-auth", as({ sub: "agent-7", "cognito:groups": "loyalty-support" }))).status,
      200,
      "the admin group reads anyone's",
    );

    await putRewards(runtime.endpoint, { "auth-10": priced(10) });
    const spend = (headers: Record<string, string>) =>
      fetch(`${runtime.endpoint}/points/u-auth/redemptions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ redemptionId: "auth-r", points: 10, rewardId: "auth-10" }),
      });
    t.is((await spend(as({ sub: "u-auth" }))).status, 201, "a customer spends their own points");
    const cancel = (headers: Record<string, string>) =>
      fetch(`${runtime.endpoint}/points/u-auth/redemptions/auth-r/cancel`, { method: "POST", headers });
    t.is((await cancel(as({ sub: "u-auth" }))).status, 403, "a customer may not cancel");
    t.is((await cancel({})).status, 200, "curl (the local admin) may");

    for (const bad of ["not json", '{"cognito:groups":"loyalty-support"}', '{"sub":42}']) {
      const refused = await get("/points/u-auth", as(bad));
      t.is(refused.status, 401, bad);
      t.like(await refused.json(), { error: { code: "unauthorized" } });
    }
  });
});

// The restart's runtimes have JVMs of their own (the data directory is theirs): the second one's stop is the test of a stop.
test.serial(
  "a restart with a data directory keeps balances and waiting messages, and publishes nothing twice; a stop leaves no server or JVM",
  async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "loyalty-local-"));
    try {
      await withRuntime({ dataDir }, async (runtime) => {
        await publish(runtime, [
          orderEntry({
            orderId: "keep-1",
            userId: "u-keep",
            total: { amount: 4_200, currency: "EUR" },
            completedAt: "2026-11-01T10:00:00Z",
          }),
        ]);
        await eventually(
          () => getJson(runtime, "/points/u-keep"),
          (r) => r.body.balance === 42,
        );
        // A refund before its order: parked (contract change, lifecycle: it no longer waits in the
        // queue or the DLQ), and the parked refund must survive the restart.
        await publish(runtime, [
          refundEntry({
            orderId: "later",
            userId: "u-keep",
            refundId: "r",
            refund: { amount: 100, currency: "EUR" },
            refundedAt: "2026-11-02T10:00:00Z",
          }),
        ]);
        await eventually(
          () => getJson(runtime, "/points/u-keep/history"),
          (r) => JSON.stringify(r.body).includes('"refundId":"r"'),
          30_000,
        );
        const first = await eventually(
          async () => runtime.events.list({ source: "otrium.loyalty" }).events.map((event) => event.detail.entryId),
          (ids) => ids.length > 0,
          30_000,
        );
        t.deepEqual(first, ["USER#u-keep/ORDER#keep-1"], "the parked refund publishes nothing yet");
      });
      let restarted: LocalRuntime | undefined;
      await withRuntime({ dataDir }, async (runtime) => {
        restarted = runtime;
        t.like((await getJson(runtime, "/points/u-keep")).body, { balance: 42, lifetimeEarned: 42 });
        await publish(runtime, [
          orderEntry({
            orderId: "later",
            userId: "u-keep",
            total: { amount: 2_000, currency: "EUR" },
            completedAt: "2026-11-01T10:00:00Z",
          }),
        ]);
        const netted = await eventually(
          () => getJson(runtime, "/points/u-keep"),
          (r) => r.body.lifetimeEarned === 62,
          30_000,
        );
        t.like(netted.body, { balance: 61, lifetimeEarned: 62 }, "the refund parked before the restart is netted out");
        t.is((await getJson(runtime, "/_local/dlq")).body.count, 0);
        // The ledger's stream is read from its end after a restart: what the first run published is
        // not published again; the changes of this run are, once each.
        const published = await eventually(
          async () => runtime.events.list({ source: "otrium.loyalty" }).events.map((event) => event.detail.entryId),
          (ids) => ids.includes("USER#u-keep/REFUND#later#r"),
          30_000,
        );
        t.deepEqual(published, ["USER#u-keep/ORDER#later", "USER#u-keep/REFUND#later#r"]);
      });
      // Stopped by withRuntime: its servers and its JVM are gone.
      const stopped = required(restarted, "the restarted runtime");
      await t.throwsAsync(fetch(`${stopped.endpoint}/points/u-1`));
      await t.throwsAsync(fetch(stopped.dynamoEndpoint));
      const jvm = required(stopped.dynamoPid, "the runtime's own JVM");
      t.false(isRunning(jvm), `DynamoDB Local (pid ${jvm}) is gone`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

test.serial(
  "a runtime given a running DynamoDB Local starts no JVM, works on its own table, and leaves the JVM serving when it stops",
  async (t) => {
    await stopFast();
    // The run's DynamoDB Local under `npm test`; alone, one started here for the test.
    const shared = sharedDynamoEndpoint();
    const own = shared === undefined ? await startDynamoLocal() : undefined;
    try {
      const dynamoEndpoint = shared ?? required(own, "the test's DynamoDB Local").endpoint;
      const jvmsBefore = jvmsStillRunning();
      const tableName = `loyalty-ledger-${randomUUID()}`;
      const runtime = await startLocalRuntime({ ...FAST, dynamoEndpoint, tableName });
      try {
        t.is(runtime.dynamoPid, undefined, "no JVM of the runtime's own");
        t.deepEqual(jvmsStillRunning(), jvmsBefore, "no JVM started");
        t.is(runtime.dynamoEndpoint, dynamoEndpoint);
        await publish(runtime, [
          orderEntry({
            orderId: "given-1",
            userId: "u-given",
            total: { amount: 3_000, currency: "EUR" },
            completedAt: "2026-11-01T09:00:00Z",
          }),
        ]);
        const balance = await eventually(
          () => getJson(runtime, "/points/u-given"),
          (r) => r.body.balance === 30,
        );
        t.like(balance.body, { balance: 30, lifetimeEarned: 30 });
      } finally {
        await runtime.stop();
      }
      const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint });
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        t.is(Table?.StreamSpecification?.StreamEnabled, true, "the runtime's table, with the ledger's stream, on the given DynamoDB Local");
      } finally {
        client.destroy();
      }
    } finally {
      await own?.stop();
    }
  },
);

test.serial(
  "with POINTS_LIFECYCLE the runtime holds, releases early and expires points; the settle runs on demand; npm run demo shows it",
  async (t) => {
    await withRuntime({ lifecycle: { pendingDays: 2, expiryDays: 3 }, expiringSoonDays: 2 }, async (runtime) => {
      // The demo against this runtime: its own customer, orders dated days back.
      const demo = await promisify(execFile)(process.execPath, ["--import=tsx", "local/demo.ts"], {
        cwd: path.resolve(__dirname, ".."),
        env: { ...process.env, PORT: new URL(runtime.endpoint).port },
      });
      const lines = demo.stdout.split("\n");
      const cleo = lines.filter((line) => /^demo-cleo-\w+: balance/.test(line));
      t.is(cleo.length, 2, demo.stdout);
      // 20 EUR expired, 40 spendable, 60 and 30 pending; then the closed window releases the 30.
      t.regex(cleo[0] ?? "", /balance 40, pending 90, lifetimeEarned 150; next release 30 on \d{4}-\d\d-\d\d, next expiry 40 on/);
      t.regex(cleo[1] ?? "", /balance 70, pending 60, lifetimeEarned 150; next release 60 on/);
      t.regex(demo.stdout, /POST \/_local\/settle \(the daily schedule's run: today and the two days before\) → 200/);
      // The 20 landed after its lot expired and expired in its own write; the late close told of its
      // release; the settle warned nobody of the 40 (expiring in two days): it was credited now,
      // within its warning period, like a backfill. All of it left on the bus, in order.
      t.regex(demo.stdout, /"expiringSoon": \{\s+"expiresDay": "\d{4}-\d\d-\d\d",\s+"customers": 0,\s+"points": 0\s+\}/);
      // The queue delivers the demo's orders in any order: the events are compared as a set.
      const line = /GET \/_local\/events\?source=otrium\.loyalty, demo-cleo-\w+'s: (.*)\n/.exec(demo.stdout)?.[1] ?? "";
      t.deepEqual(
        line.split(", ").sort(),
        ["Points Earned 20", "Points Earned 30", "Points Earned 40", "Points Earned 60", "Points Expired 20", "Points Released 30"],
        demo.stdout,
      );
      const userId = /^(demo-cleo-\w+):/.exec(cleo[0] ?? "")?.[1] ?? "";
      const history = (await getJson(runtime, `/points/${userId}/history?limit=10`)).body.items as Array<Record<string, unknown>>;
      t.deepEqual(
        history.filter((item) => item.type === "expiry").map((item) => item.points),
        [-20],
        "the expiry is written once",
      );
      // The settle again, as the schedule would: nothing more to write.
      const again = await fetch(`${runtime.endpoint}/_local/settle`, { method: "POST", body: "{}" });
      t.is(again.status, 200);
      const reports = ((await again.json()) as { settled: Array<{ entries: number }> }).settled;
      t.is(reports.length, 3, "today and the two days before it");
      t.true(reports.every((report) => report.entries === 0));
      t.like((await getJson(runtime, `/points/${userId}`)).body, { balance: 70, pending: 60, lifetimeEarned: 150 });
      // The clock: another customer's 50 pending, spendable with the clock past their release, and
      // pending again with the clock back at real time, where the demo leaves it.
      const dora = lines
        .filter((line) => /^demo-dora-\w+: balance/.test(line))
        .map((line) => /balance (\d+), pending (\d+)/.exec(line)?.[0]);
      t.deepEqual(dora, ["balance 0, pending 50", "balance 50, pending 0", "balance 0, pending 50"], demo.stdout);
      t.regex(demo.stdout, /POST \/_local\/clock \{"now":"[^"]+"\} → \{"now":"[^"]+","pinned":true\}: past the release/);
      t.regex(demo.stdout, /DELETE \/_local\/clock → \{"now":"[^"]+","pinned":false\}: back where it was/);
      t.like((await getJson(runtime, "/_local/clock")).body, { pinned: false });
      // A reward's window: refused before it opens and after it closes, redeemed inside it.
      const windowed = (when: string) =>
        new RegExp(`POST /points/demo-eve-\\w+/redemptions \\(${when}\\) → (\\d+) (.*)\n`).exec(demo.stdout)?.slice(1, 3) ?? [];
      const [beforeStatus, beforeBody] = windowed("before the window");
      t.is(beforeStatus, "409", demo.stdout);
      t.regex(beforeBody ?? "", /"code":"reward_unavailable"/);
      const [insideStatus, insideBody] = windowed("inside the window");
      t.is(insideStatus, "201", demo.stdout);
      t.regex(insideBody ?? "", /"points":10,"balance":15/);
      const [afterStatus, afterBody] = windowed("after the window");
      t.is(afterStatus, "409", demo.stdout);
      t.regex(afterBody ?? "", /"code":"reward_unavailable"/);
      // The tiers (the dev stack's), with the clock: Silver once the first order is released, the
      // second earning at Silver, Gold once it is released, and Silver again when 300 EUR of it
      // (the order that reached Gold) is refunded; the clock back where it was.
      const tiers = lines.filter((line) => /^demo-gia-\w+: tier /.test(line));
      t.deepEqual(
        tiers.map((line) => /: tier (\w+)/.exec(line)?.[1]),
        ["Member", "Silver", "Silver", "Gold", "Silver"],
        demo.stdout,
      );
      t.regex(tiers[1] ?? "", /tier Silver since \d{4}-\d\d-\d\d until \d{4}-\d\d-\d\d, qualifying 640, next Gold in 860/);
      t.regex(demo.stdout, /an order of 1,000 EUR completed now earned 1250 \(×1\.25\)/);
      t.regex(tiers[3] ?? "", /tier Gold since \d{4}-\d\d-\d\d until \d{4}-\d\d-\d\d, qualifying 1640, the top level/);
      t.is(/Silver since (\S+)/.exec(tiers[4] ?? "")?.[1], /Silver since (\S+)/.exec(tiers[1] ?? "")?.[1], "the Silver it had, as it was");
      t.regex(tiers[4] ?? "", /qualifying 1340, next Gold in 160/);
      // Each change told once on the bus, effective at the release midnights and at the refund.
      const told = /GET \/_local\/events\?source=otrium\.loyalty, demo-gia-\w+'s: (.*)\n/.exec(demo.stdout)?.[1] ?? "";
      t.deepEqual(
        told.replace(/, effective \S+\)/g, ")").split(", "),
        ["Tier Changed Member → Silver (up)", "Tier Changed Silver → Gold (up)", "Tier Changed Gold → Silver (down)"],
        demo.stdout,
      );
      const effective = [...told.matchAll(/effective (\S+)\)/g)].map((match) => match[1]);
      t.is(effective[0], /since (\S+)/.exec(tiers[1] ?? "")?.[1], "the rise to Silver is effective when Silver began");
      t.is(effective[1], /since (\S+)/.exec(tiers[3] ?? "")?.[1], "the rise to Gold is effective when Gold began");
      t.like((await getJson(runtime, "/_local/clock")).body, { pinned: false });
      // The first customers' fresh points are pending: the demo's redemption is refused, not overspent.
      t.regex(demo.stdout, /POST \/points\/demo-anna\/redemptions → 409/);
      // The backend's goodwill grant, on its own route: spendable at once whatever the lifecycle.
      t.regex(demo.stdout, /POST \/admin\/points\/demo-ben\/adjustments \(customer service's backend\) → 201/);
    });
  },
);

test.serial(
  "with EXPIRING_SOON_DAYS the local settle warns nobody of points credited within their warning period (a backfill's Points Earned says when they expire)",
  async (t) => {
    await withRuntime({ lifecycle: { pendingDays: 0, expiryDays: 2 }, expiringSoonDays: 2 }, async (runtime) => {
      // Spendable today, expiring two days after today's midnight: today is the warning day, and the
      // points were credited within it. (Warnings of points held before are held by the settle's
      // tests on DynamoDB Local, which move the clock.)
      await publish(runtime, [
        orderEntry({
          orderId: "soon-1",
          userId: "soon-ana",
          total: { amount: 4_200, currency: "EUR" },
          completedAt: new Date().toISOString(),
        }),
      ]);
      await eventually(
        () => getJson(runtime, "/points/soon-ana"),
        ({ body }) => body.balance === 42,
      );
      for (let run = 0; run < 2; run++) {
        const answer = await fetch(`${runtime.endpoint}/_local/settle`, { method: "POST", body: "{}" });
        t.is(answer.status, 200);
        const reports = (
          (await answer.json()) as { settled: Array<{ expiringSoon: { expiresDay: string | null; customers: number; points: number } }> }
        ).settled;
        t.true(
          reports.some((report) => report.expiringSoon.expiresDay !== null),
          "the settle did look two days ahead",
        );
        t.deepEqual(
          reports.map((report) => report.expiringSoon.points),
          [0, 0, 0],
        );
      }
      // The order's own event went out; no warning followed it.
      const earned = await eventually(
        async () => runtime.events.list({ source: "otrium.loyalty" }).events.filter((event) => event.detail.userId === "soon-ana"),
        (found) => found.length > 0,
      );
      t.deepEqual(
        earned.map((event) => event["detail-type"]),
        ["Points Earned"],
      );
    });
  },
);
