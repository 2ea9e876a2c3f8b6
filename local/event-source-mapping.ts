/**
 * Lambda's SQS event source mapping, on this machine: `maxConcurrency` pollers each gather up
 * to `batchSize` messages (within the batching window), invoke the handler with the SQS event
 * Lambda would build, then delete only the records not in `batchItemFailures` (none when the
 * handler throws). Failed records stay hidden for the visibility timeout, then come back; the
 * queue's redrive policy moves them to the DLQ after `maxReceiveCount` receives.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Records per invocation. */
  batchSize: number;
  /** Seconds spent gathering a batch before invoking with what arrived. */
  batchingWindowSeconds: number;
  /** Pollers, i.e. most invocations at once. */
  maxConcurrency: number;
  // biome-ignore lint/suspicious/noConfusingVoidType: the Lambda handler type the writer is written against
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Told about an invocation that threw (the batch is then retried whole). */
  onInvocationError?: (error: unknown) => void;
  /** Told about a receive or delete that failed. */
  onPollError?: (error: unknown) => void;
}

export interface EventSourceMapping {
  /** Stops polling and resolves once every in-flight batch is finished and acknowledged. */
  stop(): Promise<void>;
}

/** Long-poll wait: short, so that a stop never waits long for an empty receive. */
const WAIT_SECONDS = 1;

function toRecord(message: Message, options: EventSourceMappingOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  let running = true;

  async function gatherBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const deadline = Date.now() + options.batchingWindowSeconds * 1000;
    do {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.batchSize - batch.length),
          WaitTimeSeconds: WAIT_SECONDS,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      batch.push(...Messages);
    } while (running && batch.length < options.batchSize && Date.now() < deadline);
    return batch;
  }

  async function invoke(batch: Message[]): Promise<void> {
    const records = batch.map((message) => toRecord(message, options));
    let failed: Set<string>;
    try {
      const response = await options.handler({ Records: records });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      options.onInvocationError?.(error);
      failed = new Set(records.map((record) => record.messageId));
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    for (let i = 0; i < done.length; i += 10) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.slice(i, i + 10).map((record, j) => ({ Id: String(j), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
  }

  async function poller(): Promise<void> {
    while (running) {
      try {
        const batch = await gatherBatch();
        if (batch.length > 0) await invoke(batch);
      } catch (error) {
        // The queue itself failed (e.g. it is shutting down): report, breathe, poll again.
        options.onPollError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  const pollers = Array.from({ length: options.maxConcurrency }, poller);
  return {
    async stop() {
      running = false;
      await Promise.all(pollers);
    },
  };
}
