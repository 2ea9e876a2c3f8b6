/**
 * The reader through the local runtime's HTTP endpoint, under autocannon (in its own process,
 * so the load generator does not share the server's event loop): requests/s and p50/p99
 * latency for a balance and for one history page, at 10 and 50 connections.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { LOCAL_AWS } from "../local/dynamo-local";
import { startLocalRuntime } from "../local/runtime";

export interface ReaderFigures {
  route: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const AUTOCANNON = path.resolve(__dirname, "../node_modules/autocannon/autocannon.js");
const SECONDS = 5;

interface AutocannonJson {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
}

export async function measureReader(): Promise<ReaderFigures[]> {
  const runtime = await startLocalRuntime({ port: 0, logLevel: "error" });
  try {
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: runtime.endpoint });
    for (let i = 0; i < 30; i += 10) {
      const Entries = Array.from({ length: 10 }, (_, j) => ({
        Source: "otrium.ecommerce",
        DetailType: DETAIL_TYPES.orderCompleted,
        Detail: JSON.stringify({
          orderId: `read-${i + j}`,
          userId: "bench-reader",
          total: { amount: 5_000, currency: "EUR" },
          completedAt: new Date(Date.UTC(2026, 10, 1, 0, i + j)).toISOString(),
        }),
      }));
      await client.send(new PutEventsCommand({ Entries }));
    }
    client.destroy();
    for (;;) {
      const body = (await (await fetch(`${runtime.endpoint}/points/bench-reader`)).json()) as { lifetimeEarned: number };
      if (body.lifetimeEarned === 1_500) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const figures: ReaderFigures[] = [];
    for (const route of ["/points/bench-reader", "/points/bench-reader/history?limit=20"]) {
      for (const connections of [10, 50]) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [AUTOCANNON, "-j", "-c", String(connections), "-d", String(SECONDS), `${runtime.endpoint}${route}`],
          { maxBuffer: 16 * 1024 * 1024 },
        );
        const result = JSON.parse(stdout) as AutocannonJson;
        figures.push({
          route: route.replace("bench-reader", "{userId}"),
          connections,
          requestsPerSecond: Math.round(result.requests.average),
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          non2xx: result.non2xx,
        });
      }
    }
    return figures;
  } finally {
    await runtime.stop();
  }
}
