/**
 * The publisher function's batch handler: stream records in, one `PutEvents` entry per points
 * event on the configured bus, the first unpublished record reported as the checkpoint.
 */
import test from "ava";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { PointsEventEntry } from "../handlers/publisher/put-events-entry";
import { createStreamPublisher, type PutEntry } from "../handlers/publisher/stream-publisher";
import { createLogger } from "../handlers/runtime/log";

const base = { pk: "USER#u-1", occurredAt: "2026-01-01T10:00:00.000Z", recordedAt: "2026-01-01T10:00:01.000Z" };
const earn = {
  ...base,
  sk: "ORDER#o-1",
  entryAt: "x",
  kind: "earn",
  orderId: "o-1",
  points: 10,
  amount: 1_000,
  currency: "EUR",
  eventId: "e",
  rateHundredths: 100,
  refundedAmount: 0,
  reversedPoints: 0,
};
const redemption = {
  ...base,
  sk: "REDEEM#r-1",
  entryAt: "y",
  kind: "redemption",
  redemptionId: "r-1",
  rewardId: "voucher-5",
  points: 5,
  fingerprint: "f",
  balanceAfter: 5,
};
const balance = { pk: "USER#u-1", sk: "BALANCE", "lot_-_-": 10, version: 1 };

const insert = (sequence: string, item: Record<string, unknown>) => ({
  eventName: "INSERT",
  dynamodb: { SequenceNumber: sequence, NewImage: marshall(item) },
});
const batch = { Records: [insert("1", earn), insert("2", balance), insert("3", redemption)] };

function publisher(answer: (entry: PointsEventEntry) => Awaited<ReturnType<PutEntry>>) {
  const sent: PointsEventEntry[] = [];
  const lines: string[] = [];
  const handler = createStreamPublisher({
    putEntry: async (entry) => {
      sent.push(entry);
      return answer(entry);
    },
    eventBusName: "loyalty-bus",
    logger: createLogger("info", (line) => lines.push(line)),
  });
  return { handler, sent, lines };
}

test("each points event is one PutEvents entry on the configured bus, in stream order", async (t) => {
  const { handler, sent, lines } = publisher(() => ({ failedEntryCount: 0 }));
  t.deepEqual(await handler(batch), { batchItemFailures: [] });
  t.deepEqual(
    sent.map((entry) => [entry.Source, entry.DetailType, entry.EventBusName, entry.Time.toISOString()]),
    [
      ["otrium.loyalty", "Points Earned", "loyalty-bus", base.recordedAt],
      ["otrium.loyalty", "Points Redeemed", "loyalty-bus", base.recordedAt],
    ],
  );
  t.like(JSON.parse(sent[1]?.Detail ?? "{}"), { entryId: "USER#u-1/REDEEM#r-1", rewardId: "voucher-5", points: 5 });
  t.is(lines.length, 2);
});

test("an entry EventBridge refuses is the batch's checkpoint: reported, and nothing after it is sent", async (t) => {
  const { handler, sent, lines } = publisher((entry) =>
    entry.DetailType === "Points Earned"
      ? { failedEntryCount: 1, errorCode: "ThrottlingException", errorMessage: "Rate exceeded" }
      : { failedEntryCount: 0 },
  );
  t.deepEqual(await handler(batch), { batchItemFailures: [{ itemIdentifier: "1" }] });
  t.is(sent.length, 1);
  t.regex(lines.at(-1) ?? "", /"publish failed".*"sequenceNumber":"1".*ThrottlingException Rate exceeded/);
});
