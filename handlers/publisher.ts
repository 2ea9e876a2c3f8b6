/**
 * Lambda entry of the publisher: the ledger table's stream → points events on the bus. Every
 * change to a customer's points is published once, from the ledger itself (see
 * `domain/entry-events.ts` for which changes publish what).
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { readEnv } from "./runtime/env";
import { createLogger } from "./runtime/log";
import { createStreamPublisher } from "./publisher/stream-publisher";

const env = readEnv();
const eventBridge = new EventBridgeClient({});

export const handler = createStreamPublisher({
  putEntry: async (entry) => {
    const { FailedEntryCount = 0, Entries = [] } = await eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
    return { failedEntryCount: FailedEntryCount, errorCode: Entries[0]?.ErrorCode, errorMessage: Entries[0]?.ErrorMessage };
  },
  eventBusName: env.EVENT_BUS_NAME,
  logger: createLogger(env.LOG_LEVEL),
});
