/**
 * The reader through the local runtime's HTTP endpoint, under autocannon (in its own process,
 * so the load generator does not share the server's event loop): requests/s and p50/p99
 * latency for a balance and for one history page, at 10 and 50 connections — each beside its
 * floor, the one DynamoDB request the route makes, on the same table, item and DynamoDB Local,
 * at the same number in flight for the same time:
 *   HTTP floor: a bare `node:http` server (in this process, like the runtime) answering each
 *               request with that one raw request's result, under the same autocannon run —
 *               what HTTP plus DynamoDB cost with nothing of ours in between;
 *   SDK floor:  that raw request in a loop from this process, no HTTP in front — what
 *               DynamoDB Local and the SDK alone allow.
 * What the reader adds over the HTTP floor is the local API Gateway's event, routing, the
 * caller check, validation, the ledger's parsing and the response.
 */
import { execFile } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { BALANCE_SK, userPk } from "../handlers/domain/ledger-keys";
import { LEDGER_TABLE } from "../handlers/ledger/table";
import { LOCAL_AWS } from "../local/dynamo-local";
import { startLocalRuntime } from "../local/runtime";
import { SCALE } from "./scale";
import { listenOnLoopback } from "./loopback";

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx (the SDK floor counts thrown errors). */
  failures: number;
}

export interface ReaderFigures {
  route: string;
  /** The one DynamoDB request behind the route, which the floors make. */
  floorRequest: "GetItem" | "Query";
  connections: number;
  reader: LoadFigures;
  httpFloor: LoadFigures;
  sdkFloor: LoadFigures;
}

const AUTOCANNON = path.resolve(__dirname, "../node_modules/autocannon/autocannon.js");
export const LOAD_SECONDS = SCALE.loadSeconds;
export const CONNECTIONS = [10, 50] as const;
const USER = "bench-reader";
const HISTORY_LIMIT = 20;

interface AutocannonJson {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

async function autocannon(url: string, connections: number, seconds: number): Promise<LoadFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [AUTOCANNON, "-j", "-c", String(connections), "-d", String(seconds), url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as AutocannonJson;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

/** `send` kept `inFlight` times in flight for `seconds`, from this process. */
async function sdkLoop(send: () => Promise<unknown>, inFlight: number, seconds: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  const lane = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t = process.hrtime.bigint();
      try {
        await send();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const round1 = (ms: number) => Math.round(ms * 10) / 10;
  return {
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: round1(percentile(latencies, 0.5)),
    p99Ms: round1(percentile(latencies, 0.99)),
    failures,
  };
}

/** The bare HTTP floor: each request makes the one DynamoDB request of the route it names. */
async function startFloorServer(requests: Record<string, () => Promise<unknown>>): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const send = requests[request.url ?? ""];
    if (!send) {
      response.writeHead(404).end();
      return;
    }
    send().then(
      (result) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result)),
      () => response.writeHead(500).end(),
    );
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

export async function measureReader(): Promise<ReaderFigures[]> {
  const runtime = await startLocalRuntime({ port: 0, logLevel: "error" });
  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: runtime.dynamoEndpoint });
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: runtime.endpoint });
    for (let i = 0; i < 30; i += 10) {
      const Entries = Array.from({ length: 10 }, (_, j) => ({
        Source: "otrium.ecommerce",
        DetailType: DETAIL_TYPES.orderCompleted,
        Detail: JSON.stringify({
          orderId: `read-${i + j}`,
          userId: USER,
          total: { amount: 5_000, currency: "EUR" },
          completedAt: new Date(Date.UTC(2026, 10, 1, 0, i + j)).toISOString(),
        }),
      }));
      await client.send(new PutEventsCommand({ Entries }));
    }
    client.destroy();
    for (;;) {
      const body = (await (await fetch(`${runtime.endpoint}/points/${USER}`)).json()) as { lifetimeEarned: number };
      if (body.lifetimeEarned === 1_500) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The very requests the ledger makes for these routes (`getBalance`, `getHistory`'s first page).
    const TableName = runtime.settings.tableName;
    const pk = { S: userPk(USER) };
    const getItem = () => dynamo.send(new GetItemCommand({ TableName, Key: { pk, sk: { S: BALANCE_SK } } }));
    const query = () =>
      dynamo.send(
        new QueryCommand({
          TableName,
          IndexName: LEDGER_TABLE.historyIndex.name,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ScanIndexForward: false,
          Limit: HISTORY_LIMIT + 1,
        }),
      );
    floor = await startFloorServer({ "/get-item": getItem, "/query": query });

    const routes = [
      { route: `/points/${USER}`, floorRequest: "GetItem" as const, floorPath: "/get-item", send: getItem },
      { route: `/points/${USER}/history?limit=${HISTORY_LIMIT}`, floorRequest: "Query" as const, floorPath: "/query", send: query },
    ];
    // Warm-up, not measured: JIT and connections for each server.
    for (const { route, floorPath } of routes) {
      await autocannon(`${runtime.endpoint}${route}`, 10, 1);
      await autocannon(`${floor.endpoint}${floorPath}`, 10, 1);
    }

    const figures: ReaderFigures[] = [];
    for (const { route, floorRequest, floorPath, send } of routes) {
      for (const connections of CONNECTIONS) {
        // Side by side in time, so that the machine's load is as alike as it can be.
        const reader = await autocannon(`${runtime.endpoint}${route}`, connections, LOAD_SECONDS);
        const httpFloor = await autocannon(`${floor.endpoint}${floorPath}`, connections, LOAD_SECONDS);
        const sdkFloor = await sdkLoop(send, connections, LOAD_SECONDS);
        figures.push({ route: route.replace(USER, "{userId}"), floorRequest, connections, reader, httpFloor, sdkFloor });
      }
    }
    return figures;
  } finally {
    await floor?.close();
    dynamo.destroy();
    await runtime.stop();
  }
}
