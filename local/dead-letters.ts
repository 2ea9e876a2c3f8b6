/**
 * What `npm run local:dlq` shows of each message waiting in the DLQ: when it was sent, how often
 * the writer was given it and when first, and why it failed — the event contract's own reason
 * when the body breaks it; otherwise where the writer's log line for it is.
 */
import { parseLoyaltyEvent } from "../handlers/domain/contract";

/** A DLQ message as fauxqs holds it. */
export interface HeldMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number;
}

export interface DeadLetter {
  messageId: string;
  sentAt: string;
  /** Deliveries to the writer before SQS moved it here. */
  receiveCount: number;
  firstReceivedAt: string | null;
  why: string;
  /** The EventBridge event (parsed JSON), or the body as sent when it is not JSON. */
  event: unknown;
}

export function describeDeadLetter(message: HeldMessage): DeadLetter {
  const parsed = parseLoyaltyEvent(message.body);
  // fauxqs counts the receive that found the limit exceeded and moved the message.
  const deliveries = Math.max(0, message.approximateReceiveCount - 1);
  const why = parsed.ok
    ? `the event meets the contract, and the writer refused it ${deliveries} time(s): its log line with "messageId":"${message.messageId}" gives the reason (e.g. a currency with no earn rule, or a refund whose order never came)`
    : `breaks the event contract: ${parsed.reason}`;
  let event: unknown = message.body;
  try {
    event = JSON.parse(message.body);
  } catch {
    // shown as sent
  }
  return {
    messageId: message.messageId,
    sentAt: new Date(message.sentTimestamp).toISOString(),
    receiveCount: deliveries,
    firstReceivedAt: message.approximateFirstReceiveTimestamp ? new Date(message.approximateFirstReceiveTimestamp).toISOString() : null,
    why,
    event,
  };
}
