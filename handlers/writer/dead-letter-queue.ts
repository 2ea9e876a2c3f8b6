/**
 * The writer's own sends to its queue's DLQ (`DLQ_URL`): the body as the queue would have moved
 * it there, and the reason as a message attribute, which the DLQ's readers show.
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetters } from "./rejected-refunds";

export function sqsDeadLetters(client: SQSClient, queueUrl: string): DeadLetters {
  return async (body, reason) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: { reason: { DataType: "String", StringValue: reason } },
      }),
    );
  };
}
