/**
 * The rule's queue and its DLQ, served by fauxqs (an SQS-API server in this process) with the
 * dev stack's visibility timeout and redrive policy. fauxqs keeps messages in memory only, so
 * with a data directory the messages still waiting are written out on stop and sent again on
 * the next start: a restart loses nothing.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describeDeadLetter, type DeadLetter, type HeldMessage } from "./dead-letters";
import { LOCAL_AWS } from "./dynamo-local";
import type { LocalSettings } from "./settings";

export const QUEUE_NAME = "loyalty-events";
export const DLQ_NAME = "loyalty-events-dlq";

export interface LocalQueues {
  /** The SQS API endpoint (for `aws sqs --endpoint-url`). */
  endpoint: string;
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  /** The messages waiting in the DLQ, described, without receiving them. */
  deadLetters(): DeadLetter[];
  /** Moves every DLQ message back to the queue (after the cause is fixed); returns how many. */
  redrive(): Promise<number>;
  /** Stops the server, first saving waiting messages when there is a data directory. */
  stop(): Promise<void>;
}

type SavedMessages = Record<typeof QUEUE_NAME | typeof DLQ_NAME, string[]>;

export async function startQueues(settings: LocalSettings): Promise<LocalQueues> {
  // fauxqs is published as ECMAScript modules only; a dynamic import loads it from CommonJS.
  const { startFauxqs } = await import("fauxqs");
  const server = await startFauxqs({ port: 0, logger: false, defaultRegion: settings.region });
  const dlq = server.createQueue(DLQ_NAME, { attributes: { MessageRetentionPeriod: "1209600" } });
  const queue = server.createQueue(QUEUE_NAME, {
    attributes: {
      VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: settings.maxReceiveCount }),
    },
  });
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: server.address });
  const urls = { [QUEUE_NAME]: queue.queueUrl, [DLQ_NAME]: dlq.queueUrl };

  const stateFile = settings.dataDir === undefined ? undefined : path.join(settings.dataDir, "queues.json");
  if (stateFile && existsSync(stateFile)) {
    const saved = JSON.parse(readFileSync(stateFile, "utf8")) as SavedMessages;
    for (const name of [QUEUE_NAME, DLQ_NAME] as const) {
      for (const body of saved[name] ?? []) {
        await sqs.send(new SendMessageCommand({ QueueUrl: urls[name], MessageBody: body }));
      }
    }
    rmSync(stateFile);
  }

  const held = (name: string): HeldMessage[] => {
    const messages = server.inspectQueue(name)?.messages;
    if (!messages) return [];
    return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)];
  };
  const waiting = (name: string): string[] => held(name).map((message) => message.body);

  return {
    endpoint: server.address,
    sqs,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    dlqUrl: dlq.queueUrl,
    deadLetters: () => held(DLQ_NAME).map(describeDeadLetter),
    async redrive() {
      let moved = 0;
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return moved;
        for (const message of Messages) {
          await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: message.Body ?? "" }));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.queueUrl, ReceiptHandle: message.ReceiptHandle }));
          moved++;
        }
      }
    },
    async stop() {
      if (stateFile) {
        const saved: SavedMessages = { [QUEUE_NAME]: waiting(QUEUE_NAME), [DLQ_NAME]: waiting(DLQ_NAME) };
        if (saved[QUEUE_NAME].length + saved[DLQ_NAME].length > 0) writeFileSync(stateFile, JSON.stringify(saved));
      }
      sqs.destroy();
      await server.stop();
    },
  };
}
