/**
 * Builders of the events and SQS records the writer receives, shaped like the real thing.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../../handlers/domain/contract";

export interface OrderInput {
  orderId: string;
  userId: string;
  amount: number;
  currency?: string;
  completedAt?: string;
}

export interface RefundInput {
  orderId: string;
  userId: string;
  refundId: string;
  amount: number;
  currency?: string;
  refundedAt?: string;
}

function eventBridgeEvent(detailType: string, detail: unknown): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: DEFAULT_EVENT_SOURCE,
    account: "123456789012",
    time: new Date().toISOString(),
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

export function orderCompleted(order: OrderInput): Record<string, unknown> {
  return eventBridgeEvent(DETAIL_TYPES.orderCompleted, {
    orderId: order.orderId,
    userId: order.userId,
    total: { amount: order.amount, currency: order.currency ?? "EUR" },
    completedAt: order.completedAt ?? "2026-11-01T10:00:00.000Z",
  });
}

export function orderRefunded(refund: RefundInput): Record<string, unknown> {
  return eventBridgeEvent(DETAIL_TYPES.orderRefunded, {
    orderId: refund.orderId,
    userId: refund.userId,
    refundId: refund.refundId,
    refund: { amount: refund.amount, currency: refund.currency ?? "EUR" },
    refundedAt: refund.refundedAt ?? "2026-11-02T10:00:00.000Z",
  });
}

/** An SQS record carrying `body` (an event object, or raw text for broken bodies). */
export function sqsRecord(body: unknown, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:loyalty-events",
    awsRegion: "eu-west-1",
  };
}

export function sqsBatch(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** The platform's `Customer Deleted`; `eventId` fixed, so sending it again is a redelivery. */
export function customerDeleted(userId: string, deletedAt: string, eventId: string): Record<string, unknown> {
  return { ...eventBridgeEvent(DETAIL_TYPES.customerDeleted, { userId, deletedAt }), id: eventId, time: deletedAt };
}
