/**
 * The writer, reader, redeemer and settle over one harness table, sharing a clock the test moves.
 */
import { randomUUID } from "node:crypto";
import { DETAIL_TYPES, DEFAULT_EVENT_SOURCE } from "../../handlers/domain/contract";
import { parseEarnRules } from "../../handlers/domain/earn-rules";
import type { Lifecycle } from "../../handlers/domain/lifecycle";
import type { Tiers } from "../../handlers/domain/tier-settings";
import { DynamoLedger } from "../../handlers/ledger/dynamo-ledger";
import { DynamoRedemptions } from "../../handlers/ledger/dynamo-redemptions";
import { pricedRewards } from "./priced-rewards";
import { DynamoSettle } from "../../handlers/ledger/dynamo-settle";
import { createLogger } from "../../handlers/runtime/log";
import { createBatchWriter } from "../../handlers/writer/batch-writer";
import { reportRejectedRefunds, type DeadLetters } from "../../handlers/writer/rejected-refunds";
import type { Harness } from "./dynamo-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord, type OrderInput, type RefundInput } from "./events";
import { TEST_RULES } from "./writer-harness";

export function createLifecycleRig(
  harness: Harness,
  lifecycle: Lifecycle,
  start: string,
  { expiringSoonDays, deadLetters, tiers }: { expiringSoonDays?: number; deadLetters?: DeadLetters; tiers?: Tiers } = {},
) {
  let clock = Date.parse(start);
  const now = () => new Date(clock);
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line));
  const ledger = new DynamoLedger(harness.documents, harness.tableName, reportRejectedRefunds(logger, deadLetters), tiers);
  const write = createBatchWriter({ ledger, rules: parseEarnRules(TEST_RULES), logger, now, lifecycle });
  const redemptions = new DynamoRedemptions(harness.documents, harness.tableName);
  const priced = pricedRewards(harness);
  const settle = new DynamoSettle(harness.documents, harness.tableName, expiringSoonDays, tiers);
  const send = async (event: Record<string, unknown>) => (await write(sqsBatch(sqsRecord(event)))).batchItemFailures;
  return {
    /** The writer itself, for a batch of many records. */
    write,
    ledger,
    redemptions,
    settle,
    now,
    at: (instant: string) => {
      clock = Date.parse(instant);
    },
    /** Every log line, parsed. */
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    outcomes: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).map((line) => [line.outcome, line.points]),
    order: (order: OrderInput) => send(orderCompleted(order)),
    refund: (refund: RefundInput) => send(orderRefunded(refund)),
    windowClosed: (detail: { orderId: string; userId: string; closedAt: string }) =>
      send({
        version: "0",
        id: randomUUID(),
        "detail-type": DETAIL_TYPES.returnWindowClosed,
        source: DEFAULT_EVENT_SOURCE,
        account: "123456789012",
        time: detail.closedAt,
        region: "eu-west-1",
        resources: [],
        detail,
      }),
    balance: (userId = "u-1") => ledger.getBalance(userId, now()),
    /** A reward of the catalogue that costs `points` (put once, its requests not counted): `reward-<points>`. */
    priced,
    redeem: async (redemptionId: string, points: number, userId = "u-1") =>
      redemptions.redeem(userId, { redemptionId, points, rewardId: await priced(points) }, now),
    cancel: (redemptionId: string, userId = "u-1") => redemptions.cancel(userId, redemptionId, now),
  };
}
