/**
 * The outbound contract and the entry → event transform, on plain items: which ledger changes
 * publish, with what detail, and that the published events never match the rule that feeds the
 * writer (no loop). The same transform on DynamoDB Local's stream is in points-stream.test.ts.
 */
import test from "ava";
import { marshall } from "@aws-sdk/util-dynamodb";
import * as v from "valibot";
import { DEFAULT_EVENT_SOURCE } from "../handlers/domain/contract";
import { eventOfChange, type LedgerChange } from "../handlers/domain/entry-events";
import { CorruptLedgerItemError } from "../handlers/domain/errors";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { POINTS_DETAIL_TYPES, POINTS_EVENT_SOURCE, PointsEventSchema, type PointsEvent } from "../handlers/domain/points-events";
import { publishInOrder, type SequencedStreamRecord } from "../handlers/publisher/publish-in-order";
import { putEventsEntry } from "../handlers/publisher/put-events-entry";
import { LEDGER_STREAM_FILTERS } from "../handlers/ledger/stream-filter";
import { matchesPattern } from "../local/event-pattern-matcher";

const at = { occurredAt: "2026-01-01T10:00:00.000Z", recordedAt: "2026-01-01T10:00:01.000Z" };

const earn = {
  pk: "USER#u-1",
  sk: "ORDER#o-1",
  entryAt: `${at.occurredAt}#ORDER#o-1`,
  kind: "earn",
  orderId: "o-1",
  points: 123,
  amount: 12_345,
  currency: "EUR",
  eventId: "ev-1",
  rateHundredths: 100,
  refundedAmount: 0,
  reversedPoints: 0,
  lot: "lot_2026-02-01_2027-02-01",
  availableAt: "2026-02-01T00:00:00.000Z",
  expiresAt: "2027-02-01T00:00:00.000Z",
  ...at,
};

const parked = {
  pk: "USER#u-1",
  sk: "REFUND#o-2#rf-1",
  entryAt: `${at.occurredAt}#REFUND#o-2#rf-1`,
  kind: "parked-refund",
  orderId: "o-2",
  refundId: "rf-1",
  points: 0,
  amount: 500,
  currency: "EUR",
  eventId: "ev-2",
  ...at,
};

const reversal = { ...parked, kind: "reversal", points: 5, fromLot: 5 };

const redemption = {
  pk: "USER#u-1",
  sk: "REDEEM#r-1",
  entryAt: `${at.occurredAt}#REDEEM#r-1`,
  kind: "redemption",
  redemptionId: "r-1",
  rewardId: "voucher-5",
  points: 50,
  fingerprint: "f",
  balanceAfter: 73,
  draws: { "lot_-_-": 50 },
  ...at,
};

const cancel = {
  pk: "USER#u-1",
  sk: "REDEEM#r-1#CANCEL",
  entryAt: `${at.occurredAt}#REDEEM#r-1#CANCEL`,
  kind: "redemption-cancel",
  redemptionId: "r-1",
  rewardId: "voucher-5",
  points: 50,
  balanceAfter: 113,
  expiredPoints: 10,
  code: "V5-0001",
  ...at,
};

const expiry = {
  pk: "USER#u-1",
  sk: "EXPIRY#2027-02-01",
  entryAt: "2027-02-01T00:00:00.000Z#EXPIRY#2027-02-01",
  kind: "expiry",
  day: "2027-02-01",
  points: 40,
  lots: { "lot_2026-02-01_2027-02-01": 40 },
  occurredAt: "2027-02-01T00:00:00.000Z",
  recordedAt: "2027-02-01T00:15:00.000Z",
};

const adjustment = {
  pk: "USER#u-1",
  sk: "ADJUST#goodwill-7",
  entryAt: `${at.occurredAt}#ADJUST#goodwill-7`,
  kind: "adjustment",
  adjustmentId: "goodwill-7",
  direction: "grant",
  reason: "parcel arrived damaged",
  actor: "arn:aws:iam::123456789012:role/support",
  fingerprint: "f",
  balanceAfter: 250,
  points: 100,
  lot: "lot_2026-01-01_2027-01-01",
  expiresAt: "2027-01-01T00:00:00.000Z",
  ...at,
};

// The settle's notices: keyed by their day, no entry time (they stay out of the history).
const release = {
  pk: "USER#u-1",
  sk: "RELEASE#2026-02-01",
  kind: "release",
  day: "2026-02-01",
  points: 123,
  lots: { "lot_2026-02-01_2027-02-01": 123 },
  expiresAt: "2027-02-01T00:00:00.000Z",
  occurredAt: "2026-02-01T00:00:00.000Z",
  recordedAt: "2026-02-01T00:15:00.000Z",
};

const expiringSoon = {
  pk: "USER#u-1",
  sk: "EXPIRING#2027-02-01",
  kind: "expiring-soon",
  day: "2027-02-01",
  points: 40,
  lots: { "lot_2026-02-01_2027-02-01": 40 },
  expiresAt: "2027-02-01T00:00:00.000Z",
  occurredAt: "2027-01-02T00:00:00.000Z",
  recordedAt: "2027-01-02T00:15:00.000Z",
};

// The tiers' notices: a change keyed by its instant and level, a warning by the period's end.
const tierChanged = {
  pk: "USER#u-1",
  sk: "TIER#2026-02-01T00:00:00.000Z#1",
  kind: "tier-changed",
  from: "Member",
  to: "Silver",
  direction: "up",
  effectiveAt: "2026-02-01T00:00:00.000Z",
  recordedAt: "2026-02-01T00:15:00.000Z",
};

const tierExpiringSoon = {
  pk: "USER#u-1",
  sk: "TIER-EXPIRING#2027-02-01T00:00:00.000Z",
  kind: "tier-expiring-soon",
  tier: "Silver",
  until: "2027-02-01T00:00:00.000Z",
  pointsToKeep: 120,
  occurredAt: "2027-01-02T00:00:00.000Z",
  recordedAt: "2027-01-02T00:15:00.000Z",
};

const DIGEST = "0f1e".padEnd(64, "a");
const tombstone = { pk: `ERASED#${DIGEST}`, sk: "TOMBSTONE", erasedAt: "2026-03-01T09:00:00.000Z", pointsRemoved: 70 };

const insert = (item: Record<string, unknown>): LedgerChange => ({ eventName: "INSERT", newImage: item });

test("a new entry of each kind publishes its event, with what a notification needs", (t) => {
  t.deepEqual(eventOfChange(insert(earn)), {
    detailType: "Points Earned",
    time: at.recordedAt,
    detail: {
      entryId: "USER#u-1/ORDER#o-1",
      userId: "u-1",
      points: 123,
      occurredAt: at.occurredAt,
      orderId: "o-1",
      amount: { amount: 12_345, currency: "EUR" },
      availableAt: "2026-02-01T00:00:00.000Z",
      expiresAt: "2027-02-01T00:00:00.000Z",
    },
  });
  t.deepEqual(eventOfChange(insert(reversal))?.detail, {
    entryId: "USER#u-1/REFUND#o-2#rf-1",
    userId: "u-1",
    points: 5,
    occurredAt: at.occurredAt,
    orderId: "o-2",
    refundId: "rf-1",
    amount: { amount: 500, currency: "EUR" },
  });
  t.deepEqual(eventOfChange(insert(redemption)), {
    detailType: "Points Redeemed",
    time: at.recordedAt,
    detail: {
      entryId: "USER#u-1/REDEEM#r-1",
      userId: "u-1",
      points: 50,
      occurredAt: at.occurredAt,
      redemptionId: "r-1",
      rewardId: "voucher-5",
    },
  });
  // Of the 50 given back, 10 came back to a lot expired meanwhile: the event tells the 40 that moved.
  t.deepEqual(eventOfChange(insert(cancel)), {
    detailType: "Redemption Cancelled",
    time: at.recordedAt,
    detail: {
      entryId: "USER#u-1/REDEEM#r-1#CANCEL",
      userId: "u-1",
      points: 40,
      occurredAt: at.occurredAt,
      redemptionId: "r-1",
      rewardId: "voucher-5",
      code: "V5-0001",
      expiredPoints: 10,
    },
  });
  t.deepEqual(eventOfChange(insert(expiry)), {
    detailType: "Points Expired",
    time: expiry.recordedAt,
    detail: { entryId: "USER#u-1/EXPIRY#2027-02-01", userId: "u-1", points: 40, occurredAt: expiry.occurredAt, day: "2027-02-01" },
  });
  // The settle's notices: what the apps push ("123 points are now yours", "40 points expire on 1 February").
  t.deepEqual(eventOfChange(insert(release)), {
    detailType: "Points Released",
    time: release.recordedAt,
    detail: {
      entryId: "USER#u-1/RELEASE#2026-02-01",
      userId: "u-1",
      points: 123,
      occurredAt: release.occurredAt,
      expiresAt: "2027-02-01T00:00:00.000Z",
    },
  });
  t.deepEqual(eventOfChange(insert(expiringSoon)), {
    detailType: "Points Expiring Soon",
    time: expiringSoon.recordedAt,
    detail: {
      entryId: "USER#u-1/EXPIRING#2027-02-01",
      userId: "u-1",
      points: 40,
      occurredAt: expiringSoon.occurredAt,
      expiresAt: "2027-02-01T00:00:00.000Z",
    },
  });
  // The tiers': a level moves no points, so neither carries any.
  t.deepEqual(eventOfChange(insert(tierChanged)), {
    detailType: "Tier Changed",
    time: tierChanged.recordedAt,
    detail: {
      entryId: "USER#u-1/TIER#2026-02-01T00:00:00.000Z#1",
      userId: "u-1",
      from: "Member",
      to: "Silver",
      direction: "up",
      effectiveAt: "2026-02-01T00:00:00.000Z",
    },
  });
  t.deepEqual(eventOfChange(insert(tierExpiringSoon)), {
    detailType: "Tier Expiring Soon",
    time: tierExpiringSoon.recordedAt,
    detail: {
      entryId: "USER#u-1/TIER-EXPIRING#2027-02-01T00:00:00.000Z",
      userId: "u-1",
      tier: "Silver",
      until: "2027-02-01T00:00:00.000Z",
      pointsToKeep: 120,
    },
  });
  // An erasure reports the points that left the books, with the tombstone's digest, never the id.
  t.deepEqual(eventOfChange(insert(tombstone)), {
    detailType: "Points Erased",
    time: tombstone.erasedAt,
    detail: { entryId: `ERASED#${DIGEST}/TOMBSTONE`, customerDigest: DIGEST, points: 70, occurredAt: tombstone.erasedAt },
  });
  // Customer service's adjustments reach the apps too, with the reason, never who made them.
  t.deepEqual(eventOfChange(insert(adjustment)), {
    detailType: "Points Adjusted",
    time: at.recordedAt,
    detail: {
      entryId: "USER#u-1/ADJUST#goodwill-7",
      userId: "u-1",
      points: 100,
      occurredAt: at.occurredAt,
      adjustmentId: "goodwill-7",
      direction: "grant",
      reason: "parcel arrived damaged",
      expiresAt: "2027-01-01T00:00:00.000Z",
    },
  });
});

test("every event the transform makes is valid under the published contract", (t) => {
  const { rewardId: _older, expiredPoints: _none, code: _noCode, ...olderCancel } = cancel;
  const { availableAt: _atOnce, expiresAt: _never, ...immediateEarn } = earn;
  const take = {
    ...adjustment,
    sk: "ADJUST#fix-8",
    adjustmentId: "fix-8",
    direction: "take",
    lot: undefined,
    expiresAt: undefined,
    draws: {},
  };
  const { expiresAt: _neverExpires, ...neverExpiringRelease } = release;
  for (const item of [
    earn,
    immediateEarn,
    reversal,
    redemption,
    cancel,
    olderCancel,
    expiry,
    adjustment,
    take,
    tombstone,
    release,
    neverExpiringRelease,
    expiringSoon,
    tierChanged,
    tierExpiringSoon,
  ]) {
    const event = eventOfChange(insert(item));
    t.truthy(event, item.sk);
    t.true(v.safeParse(PointsEventSchema, event).success, item.sk);
  }
  t.like(eventOfChange(insert(olderCancel))?.detail, { rewardId: null, code: null, expiredPoints: 0 });
  t.like(eventOfChange(insert(immediateEarn))?.detail, { availableAt: null, expiresAt: null });
  t.like(eventOfChange(insert(neverExpiringRelease))?.detail, { expiresAt: null });
});

test("a parked refund publishes nothing until it is netted into its reversal, then once", (t) => {
  t.is(eventOfChange(insert(parked)), undefined);
  const netted = eventOfChange({ eventName: "MODIFY", oldImage: parked, newImage: reversal });
  t.is(netted?.detailType, POINTS_DETAIL_TYPES.reversed);
  t.like(netted?.detail, { entryId: "USER#u-1/REFUND#o-2#rf-1", points: 5 });
});

test("rewrites, removals and items that are not entries publish nothing", (t) => {
  const refunded = { ...earn, refundedAmount: 500, reversedPoints: 5 };
  t.is(eventOfChange({ eventName: "MODIFY", oldImage: earn, newImage: refunded }), undefined, "an order's running refund totals");
  const released = { ...earn, availableAt: "2026-01-11T00:00:00.000Z", returnWindowClosedAt: "2026-01-10T15:00:00.000Z" };
  t.is(eventOfChange({ eventName: "MODIFY", oldImage: earn, newImage: released }), undefined, "an early release moves the lot's date");
  t.is(eventOfChange({ eventName: "MODIFY", oldImage: reversal, newImage: reversal }), undefined);
  t.is(eventOfChange({ eventName: "REMOVE", oldImage: earn }), undefined);
  const balance = { pk: "USER#u-1", sk: "BALANCE", "lot_-_-": 73, lifetimeEarned: 123, version: 3, updatedAt: at.recordedAt };
  t.is(eventOfChange(insert(balance)), undefined);
  t.is(eventOfChange({ eventName: "MODIFY", oldImage: balance, newImage: { ...balance, version: 4 } }), undefined);
  t.is(eventOfChange(insert({ pk: "EXPIRES#2027-02-01#3", sk: "USER#u-1" })), undefined, "the expiry index");
  t.is(eventOfChange(insert({ pk: "RELEASES#2026-02-01#3", sk: "USER#u-1" })), undefined, "the release index");
  const index = { pk: "EXPIRES#2027-02-01#3", sk: "USER#u-1" };
  t.is(
    eventOfChange({ eventName: "MODIFY", oldImage: index, newImage: { ...index, warnedAt: "2027-01-02T00:15:00.000Z" } }),
    undefined,
    "a warned mark",
  );
  t.is(eventOfChange({ eventName: "MODIFY", oldImage: release, newImage: release }), undefined, "a notice rewritten");
  t.is(eventOfChange({ eventName: "REMOVE", oldImage: release }), undefined, "a notice erased");
});

test("an item that claims to be an entry but does not read as one is an error, never silence", (t) => {
  const { orderId: _lost, ...broken } = earn;
  const error = t.throws(() => eventOfChange(insert(broken)), { instanceOf: CorruptLedgerItemError });
  t.regex(error?.message ?? "", /USER#u-1 ORDER#o-1/);
  const { day: _noDay, ...brokenNotice } = release;
  const noticeError = t.throws(() => eventOfChange(insert(brokenNotice)), { instanceOf: CorruptLedgerItemError });
  t.regex(noticeError?.message ?? "", /USER#u-1 RELEASE#2026-02-01 has a kind but is no notice/);
});

test("no published event matches the rule that feeds the writer, whatever source the stack consumes", (t) => {
  const events = [earn, release, reversal, redemption, cancel, expiry, expiringSoon, adjustment, tombstone, tierChanged, tierExpiringSoon]
    .map((item) => eventOfChange(insert(item)))
    .filter((event): event is PointsEvent => event !== undefined);
  t.deepEqual(new Set(events.map((event) => event.detailType)), new Set(Object.values(POINTS_DETAIL_TYPES)));
  for (const source of [DEFAULT_EVENT_SOURCE, POINTS_EVENT_SOURCE]) {
    for (const event of events) {
      const entry = putEventsEntry(event, "default");
      const envelope = {
        version: "0",
        id: "x",
        source: entry.Source,
        "detail-type": entry.DetailType,
        account: "1",
        time: at.recordedAt,
        region: "eu-west-1",
        resources: [],
        detail: JSON.parse(entry.Detail),
      };
      t.false(matchesPattern(envelope, loyaltyEventPattern(source)), `${event.detailType} against the rule for ${source}`);
    }
  }
});

const record = (sequence: string, item: Record<string, unknown>): SequencedStreamRecord => ({
  eventName: "INSERT",
  dynamodb: { SequenceNumber: sequence, NewImage: marshall(item) },
});

test("a batch publishes in stream order and stops at the first record that fails, naming it", async (t) => {
  const batch = [record("1", earn), record("2", parked), record("3", redemption), record("4", cancel)];
  const sent: string[] = [];
  const failing = new Error("bus throttled");
  const outcome = await publishInOrder(batch, async (event) => {
    if (event.detailType === POINTS_DETAIL_TYPES.redeemed) throw failing;
    sent.push(event.detail.entryId);
  });
  t.deepEqual(sent, ["USER#u-1/ORDER#o-1"], "the cancel waits behind the redemption that failed");
  t.deepEqual(outcome, { published: 1, failed: { at: "3", error: failing } });

  const retried: string[] = [];
  t.deepEqual(await publishInOrder(batch.slice(2), async (event) => void retried.push(event.detail.entryId)), { published: 2 });
  t.deepEqual(retried, ["USER#u-1/REDEEM#r-1", "USER#u-1/REDEEM#r-1#CANCEL"]);
});

test("the mapping's stream filter admits exactly the changes that publish", (t) => {
  const changes: LedgerChange[] = [
    ...[earn, parked, reversal, redemption, cancel, expiry, adjustment, release, expiringSoon, tierChanged, tierExpiringSoon].map(insert),
    { eventName: "MODIFY", oldImage: tierChanged, newImage: tierChanged },
    insert({ pk: "TIERENDS#2027-02-01#3", sk: "USER#u-1" }),
    { eventName: "MODIFY", oldImage: parked, newImage: reversal },
    { eventName: "MODIFY", oldImage: release, newImage: release },
    {
      eventName: "MODIFY",
      oldImage: { pk: "EXPIRES#2027-02-01#3", sk: "USER#u-1" },
      newImage: { pk: "EXPIRES#2027-02-01#3", sk: "USER#u-1", warnedAt: "2027-01-02T00:15:00.000Z" },
    },
    insert({ pk: "RELEASES#2026-02-01#3", sk: "USER#u-1" }),
    // A refund matching a settled lot's expired points rewrites the expiry entry: no new event.
    { eventName: "MODIFY", oldImage: expiry, newImage: { ...expiry, "matched_lot_2026-02-01_2027-02-01": 10 } },
    insert(tombstone),
    { eventName: "REMOVE", oldImage: tombstone },
    { eventName: "MODIFY", oldImage: earn, newImage: { ...earn, refundedAmount: 500, reversedPoints: 5 } },
    { eventName: "REMOVE", oldImage: earn },
    insert({ pk: "USER#u-1", sk: "BALANCE", version: 1 }),
    insert({ pk: "EXPIRES#2027-02-01#3", sk: "USER#u-1" }),
  ];
  for (const change of changes) {
    const record = {
      eventName: change.eventName,
      dynamodb: {
        ...(change.newImage && { NewImage: marshall(change.newImage) }),
        ...(change.oldImage && { OldImage: marshall(change.oldImage) }),
      },
    };
    const admitted = LEDGER_STREAM_FILTERS.some((filter) => matchesPattern(record, filter));
    t.is(admitted, eventOfChange(change) !== undefined, `${change.eventName} ${String(change.newImage?.sk ?? change.oldImage?.sk)}`);
  }
});
