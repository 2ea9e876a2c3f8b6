/**
 * The same events give the same result in any order. Each scenario runs on customers of its
 * own, one per processing order (and with or without the daily settle in between), on a real
 * DynamoDB (DynamoDB Local), and every run must end with the same balance, pending points, lots
 * and history.
 */
import test, { type ExecutionContext } from "ava";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import { createHarness } from "./support/dynamo-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { scanAll } from "./support/table-scan";

const dynamo = useDynamoLocal();

type Rig = Awaited<ReturnType<typeof rigFor>>;

/** Everything a customer sees and holds at the rig's instant, with what differs by processing time left out. */
async function outcome(rig: Rig, userId: string) {
  const { balance, pending, lifetimeEarned, nextRelease, nextExpiry } = await rig.balance(userId);
  const { Item = {} } = await rig.harness.documents.send(
    new GetCommand({ TableName: rig.harness.tableName, Key: { pk: `USER#${userId}`, sk: "BALANCE" }, ConsistentRead: true }),
  );
  // A lot spent or refunded to nothing may linger at zero until its expiry is settled: it holds nothing.
  const lots = Object.fromEntries(
    Object.entries(Item)
      .filter(([name, points]) => name.startsWith("lot_") && points !== 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const history = (await rig.ledger.getHistory(userId, 50)).entries
    .map((entry) => {
      const { pk: _pk, recordedAt: _recordedAt, eventId: _eventId, entryAt: _entryAt, ...rest } = { eventId: "", ...entry };
      return rest;
    })
    .sort((a, b) => a.sk.localeCompare(b.sk));
  return { balance, pending, lifetimeEarned, nextRelease, nextExpiry, lots, history };
}

async function rigFor(lifecycle: Lifecycle, start: string) {
  const harness = await createHarness(dynamo);
  return { harness, ...createLifecycleRig(harness, lifecycle, start) };
}

/** Runs each variant on its own customer and holds them all to the first one's outcome. */
async function sameInEveryOrder(
  t: ExecutionContext,
  rig: Rig,
  variants: Record<string, (userId: string) => Promise<void>>,
  readAt: string,
) {
  const results: [string, Awaited<ReturnType<typeof outcome>>][] = [];
  for (const [name, run] of Object.entries(variants)) {
    await run(name);
    rig.at(readAt);
    results.push([name, await outcome(rig, name)]);
  }
  const [[, first] = ["", undefined], ...rest] = results;
  for (const [name, result] of rest)
    t.deepEqual(
      { ...result, history: result.history.map((entry) => JSON.stringify(entry)) },
      first && { ...first, history: first.history.map((entry) => JSON.stringify(entry)) },
      `${name} differs from ${results[0]?.[0] ?? ""}`,
    );
  return first;
}

const TWO_WEEKS = { pendingDays: 14, expiryDays: 365 };

test("a return window's close moves the release only: the order keeps its expiry whichever is processed first", async (t) => {
  const rig = await rigFor(TWO_WEEKS, "2026-01-01T10:00:00.000Z");
  const order = (userId: string) => rig.order({ orderId: "o", userId, amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  const close = (userId: string) => rig.windowClosed({ orderId: "o", userId, closedAt: "2026-01-02T10:00:00.000Z" });
  const first = await sameInEveryOrder(
    t,
    rig,
    {
      "close-first": async (userId) => {
        rig.at("2026-01-02T11:00:00.000Z");
        t.deepEqual(await close(userId), []);
        t.deepEqual(await order(userId), []);
      },
      "close-before-its-midnight": async (userId) => {
        rig.at("2026-01-01T11:00:00.000Z");
        await order(userId);
        rig.at("2026-01-02T11:00:00.000Z");
        t.deepEqual(await close(userId), []);
      },
      "close-after-its-midnight": async (userId) => {
        rig.at("2026-01-01T11:00:00.000Z");
        await order(userId);
        rig.at("2026-01-05T11:00:00.000Z");
        t.deepEqual(await close(userId), []);
      },
      "close-after-the-release": async (userId) => {
        rig.at("2026-01-01T11:00:00.000Z");
        await order(userId);
        rig.at("2026-01-20T11:00:00.000Z");
        t.deepEqual(await close(userId), []);
      },
    },
    "2027-01-10T00:00:00.000Z",
  );
  t.like(first, {
    balance: 100,
    pending: 0,
    nextExpiry: { points: 100, at: "2027-01-16T00:00:00.000Z" },
    lots: { "lot_2026-01-03_2027-01-16": 100 },
  });
  t.like(
    first?.history.find((entry) => entry.sk === "ORDER#o"),
    { availableAt: "2026-01-03T00:00:00.000Z", expiresAt: "2027-01-16T00:00:00.000Z" },
  );
  rig.at("2027-01-16T00:00:00.000Z");
  t.like(await rig.balance("close-first"), { balance: 0 });
});

const MONTH = { pendingDays: 0, expiryDays: 30 };

test("an order processed after its lot expired is credited and expires in one write, and never joins that lot's earlier expired points", async (t) => {
  const rig = await rigFor(MONTH, "2026-01-10T11:00:00.000Z");
  // o-1 (100) expires on 2026-02-09; o-2 (50) of the same day is backfilled in June; 500 spendable then.
  const setup = async (userId: string) => {
    rig.at("2026-01-10T11:00:00.000Z");
    await rig.order({ orderId: "o-1", userId, amount: 10_000, completedAt: "2026-01-10T10:00:00.000Z" });
    rig.at("2026-05-20T11:00:00.000Z");
    await rig.order({ orderId: "now", userId, amount: 50_000, completedAt: "2026-05-20T10:00:00.000Z" });
    rig.at("2026-06-01T08:00:00.000Z");
  };
  const late = (userId: string) => rig.order({ orderId: "o-2", userId, amount: 5_000, completedAt: "2026-01-10T18:00:00.000Z" });
  const refund = (userId: string) =>
    rig.refund({ orderId: "o-1", userId, refundId: "r", amount: 10_000, refundedAt: "2026-05-31T10:00:00.000Z" });
  const settle = async () => {
    await rig.settle.settleDay("2026-02-09", rig.now());
    await rig.settle.settleDay("2026-06-01", rig.now());
  };
  const first = await sameInEveryOrder(
    t,
    rig,
    {
      "settled-late-then-refund": async (userId) => {
        await setup(userId);
        await settle();
        await late(userId);
        await refund(userId);
        await settle();
      },
      "late-then-refund-then-settled": async (userId) => {
        await setup(userId);
        await late(userId);
        await refund(userId);
        await settle();
      },
      "refund-then-late-settled-between": async (userId) => {
        await setup(userId);
        await refund(userId);
        await settle();
        await late(userId);
        await settle();
      },
      "settled-refund-then-late": async (userId) => {
        await setup(userId);
        await settle();
        await refund(userId);
        await late(userId);
      },
    },
    "2026-06-02T00:00:00.000Z",
  );
  t.like(first, { balance: 500, pending: 0, lifetimeEarned: 650, lots: { "lot_2026-05-20_2026-06-19": 500 } });
  const expiries = first?.history.filter((entry) => entry.kind === "expiry");
  t.deepEqual(
    expiries?.map((entry) => [entry.sk, entry.points]),
    [
      ["EXPIRY#2026-02-09", 100],
      ["EXPIRY#2026-02-09#ORDER#o-2", 50],
    ],
  );
  t.like(
    first?.history.find((entry) => entry.sk === "REFUND#o-1#r"),
    { points: 100, notTaken: 100, fromLot: 0, fromSpendable: 0 },
  );
});

test("a refund of an order processed after its lot expired: the same whether the refund came first (parked) or after", async (t) => {
  const rig = await rigFor(MONTH, "2026-05-20T11:00:00.000Z");
  const setup = async (userId: string) => {
    rig.at("2026-05-20T11:00:00.000Z");
    await rig.order({ orderId: "now", userId, amount: 50_000, completedAt: "2026-05-20T10:00:00.000Z" });
    rig.at("2026-06-01T08:00:00.000Z");
  };
  const late = (userId: string) => rig.order({ orderId: "old", userId, amount: 5_000, completedAt: "2026-01-10T18:00:00.000Z" });
  const refund = (userId: string) =>
    rig.refund({ orderId: "old", userId, refundId: "r", amount: 2_000, refundedAt: "2026-01-20T10:00:00.000Z" });
  const first = await sameInEveryOrder(
    t,
    rig,
    {
      "late-then-refund": async (userId) => {
        await setup(userId);
        await late(userId);
        await refund(userId);
      },
      "refund-parked-then-late": async (userId) => {
        await setup(userId);
        await refund(userId);
        await late(userId);
      },
    },
    "2026-06-02T00:00:00.000Z",
  );
  t.like(first, { balance: 500, lifetimeEarned: 550 });
  t.like(
    first?.history.find((entry) => entry.sk === "EXPIRY#2026-02-09#ORDER#old"),
    { points: 50 },
  );
  t.like(
    first?.history.find((entry) => entry.sk === "REFUND#old#r"),
    { kind: "reversal", points: 20, notTaken: 20, fromLot: 0 },
  );
});

test("a late order is one request, lists no day index of a day already past, leaves no lot on the balance item; its refund is 3 requests", async (t) => {
  const rig = await rigFor(MONTH, "2026-06-01T08:00:00.000Z");
  t.deepEqual(await rig.order({ orderId: "old", userId: "u-1", amount: 10_000, completedAt: "2026-01-10T10:00:00.000Z" }), []);
  t.deepEqual(rig.harness.requests, ["TransactWriteItems"], "one request, its expiry in it");
  t.like(await outcome(rig, "u-1"), { balance: 0, lifetimeEarned: 100, lots: {} });
  t.deepEqual(
    (await scanAll(rig.harness)).filter((item) => /^(EXPIRES|RELEASES)#/u.test(String(item.pk))),
    [],
    "no day index item",
  );
  t.like(await rig.settle.settleDay("2026-06-01", rig.now()), { customers: 0, entries: 0 }, "nothing left for the settle");
  const history = (await rig.ledger.getHistory("u-1", 10)).entries;
  t.deepEqual(
    history.map((entry) => [entry.kind, entry.points]),
    [
      ["expiry", 100],
      ["earn", 100],
    ],
  );
  t.deepEqual(rig.outcomes(), [["credited", 100]]);
  t.deepEqual(
    await rig.order({ orderId: "old", userId: "u-1", amount: 10_000, completedAt: "2026-01-10T10:00:00.000Z" }),
    [],
    "a duplicate",
  );
  t.deepEqual(rig.outcomes().at(-1), ["duplicate", 0]);
  t.like(await rig.balance("u-1"), { lifetimeEarned: 100 });
  rig.harness.requests.length = 0;
  await rig.refund({ orderId: "old", userId: "u-1", refundId: "r", amount: 10_000 });
  t.deepEqual(
    rig.harness.requests,
    ["TransactGetItems", "Query", "TransactWriteItems"],
    "a refund of it reads its expiry entry: 3 requests",
  );
  t.like(await rig.balance("u-1"), { balance: 0, lifetimeEarned: 100 });
});

const TEN_DAYS = { pendingDays: 0, expiryDays: 10 };

test("a refund of expired points takes them not again, whether or not the settle has run", async (t) => {
  const rig = await rigFor(TEN_DAYS, "2026-01-01T11:00:00.000Z");
  // Two orders in one lot (100 + 50, expiring 2026-01-11), 30 spent from it; 50 spendable after.
  const setup = async (userId: string) => {
    rig.at("2026-01-01T11:00:00.000Z");
    await rig.order({ orderId: "e", userId, amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
    await rig.order({ orderId: "g", userId, amount: 5_000, completedAt: "2026-01-01T12:00:00.000Z" });
    rig.at("2026-01-05T00:00:00.000Z");
    await rig.redeem("r-1", 30, userId);
    rig.at("2026-01-20T00:00:00.000Z");
    await rig.order({ orderId: "f", userId, amount: 5_000, completedAt: "2026-01-19T10:00:00.000Z" });
  };
  const refunds = async (userId: string) => {
    await rig.refund({ orderId: "e", userId, refundId: "r", amount: 10_000 });
    await rig.refund({ orderId: "g", userId, refundId: "r", amount: 5_000 });
  };
  const settle = async () => {
    await rig.settle.settleDay("2026-01-11", rig.now());
  };
  const first = await sameInEveryOrder(
    t,
    rig,
    {
      "settle-first": async (userId) => {
        await setup(userId);
        await settle();
        await refunds(userId);
      },
      "refunds-first": async (userId) => {
        await setup(userId);
        await refunds(userId);
        await settle();
      },
      "settle-between": async (userId) => {
        await setup(userId);
        await rig.refund({ orderId: "e", userId, refundId: "r", amount: 10_000 });
        await settle();
        await rig.refund({ orderId: "g", userId, refundId: "r", amount: 5_000 });
      },
    },
    "2026-01-21T00:00:00.000Z",
  );
  // 120 expired (not taken again); of the 150 refunded, 30 were spent: they come off the new 50.
  t.like(first, { balance: 20, pending: 0, lifetimeEarned: 200 });
  t.like(
    first?.history.find((entry) => entry.sk === "REFUND#e#r"),
    { points: 100, notTaken: 100, fromLot: 0, fromSpendable: 0 },
  );
  t.like(
    first?.history.find((entry) => entry.sk === "REFUND#g#r"),
    { points: 50, notTaken: 20, fromLot: 0, fromSpendable: 30 },
  );
  t.like(
    first?.history.find((entry) => entry.sk === "EXPIRY#2026-01-11"),
    { points: 120 },
  );
});
