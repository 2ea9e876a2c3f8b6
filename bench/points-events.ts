/**
 * Points events: how long from a ledger write's commit to its event on the local bus (the local
 * runtime's stream tail, the same transform and `PutEvents` checks as the stack's publisher),
 * one write at a time and in a burst; and what the transform costs per stream record, the
 * publisher function's own work. `tsx bench/points-events.ts` prints the figures.
 */
import "../cli/quiet-sdk-warning";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { performance } from "node:perf_hooks";
import { eventOfChange } from "../handlers/domain/entry-events";
import { earnEntry } from "../handlers/domain/ledger-entries";
import { IMMEDIATE } from "../handlers/domain/lifecycle";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { changeOfRecord } from "../handlers/ledger/stream-changes";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { LOCAL_AWS } from "../local/dynamo-local";
import { startLocalRuntime, type LocalRuntime } from "../local/runtime";

export interface PointsEventFigures {
  /** Commit → event on the local bus, one write at a time, in ms. */
  single: { writes: number; p50: number; p95: number; max: number };
  /** The same under a burst of concurrent writes from many customers. */
  burst: { writes: number; users: number; p50: number; p95: number; max: number; eventsPerSecond: number };
  /** Stream record → event (unmarshall, validate, map), in microseconds per record. */
  transformMicros: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const order = (i: number, userId: string) => ({
  orderId: `bench-${i}`,
  userId,
  total: { amount: 10_000, currency: "EUR" },
  completedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
});

/** Waits, polling the bus's log every millisecond, until `entryIds` are all out; returns when each was first seen. */
async function seenAt(runtime: LocalRuntime, entryIds: Set<string>, from: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let after = from;
  const deadline = performance.now() + 60_000;
  while (seen.size < entryIds.size && performance.now() < deadline) {
    const page = runtime.events.list({ after });
    after = page.seen;
    const now = performance.now();
    for (const event of page.events) {
      const id = event.detail.entryId;
      if (typeof id === "string" && entryIds.has(id) && !seen.has(id)) seen.set(id, now);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return seen;
}

export async function measurePointsEvents(singleWrites = 100, burstWrites = 1_000, users = 50): Promise<PointsEventFigures> {
  const runtime = await startLocalRuntime({ port: 0, logLevel: "error" });
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: runtime.dynamoEndpoint });
  const ledger = new DynamoLedger(createDocumentClient(client), runtime.settings.tableName);
  const rate = { currency: "EUR", rateHundredths: 100 };
  const credit = async (i: number, userId: string) => {
    const entry = earnEntry(order(i, userId), rate, { eventId: `bench-${i}`, recordedAt: new Date().toISOString() }, IMMEDIATE);
    await ledger.creditOrder(entry);
    return { id: `${entry.pk}/${entry.sk}`, committedAt: performance.now() };
  };
  try {
    const single: number[] = [];
    for (let i = 0; i < singleWrites; i++) {
      const from = runtime.events.list().seen;
      const { id, committedAt } = await credit(i, "bench-single");
      const at = (await seenAt(runtime, new Set([id]), from)).get(id);
      if (at !== undefined) single.push(at - committedAt);
    }
    single.sort((a, b) => a - b);

    const from = runtime.events.list().seen;
    const started = performance.now();
    const commits = new Map<string, number>();
    const waiting = seenAt(
      runtime,
      new Set(Array.from({ length: burstWrites }, (_, i) => `USER#bench-u${i % users}/ORDER#bench-${singleWrites + i}`)),
      from,
    );
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        for (let i = u; i < burstWrites; i += users) {
          const { id, committedAt } = await credit(singleWrites + i, `bench-u${u}`);
          commits.set(id, committedAt);
        }
      }),
    );
    const seen = await waiting;
    const elapsed = (Math.max(...seen.values()) - started) / 1000;
    const burst = [...seen].map(([id, at]) => at - (commits.get(id) ?? at)).sort((a, b) => a - b);

    const record = {
      eventName: "INSERT",
      dynamodb: { NewImage: marshall(earnEntry(order(1, "u-1"), rate, { eventId: "e", recordedAt: new Date().toISOString() }, IMMEDIATE)) },
    };
    const runs = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) eventOfChange(changeOfRecord(record));
    const transformMicros = ((performance.now() - t0) * 1000) / runs;

    return {
      single: { writes: single.length, p50: quantile(single, 0.5), p95: quantile(single, 0.95), max: single.at(-1) ?? NaN },
      burst: {
        writes: burst.length,
        users,
        p50: quantile(burst, 0.5),
        p95: quantile(burst, 0.95),
        max: burst.at(-1) ?? NaN,
        eventsPerSecond: seen.size / elapsed,
      },
      transformMicros,
    };
  } finally {
    client.destroy();
    await runtime.stop();
  }
}

if (require.main === module) {
  measurePointsEvents()
    .then((figures) =>
      console.log(JSON.stringify(figures, (_, value: unknown) => (typeof value === "number" ? Math.round(value * 10) / 10 : value), 2)),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
