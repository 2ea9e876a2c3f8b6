/**
 * The tiers' events on a real DynamoDB (DynamoDB Local) with the clock moved: `Tier Changed` once
 * per change of level, whichever write records it first (the settle at a release midnight or a
 * period end, a credit, a refund), and `Tier Expiring Soon` once per period. The notices the
 * ledger writes are what its stream publishes (an INSERT each, turned into the event by the one
 * transform), so the events are read from them.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import test from "ava";
import { instrumentedClient, resetTotals } from "../bench/capacity-client";
import { eventOfChange } from "../handlers/domain/entry-events";
import { indexShardOf, tierIndexPk, USER_PK_PREFIX } from "../handlers/domain/ledger-keys";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { DynamoSettle } from "../handlers/ledger/dynamo-settle";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { itemsHolding, scanAll } from "./support/table-scan";
import { TEST_RULES } from "./support/writer-harness";
import { otriumTiers } from "./support/otrium-tiers";

const dynamo = useDynamoLocal();

/** Otrium's levels on a 30-day window, so a period ends within the test's weeks. */
const TIERS = otriumTiers(30);
/** Points pending for 14 days (the return window), then spendable for a year. */
const PENDING: Lifecycle = { pendingDays: 14, expiryDays: 365 };
const USER = "u-1";

function rig(
  harness: Harness,
  {
    lifecycle = PENDING,
    expiringSoonDays = 5,
    documents = harness.documents,
  }: { lifecycle?: Lifecycle; expiringSoonDays?: number; documents?: DynamoDBDocumentClient } = {},
) {
  let clock = Date.parse("2026-03-01T10:00:00.000Z");
  const now = () => new Date(clock);
  const ledger = new DynamoLedger(documents, harness.tableName, undefined, TIERS);
  const write = createBatchWriter({
    ledger,
    rules: parseEarnRules(TEST_RULES),
    logger: createLogger("error", () => {}),
    now,
    lifecycle,
  });
  const settle = new DynamoSettle(documents, harness.tableName, expiringSoonDays, TIERS);
  const send = async (event: Record<string, unknown>) => (await write(sqsBatch(sqsRecord(event)))).batchItemFailures;
  return {
    now,
    at: (instant: string) => {
      clock = Date.parse(instant);
    },
    /** An order of `amount` cents completed and credited now: 1 point per euro. */
    order: (orderId: string, amount: number) => send(orderCompleted({ userId: USER, orderId, amount, completedAt: now().toISOString() })),
    refund: (orderId: string, refundId: string, amount: number) =>
      send(orderRefunded({ userId: USER, orderId, refundId, amount, refundedAt: now().toISOString() })),
    /** The daily settle of `day`, run now. */
    settle: (day: string) => settle.settleDay(day, now()),
  };
}

/** The instant a tier event is about. */
const instantOf = (detail: object): string =>
  "effectiveAt" in detail ? String(detail.effectiveAt) : "until" in detail ? String(detail.until) : "";

/** The tier events the ledger's notices publish, in the order of the instants they are about. */
async function tierEvents(harness: Harness) {
  const items = (await scanAll(harness)).filter((item) => String(item.pk).startsWith(USER_PK_PREFIX) && String(item.sk).startsWith("TIER"));
  return items
    .map((item) => eventOfChange({ eventName: "INSERT", newImage: item }))
    .flatMap((event) => (event === undefined ? [] : [{ detailType: event.detailType, detail: event.detail }]))
    .sort((a, b) => instantOf(a.detail).localeCompare(instantOf(b.detail)));
}

/** The tier index items (who has a period ending on a day), as `<day>`. */
async function tierIndexDays(harness: Harness): Promise<string[]> {
  const shard = indexShardOf(USER);
  return (await scanAll(harness))
    .filter((item) => String(item.pk).startsWith("TIERENDS#") && item.sk === `${USER_PK_PREFIX}${USER}`)
    .map((item) => String(item.pk))
    .map((pk) => {
      const day = pk.slice("TIERENDS#".length, "TIERENDS#".length + 10);
      return pk === tierIndexPk(day, shard) ? day : pk;
    })
    .sort();
}

const up = (effectiveAt: string) => ({
  detailType: "Tier Changed",
  detail: { entryId: `USER#${USER}/TIER#${effectiveAt}#1`, userId: USER, from: "Member", to: "Silver", direction: "up", effectiveAt },
});

test("a rise is told at the release midnight by the settle that visits it, once, however often the settle or a later credit comes", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness);
  t.deepEqual(await order("o-1", 60_000), []); // 600 base points, released at 03-16's midnight
  t.deepEqual(await tierEvents(harness), [], "pending points lift nothing");

  at("2026-03-16T00:15:00.000Z");
  t.like(await settle("2026-03-16"), { tiers: { changes: 1 } });
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")], "effective at the release midnight, not at the settle's run");
  t.deepEqual(await tierIndexDays(harness), ["2026-04-15"], "the period (until 03-16 + 30 days) is indexed for its end");

  t.like(await settle("2026-03-16"), { tiers: { changes: 0 } }, "the settle run again records nothing");
  at("2026-03-16T10:00:00.000Z");
  t.deepEqual(await order("o-2", 10_000), [], "a credit after the settle");
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")], "still one event");
});

test("a credit that lands before the settle records the rise (effective at the release midnight); the settle then finds nothing", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness);
  await order("o-1", 60_000);
  at("2026-03-16T09:00:00.000Z"); // the settle has not run yet (or ran late)
  t.deepEqual(await order("o-2", 10_000), []);
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")]);

  at("2026-03-16T09:30:00.000Z");
  t.like(await settle("2026-03-16"), { tiers: { changes: 0 }, released: { customers: 1 } });
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")], "one event for the one rise");
});

test("points spendable at once count from the next midnight, and the settle of that day tells the rise", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness, { lifecycle: { pendingDays: 0, expiryDays: 0 } });
  await order("o-1", 60_000);
  at("2026-03-02T00:15:00.000Z");
  t.like(await settle("2026-03-02"), { tiers: { changes: 1 }, released: { customers: 0 } }, "no lot to tell released, a level to tell");
  t.deepEqual(await tierEvents(harness), [up("2026-03-02T00:00:00.000Z")]);
});

test("a refund of the promoting order takes the level back: one down event, effective at the refund", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund, settle } = rig(harness);
  await order("o-1", 60_000);
  at("2026-03-16T00:15:00.000Z");
  await settle("2026-03-16");
  at("2026-03-20T12:00:00.000Z");
  t.deepEqual(await refund("o-1", "r-1", 20_000), [], "400 base points left: below Silver");
  t.deepEqual(await refund("o-1", "r-1", 20_000), [], "the refund delivered again");
  const down = {
    detailType: "Tier Changed",
    detail: {
      entryId: `USER#${USER}/TIER#2026-03-20T12:00:00.000Z#0`,
      userId: USER,
      from: "Silver",
      to: "Member",
      direction: "down",
      effectiveAt: "2026-03-20T12:00:00.000Z",
    },
  };
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z"), down]);
  t.deepEqual(await tierIndexDays(harness), ["2026-04-15"], "the period taken back stays listed until its day");
  at("2026-03-21T00:15:00.000Z");
  t.like(await settle("2026-03-21"), { tiers: { changes: 0 } });
  at("2026-04-15T00:15:00.000Z");
  t.like(await settle("2026-04-15"), { tiers: { changes: 0 } }, "the day of the period taken back: nothing to record");
  t.deepEqual(await tierIndexDays(harness), [], "visited, the index item goes");
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z"), down], "nothing more");
});

test("a period's end kept: no event, no warning, a new period indexed for its own end", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness);
  await order("o-1", 60_000); // completed 03-01: out of the window from 03-31
  at("2026-03-16T00:15:00.000Z");
  await settle("2026-03-16");
  at("2026-03-20T10:00:00.000Z");
  await order("o-2", 60_000); // completed 03-20, released 04-04: still in the window on 04-15
  at("2026-04-04T00:15:00.000Z");
  t.like(await settle("2026-04-04"), { tiers: { changes: 0 } }, "already Silver: the release changes nothing");

  at("2026-04-10T00:15:00.000Z");
  t.like(
    await settle("2026-04-10"),
    { tiers: { expiringSoon: { untilDay: "2026-04-15", customers: 0 } } },
    "the level is kept: no warning",
  );
  at("2026-04-15T00:15:00.000Z");
  t.like(await settle("2026-04-15"), { tiers: { changes: 0 } });
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")], "kept: no event");
  t.deepEqual(await tierIndexDays(harness), ["2026-05-15"], "the visited day's item gone, the new period's end indexed");
  t.like(await settle("2026-04-15"), { tiers: { changes: 0 } });
  t.deepEqual(await tierIndexDays(harness), ["2026-05-15"], "the settle run again changes nothing");
});

test("a period's end lowered: warned once, days before; one down event at `until`; a re-run tells nothing more", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness);
  await order("o-1", 60_000);
  at("2026-03-16T00:15:00.000Z");
  await settle("2026-03-16");

  at("2026-04-10T00:15:00.000Z");
  t.like(await settle("2026-04-10"), { tiers: { expiringSoon: { untilDay: "2026-04-15", customers: 1 } } });
  t.like(await settle("2026-04-10"), { tiers: { expiringSoon: { untilDay: "2026-04-15", customers: 0 } } }, "the settle run again");
  at("2026-04-11T00:15:00.000Z");
  t.like(
    await settle("2026-04-11"),
    { tiers: { expiringSoon: { untilDay: "2026-04-16", customers: 0 } } },
    "the next day warns of the next",
  );
  const warning = {
    detailType: "Tier Expiring Soon",
    detail: {
      entryId: `USER#${USER}/TIER-EXPIRING#2026-04-15T00:00:00.000Z`,
      userId: USER,
      tier: "Silver",
      until: "2026-04-15T00:00:00.000Z",
      pointsToKeep: 500,
    },
  };
  t.deepEqual(
    (await tierEvents(harness)).filter((event) => event.detailType === "Tier Expiring Soon"),
    [warning],
  );

  at("2026-04-15T00:15:00.000Z");
  t.like(await settle("2026-04-15"), { tiers: { changes: 1 } });
  t.like(await settle("2026-04-15"), { tiers: { changes: 0 } }, "the settle run again");
  const down = {
    detailType: "Tier Changed",
    detail: {
      entryId: `USER#${USER}/TIER#2026-04-15T00:00:00.000Z#0`,
      userId: USER,
      from: "Silver",
      to: "Member",
      direction: "down",
      effectiveAt: "2026-04-15T00:00:00.000Z",
    },
  };
  t.deepEqual(
    (await tierEvents(harness)).filter((event) => event.detailType === "Tier Changed"),
    [up("2026-03-16T00:00:00.000Z"), down],
  );
  t.deepEqual(await tierIndexDays(harness), [], "Member has no end: nothing indexed");
});

test("a period taken back before its warning day is not warned of", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, refund, settle } = rig(harness);
  await order("o-1", 60_000);
  at("2026-03-16T00:15:00.000Z");
  await settle("2026-03-16");
  at("2026-03-20T12:00:00.000Z");
  await refund("o-1", "r-1", 20_000); // back to Member at once: the period ending 04-15 is gone
  at("2026-04-10T00:15:00.000Z");
  t.like(await settle("2026-04-10"), { tiers: { expiringSoon: { untilDay: "2026-04-15", customers: 0 } } });
  t.deepEqual(
    (await tierEvents(harness)).filter((event) => event.detailType === "Tier Expiring Soon"),
    [],
  );
});

test("a credit landing between the settle's read and its write records the rise; the settle reads again and tells it no second time", async (t) => {
  const harness = await createHarness(dynamo);
  const { at, order, settle } = rig(harness);
  await order("o-1", 60_000);
  at("2026-03-16T00:15:00.000Z");
  harness.interleave({ operation: "TransactWriteItems", match: "TIER#2026-03-16", run: () => order("o-2", 10_000) });
  t.like(await settle("2026-03-16"), { tiers: { changes: 0 } }, "the credit recorded it first");
  t.deepEqual(await tierEvents(harness), [up("2026-03-16T00:00:00.000Z")]);
});

test("erasing a customer leaves nothing of them in the tier and release indexes, a period taken back included", async (t) => {
  const harness = await createHarness(dynamo);
  const { now, at, order, refund, settle } = rig(harness, { lifecycle: { pendingDays: 0, expiryDays: 0 } });
  await order("o-1", 60_000);
  at("2026-03-02T00:15:00.000Z");
  await settle("2026-03-02");
  at("2026-03-02T10:00:00.000Z");
  await refund("o-1", "r-1", 20_000); // Silver taken back: its period (ending 04-01) leaves the state, its index item stays
  await order("o-2", 10_000); // counts from 03-03's midnight: listed in that day's release index
  await order("o-3", 10_000);
  at("2026-03-03T10:00:00.000Z");
  await order("o-4", 10_000); // rolls through 03-03: 600 again, Silver from 03-03 (until 04-02)
  t.deepEqual(await tierIndexDays(harness), ["2026-04-01", "2026-04-02"]);
  await new DynamoErasure(harness.documents, harness.tableName).erase(USER, now());
  t.deepEqual(await itemsHolding(harness, `${USER_PK_PREFIX}${USER}`), []);
});

test("what telling a level costs: the credit that records a rise, the settle's visit that does, and one that finds it recorded", async (t) => {
  const measured: Record<string, { requests: Record<string, number>; writeUnits: number; readUnits: number }> = {};
  const { client, totals } = instrumentedClient(dynamo.endpoint);
  const measure = async (name: string, work: () => Promise<unknown>) => {
    resetTotals(totals);
    await work();
    measured[name] = { requests: { ...totals.byOperation }, writeUnits: totals.writeUnits, readUnits: totals.readUnits };
  };
  const documents = createDocumentClient(client);
  const credited = rig(await createHarness(dynamo), { documents });
  await credited.order("o-1", 60_000);
  await measure("credit, nothing recorded", () => credited.order("o-2", 1_000));
  credited.at("2026-03-16T09:00:00.000Z");
  await measure("credit recording the rise", () => credited.order("o-3", 1_000));
  credited.at("2026-03-16T09:30:00.000Z");
  await measure("settle of the day, rise recorded before", () => credited.settle("2026-03-16"));

  const settled = rig(await createHarness(dynamo), { documents });
  await settled.order("o-1", 60_000);
  settled.at("2026-03-16T00:15:00.000Z");
  await measure("settle of the day recording the rise", () => settled.settle("2026-03-16"));
  client.destroy();
  t.log(JSON.stringify(measured));
  // Recording the rise adds the notice and the period's index item to the credit's one transaction: no request more.
  t.deepEqual(measured["credit, nothing recorded"]?.requests, { GetItem: 1, TransactWriteItems: 1 });
  t.deepEqual(measured["credit recording the rise"]?.requests, { GetItem: 1, TransactWriteItems: 1 });
  // The day's shard queries (16 each: expiry, release, tier ends, tier warnings and the points warnings), then per
  // customer listed for a release: one read (the notice and the tiers plan from it), the notice's write, the
  // index item's delete; the tiers' transaction only when it records something.
  t.deepEqual(measured["settle of the day recording the rise"]?.requests, { Query: 80, GetItem: 1, TransactWriteItems: 2, DeleteItem: 1 });
  t.deepEqual(measured["settle of the day, rise recorded before"]?.requests, {
    Query: 80,
    GetItem: 1,
    TransactWriteItems: 1,
    DeleteItem: 1,
  });
});
