/** SQS records as the event source mapping hands them to the writer, around an EventBridge event. */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";

/** The publishing account of every benchmark event, admitted as `PUBLISHER_ACCOUNTS` would. */
export const BENCH_PUBLISHER_ACCOUNT = "000000000000";

export function sqsRecordOf(event: Record<string, unknown>): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: "r",
    body: JSON.stringify(event),
    attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "s", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:eu-west-1:${BENCH_PUBLISHER_ACCOUNT}:bench`,
    awsRegion: "eu-west-1",
  };
}
