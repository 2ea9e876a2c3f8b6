/**
 * The local runtime: how long `npm start` takes to be ready, and how many order events per
 * second flow end to end (PutEvents → queue → writer → DynamoDB Local, until every balance
 * is right), publishing through the real EventBridge client.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { LOCAL_AWS } from "../local/dynamo-local";
import { startLocalRuntime } from "../local/runtime";
import { SCALE } from "./scale";

export interface LocalRuntimeFigures {
  startupMs: number;
  events: number;
  users: number;
  seconds: number;
  eventsPerSecond: number;
  /** The dev stack's writer settings the runtime ran with. */
  batchSize: number;
  maxConcurrency: number;
}

export async function measureLocalRuntime(events: number = SCALE.localRuntimeEvents, users = 50): Promise<LocalRuntimeFigures> {
  const started = Date.now();
  const runtime = await startLocalRuntime({ port: 0, logLevel: "error" });
  const startupMs = Date.now() - started;
  try {
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: runtime.endpoint });
    const entries = Array.from({ length: events }, (_, i) => ({
      Source: "otrium.ecommerce",
      DetailType: DETAIL_TYPES.orderCompleted,
      Detail: JSON.stringify({
        orderId: `bench-${i}`,
        userId: `bench-user-${i % users}`,
        total: { amount: 10_000, currency: "EUR" },
        completedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
      }),
    }));
    const t0 = Date.now();
    const batches = [];
    for (let i = 0; i < entries.length; i += 10) batches.push(entries.slice(i, i + 10));
    // Four publishers at once, like a busy platform.
    for (let i = 0; i < batches.length; i += 4) {
      await Promise.all(batches.slice(i, i + 4).map((Entries) => client.send(new PutEventsCommand({ Entries }))));
    }
    const perUser = (events / users) * 100;
    for (let u = 0; u < users; u++) {
      for (;;) {
        const response = await fetch(`${runtime.endpoint}/points/bench-user-${u}`);
        const body = (await response.json()) as { balance: number };
        if (body.balance >= perUser) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    client.destroy();
    return {
      startupMs,
      events,
      users,
      seconds,
      eventsPerSecond: Math.round(events / seconds),
      batchSize: runtime.settings.batchSize,
      maxConcurrency: runtime.settings.maxConcurrency,
    };
  } finally {
    await runtime.stop();
  }
}
