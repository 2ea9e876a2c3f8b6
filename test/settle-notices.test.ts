/**
 * The daily settle's notices on a real DynamoDB (DynamoDB Local): pending points released, and
 * spendable points about to expire, told once per customer and day however often the settle
 * runs — with what they hold at the time (refunds, spending, an early release) — and never shown
 * in the history.
 */
import test from "ava";
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { createLogger } from "../handlers/runtime/log";
import { createSettleRun } from "../handlers/settle/settle-run";
import { createHarness } from "./support/dynamo-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

/** Pending 2 days, expiring 10 days after release, warned 3 days ahead. */
const LIFECYCLE = { pendingDays: 2, expiryDays: 10 };

async function setup({ lifecycle = LIFECYCLE, expiringSoonDays = 3 } = {}) {
  const harness = await createHarness(dynamo);
  return { harness, ...createLifecycleRig(harness, lifecycle, "2026-01-01T10:00:00.000Z", { expiringSoonDays }) };
}

type Rig = Awaited<ReturnType<typeof setup>>;

const item = async (rig: Rig, pk: string, sk: string) =>
  (await rig.harness.documents.send(new GetCommand({ TableName: rig.harness.tableName, Key: { pk, sk } }))).Item;

/** Every item of the table whose partition key starts with `prefix`. */
const itemsUnder = async (rig: Rig, prefix: string) =>
  ((await rig.harness.documents.send(new ScanCommand({ TableName: rig.harness.tableName }))).Items ?? []).filter((found) =>
    String(found.pk).startsWith(prefix),
  );

test("pending points are told released on their day, once, with what they hold then; the index item goes", async (t) => {
  const rig = await setup();
  // Both lots release on 2026-01-04 (completed + 2 days, at the next midnight) and expire on 01-14.
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  await rig.order({ orderId: "o-2", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T11:00:00.000Z" });
  await rig.refund({ orderId: "o-2", userId: "u-1", refundId: "rf", amount: 2_000 });
  t.is((await itemsUnder(rig, "RELEASES#2026-01-04#")).length, 1, "one index item per customer and day");

  rig.at("2026-01-03T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-03", rig.now()), { released: { customers: 0, points: 0 } }, "not its day");
  rig.at("2026-01-04T00:15:00.000Z");
  const first = await rig.settle.settleDay("2026-01-04", rig.now());
  t.like(first, { released: { customers: 1, points: 130 } });
  t.like(await rig.settle.settleDay("2026-01-04", rig.now()), { released: { customers: 0, points: 0 } }, "the settle run twice tells once");
  t.deepEqual(await itemsUnder(rig, "RELEASES#"), [], "visited: the index item is gone");

  t.deepEqual(await item(rig, "USER#u-1", "RELEASE#2026-01-04"), {
    pk: "USER#u-1",
    sk: "RELEASE#2026-01-04",
    kind: "release",
    day: "2026-01-04",
    points: 130,
    lots: { "lot_2026-01-04_2026-01-14": 130 },
    expiresAt: "2026-01-14T00:00:00.000Z",
    occurredAt: "2026-01-04T00:00:00.000Z",
    recordedAt: "2026-01-04T00:15:00.000Z",
  });
  // A notice changes no balance: the history shows the orders and the refund only.
  const history = await rig.ledger.getHistory("u-1", 10);
  t.deepEqual(history.entries.map((entry) => entry.kind).sort(), ["earn", "earn", "reversal"]);
  t.like(await rig.balance(), { balance: 130, pending: 0 });
});

test("points spendable when written are never told released: no pending period, or a backfilled order", async (t) => {
  const immediate = await setup({ lifecycle: { pendingDays: 0, expiryDays: 10 } });
  await immediate.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  t.deepEqual(await itemsUnder(immediate, "RELEASES#"), []);

  const backfill = await setup();
  backfill.at("2026-03-01T08:00:00.000Z");
  await backfill.order({ orderId: "old", userId: "u-1", amount: 10_000, completedAt: "2026-02-20T10:00:00.000Z" });
  t.deepEqual(await itemsUnder(backfill, "RELEASES#"), [], "released on 02-23, before it was written");
  t.like(await backfill.balance(), { balance: 100, pending: 0 });
});

test("a lot refunded whole before its day, or moved by a closed return window, is told on the day it releases", async (t) => {
  const rig = await setup({ lifecycle: { pendingDays: 5, expiryDays: 10 } });
  await rig.order({ orderId: "gone", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // releases 01-07
  await rig.refund({ orderId: "gone", userId: "u-1", refundId: "rf", amount: 10_000 });
  await rig.order({ orderId: "early", userId: "u-2", amount: 4_000, completedAt: "2026-01-01T10:00:00.000Z" }); // releases 01-07
  rig.at("2026-01-02T16:00:00.000Z");
  await rig.windowClosed({ orderId: "early", userId: "u-2", closedAt: "2026-01-02T15:00:00.000Z" }); // now releases 01-03

  rig.at("2026-01-03T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-03", rig.now()), { released: { customers: 1, points: 40 } });
  // The close moves the release only: the points keep the expiry their order earned.
  t.like(await item(rig, "USER#u-2", "RELEASE#2026-01-03"), { points: 40, expiresAt: "2026-01-17T00:00:00.000Z" });
  rig.at("2026-01-07T00:15:00.000Z");
  t.like(
    await rig.settle.settleDay("2026-01-07", rig.now()),
    { released: { customers: 0, points: 0 } },
    "nothing left on the first day: neither is told",
  );
  t.deepEqual(await itemsUnder(rig, "RELEASES#"), [], "both index items visited and gone");
});

test("a return window's close processed after the midnight it releases at tells the release itself, once", async (t) => {
  const rig = await setup({ lifecycle: { pendingDays: 5, expiryDays: 10 } });
  await rig.order({ orderId: "late", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // releases 01-07
  // Closed on 01-02, so released at 01-03's midnight — but processed only on 01-04 (a backlog).
  rig.at("2026-01-04T09:00:00.000Z");
  const closed = { orderId: "late", userId: "u-1", closedAt: "2026-01-02T15:00:00.000Z" };
  await rig.windowClosed(closed);
  await rig.windowClosed(closed);
  t.like(await rig.balance(), { balance: 100, pending: 0 });
  t.deepEqual(await item(rig, "USER#u-1", "RELEASE#2026-01-03#late"), {
    pk: "USER#u-1",
    sk: "RELEASE#2026-01-03#late",
    kind: "release",
    day: "2026-01-03",
    points: 100,
    lots: { "lot_2026-01-03_2026-01-17": 100 },
    expiresAt: "2026-01-17T00:00:00.000Z",
    occurredAt: "2026-01-03T00:00:00.000Z",
    recordedAt: "2026-01-04T09:00:00.000Z",
  });
  // No settle tells it again: not its new day (no index item), nor its old one (nothing left there).
  t.like(await rig.settle.settleDay("2026-01-03", rig.now()), { released: { customers: 0 } });
  rig.at("2026-01-07T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-07", rig.now()), { released: { customers: 0 } });
  const notices = (await itemsUnder(rig, "USER#")).filter((found) => found.kind === "release");
  t.is(notices.length, 1);
});

test("spendable points are warned of their expiry once, the configured days ahead; the expiry still settles", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // 01-04 → 01-14
  await rig.order({ orderId: "o-2", userId: "u-2", amount: 6_000, completedAt: "2026-01-01T10:00:00.000Z" });
  rig.at("2026-01-05T09:00:00.000Z");
  await rig.redeem("r-1", 30);
  await rig.redeem("r-2", 60, "u-2"); // all of u-2's points: nothing left to warn of

  rig.at("2026-01-11T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-10", rig.now()), { expiringSoon: { customers: 0 } }, "four days ahead: not yet");
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { expiringSoon: { customers: 1, points: 70 } });
  t.like(
    await rig.settle.settleDay("2026-01-11", rig.now()),
    { expiringSoon: { customers: 0, points: 0 } },
    "the settle run twice warns once",
  );
  t.like(await item(rig, "USER#u-1", "EXPIRING#2026-01-14"), {
    kind: "expiring-soon",
    day: "2026-01-14",
    points: 70,
    lots: { "lot_2026-01-04_2026-01-14": 70 },
    expiresAt: "2026-01-14T00:00:00.000Z",
    occurredAt: "2026-01-11T00:00:00.000Z",
  });
  t.is(await item(rig, "USER#u-2", "EXPIRING#2026-01-14"), undefined);
  // The expiry index items stay, marked, for the expiry itself.
  const index = await itemsUnder(rig, "EXPIRES#2026-01-14#");
  t.is(index.length, 2);
  t.true(index.every((found) => found.warnedAt === "2026-01-11T00:15:00.000Z"));

  rig.at("2026-01-14T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-14", rig.now()), { customers: 2, entries: 1, points: 70 });
  t.like(await rig.balance(), { balance: 0 });
  const kinds = (await rig.ledger.getHistory("u-1", 10)).entries.map((entry) => entry.kind);
  t.deepEqual(kinds, ["expiry", "redemption", "earn"], "notices stay out of the history");
});

test("a new order of a warned expiry day rewrites its index item: the next run finds the warning written and tells nothing new", async (t) => {
  const rig = await setup({ lifecycle: { pendingDays: 0, expiryDays: 10 } });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // → 01-11
  rig.at("2026-01-08T00:15:00.000Z");
  t.like(await rig.settle.settleDay("2026-01-08", rig.now()), { expiringSoon: { customers: 1, points: 100 } });
  // An order of the same lot lands late (a backfill): its index put clears the mark.
  await rig.order({ orderId: "o-2", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T18:00:00.000Z" });
  t.like(await rig.settle.settleDay("2026-01-08", rig.now()), { expiringSoon: { customers: 0, points: 0 } });
  t.like(await item(rig, "USER#u-1", "EXPIRING#2026-01-11"), { points: 100 }, "the first warning stands");
});

test("expiringSoonDays 0 warns nobody, and costs no queries", async (t) => {
  const rig = await setup({ expiringSoonDays: 0 });
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  rig.at("2026-01-11T00:15:00.000Z");
  rig.harness.requests.length = 0;
  t.like(await rig.settle.settleDay("2026-01-11", rig.now()), { expiringSoon: { customers: 0, points: 0 } });
  t.deepEqual(
    await itemsUnder(rig, "USER#"),
    (await itemsUnder(rig, "USER#")).filter((found) => found.kind !== "expiring-soon"),
  );
  t.is(rig.harness.requests.filter((request) => request === "Query").length, 32, "16 shards each of the expiry and release indexes");
});

test("cost: a quiet day is 48 queries; a release 3 requests; a warning 3 requests", async (t) => {
  const rig = await setup();
  rig.at("2026-01-02T00:15:00.000Z");
  rig.harness.requests.length = 0;
  await rig.settle.settleDay("2026-01-02", rig.now());
  t.deepEqual(
    rig.harness.requests,
    Array.from({ length: 48 }, () => "Query"),
  );

  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  rig.at("2026-01-04T00:15:00.000Z");
  rig.harness.requests.length = 0;
  await rig.settle.settleDay("2026-01-04", rig.now());
  t.deepEqual(
    rig.harness.requests.filter((request) => request !== "Query"),
    ["GetItem", "TransactWriteItems", "DeleteItem"],
  );

  rig.at("2026-01-11T00:15:00.000Z");
  rig.harness.requests.length = 0;
  await rig.settle.settleDay("2026-01-11", rig.now());
  t.deepEqual(
    rig.harness.requests.filter((request) => request !== "Query"),
    ["GetItem", "TransactWriteItems", "UpdateItem"],
  );
});

test("the settle function's run: notices of today and the two days before, so a missed run still tells", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }); // 01-04 → 01-14
  const logged: string[] = [];
  // Two days late: the release of 01-04 is still told.
  const run = createSettleRun({
    settle: rig.settle,
    logger: createLogger("info", (line) => logged.push(line)),
    now: () => new Date("2026-01-06T00:15:00.000Z"),
  });
  t.deepEqual(
    (await run({})).map((report) => [report.day, report.released.points]),
    [
      ["2026-01-04", 100],
      ["2026-01-05", 0],
      ["2026-01-06", 0],
    ],
  );
  t.like(JSON.parse(logged[0] ?? "{}"), { day: "2026-01-04", releasedCustomers: 1, releasedPoints: 100, expiringSoonCustomers: 0 });
});

test("an erasure takes the customer's release and expiry index items too: no item keeps the id", async (t) => {
  const rig = await setup();
  await rig.order({ orderId: "o-1", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  await rig.order({ orderId: "o-2", userId: "u-2", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
  t.is((await itemsUnder(rig, "RELEASES#")).length, 2);
  await new DynamoErasure(rig.harness.documents, rig.harness.tableName).erase("u-1", rig.now());
  const left = (await rig.harness.documents.send(new ScanCommand({ TableName: rig.harness.tableName }))).Items ?? [];
  t.deepEqual(
    left.filter((found) => JSON.stringify(found).includes("u-1")),
    [],
  );
  t.deepEqual(
    (await itemsUnder(rig, "RELEASES#")).map((found) => found.sk),
    ["USER#u-2"],
    "the other customer's stays",
  );
});
