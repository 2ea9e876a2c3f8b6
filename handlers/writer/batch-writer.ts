/**
 * The writer's work: an SQS batch of EventBridge events in, the ids of the records that must
 * be delivered again out (`batchItemFailures`). Each record succeeds or fails on its own; a
 * record is acknowledged only when its write happened or had already happened.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { DETAIL_TYPES, parseLoyaltyEvent, type LoyaltyEvent, type ParsedEvent } from "../domain/contract";
import { earnRateFor, type EarnRules } from "../domain/earn-rules";
import { InvalidEventError } from "../domain/errors";
import { earnEntry } from "../domain/ledger-entries";
import { erasedPk } from "../domain/ledger-keys";
import { IMMEDIATE, type Lifecycle } from "../domain/lifecycle";
import type { DynamoLedger } from "../ledger/dynamo-ledger";
import { publisherRefusal, type Publishers } from "../domain/publishers";
import { forEachLimited } from "../runtime/limited-concurrency";
import { systemClock, type Clock } from "../runtime/clock";
import type { LogFields, Logger } from "../runtime/log";
import { classifyFailure, isAcknowledged, logLevelOf, type RecordOutcome } from "./record-outcome";

export interface BatchWriterDeps {
  ledger: DynamoLedger;
  rules: EarnRules;
  logger: Logger;
  /** The clock that stamps `recordedAt`; tests pin it, the local runtime moves it. */
  now?: Clock;
  /** How many users' records are written at once. */
  concurrency?: number;
  /** Whose events may earn points; everyone's when absent. */
  publishers?: Publishers;
  /** When an order's points release and expire; at once and never when absent. */
  lifecycle?: Lifecycle;
}

/** A record and what its body turned out to be. */
interface Delivery {
  record: SQSRecord;
  parsed: ParsedEvent;
}

/**
 * The ids a log line carries: enough to trace a record, no personal data. The lines of an erased
 * customer, and of a deletion (even one that failed), name the tombstone (a digest of the id),
 * never the id, so the logs keep no copy of it.
 */
function idsOf(event: LoyaltyEvent, outcome: RecordOutcome): LogFields {
  const { detail } = event;
  return {
    eventId: event.id,
    ...(outcome.outcome === "erased" || event["detail-type"] === DETAIL_TYPES.customerDeleted
      ? { tombstone: erasedPk(detail.userId) }
      : { userId: detail.userId }),
    orderId: "orderId" in detail ? detail.orderId : undefined,
    refundId: "refundId" in detail ? detail.refundId : undefined,
  };
}

export function createBatchWriter(deps: BatchWriterDeps) {
  const { ledger, rules, logger, now = systemClock, concurrency = 16, publishers = {}, lifecycle = IMMEDIATE } = deps;

  async function write(event: LoyaltyEvent): Promise<RecordOutcome> {
    const refusal = publisherRefusal(event, publishers);
    if (refusal !== undefined) return { outcome: "invalid", points: 0, reason: refusal };
    const at = now();
    const provenance = { eventId: event.id, recordedAt: at.toISOString() };
    switch (event["detail-type"]) {
      case DETAIL_TYPES.orderCompleted: {
        const order = event.detail;
        return ledger.creditOrder(earnEntry(order, earnRateFor(rules, order.total.currency), provenance, lifecycle));
      }
      case DETAIL_TYPES.orderRefunded:
        return ledger
          .reverseRefund(event.detail, provenance, at, { source: event.source, account: event.account })
          .catch(async (error: unknown): Promise<RecordOutcome> => {
            // Parked before its order and rejected when the order landed: this delivery was answered.
            if (error instanceof InvalidEventError && (await ledger.wasRejected(event.detail))) return { outcome: "duplicate", points: 0 };
            throw error;
          });
      case DETAIL_TYPES.returnWindowClosed:
        return ledger.releaseEarly(event.detail, at);
      case DETAIL_TYPES.customerDeleted: {
        const report = await ledger.erasure.erase(event.detail.userId, at);
        return { outcome: "erased", points: report.pointsRemoved };
      }
    }
  }

  /** Writes one record and logs its outcome; `true` when SQS must deliver it again. */
  async function processRecord({ record, parsed }: Delivery): Promise<boolean> {
    const outcome: RecordOutcome = parsed.ok
      ? await write(parsed.event).catch(classifyFailure)
      : { outcome: "invalid", points: 0, reason: parsed.reason };
    logger.log(logLevelOf(outcome), "record processed", {
      messageId: record.messageId,
      ...(parsed.ok ? idsOf(parsed.event, outcome) : {}),
      ...outcome,
    });
    return !isAcknowledged(outcome);
  }

  return async function writeBatch(batch: SQSEvent): Promise<SQSBatchResponse> {
    const deliveries: Delivery[] = batch.Records.map((record) => ({
      record,
      parsed: parseLoyaltyEvent(record.body),
    }));

    // One user's records run one after another, in delivery order, so they never race each
    // other into transaction conflicts; different users run concurrently.
    const lanes = new Map<string, Delivery[]>();
    for (const delivery of deliveries) {
      const { parsed, record } = delivery;
      const lane = parsed.ok ? `user:${parsed.event.detail.userId}` : `record:${record.messageId}`;
      const queued = lanes.get(lane);
      if (queued) queued.push(delivery);
      else lanes.set(lane, [delivery]);
    }

    const failed = new Set<string>();
    await forEachLimited([...lanes.values()], concurrency, async (lane) => {
      for (const delivery of lane) {
        if (await processRecord(delivery)) failed.add(delivery.record.messageId);
      }
    });

    return {
      batchItemFailures: batch.Records.filter((record) => failed.has(record.messageId)).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
}
