/**
 * A loopback HTTP proxy in front of DynamoDB Local that holds each request for the latency
 * DynamoDB itself would take before forwarding it, so that a comparison whose outcome depends
 * on round trips (one transaction against three single writes) can be measured under a model of
 * the real service instead of DynamoDB Local's own timings alone.
 *
 * The model, and where its figures come from:
 * - Single-item requests (GetItem, PutItem, UpdateItem, DeleteItem) and one-page Query:
 *   AWS states that "for most atomic operations, such as GetItem and PutItem, an average latency
 *   is in single-digit milliseconds" (AWS re:Post Knowledge Center, "How can I troubleshoot high
 *   latency on an Amazon DynamoDB table?", https://repost.aws/knowledge-center/dynamodb-high-latency),
 *   and the Developer Guide's "Troubleshooting latency issues in Amazon DynamoDB" says singleton
 *   operations get single-digit millisecond average SuccessfulRequestLatency, transport not
 *   included (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingLatency.html).
 *   AWS gives no exact figure: we take 5 ms, the middle of that range, transport folded in.
 * - TransactWriteItems / TransactGetItems: AWS publishes no latency figure. The Developer Guide
 *   ("Amazon DynamoDB Transactions: How it works", capacity management) says DynamoDB performs
 *   two underlying reads or writes of every item in a transaction, one to prepare it and one to
 *   commit it, so we assume two single-item latencies: 10 ms. This is an assumption, not a
 *   published number; both figures are parameters (`BENCH_LATENCY_SINGLE_MS`,
 *   `BENCH_LATENCY_TRANSACTION_MS`).
 *
 * The delay is added on top of DynamoDB Local's own service time, which still counts: its
 * transactions are serialised and slower than its single writes, so the model, if anything,
 * favours the single-write handlers.
 */
import * as http from "node:http";
import { listenOnLoopback } from "./loopback";

export interface LatencyModel {
  /** Per request: GetItem, PutItem, UpdateItem, DeleteItem, Query and every other non-transactional call. */
  singleItemMs: number;
  /** Per request: TransactWriteItems and TransactGetItems. */
  transactionMs: number;
}

const TRANSACTIONS = new Set(["TransactWriteItems", "TransactGetItems"]);

function envMs(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of milliseconds ≥ 0, not ${JSON.stringify(text)}`);
  return value;
}

/** The model from AWS's figures above, unless the environment overrides it. */
export function latencyModel(): LatencyModel {
  return {
    singleItemMs: envMs("BENCH_LATENCY_SINGLE_MS", 5),
    transactionMs: envMs("BENCH_LATENCY_TRANSACTION_MS", 10),
  };
}

/** `DynamoDB_20120810.TransactWriteItems` → `TransactWriteItems`. */
function operationOf(target: string | string[] | undefined): string {
  const text = Array.isArray(target) ? target[0] : target;
  return text?.split(".").at(-1) ?? "unknown";
}

export function delayFor(model: LatencyModel, operation: string): number {
  return TRANSACTIONS.has(operation) ? model.transactionMs : model.singleItemMs;
}

export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`: use as the DynamoDB endpoint. */
  endpoint: string;
  model: LatencyModel;
  /** Requests forwarded, and the total delay added, since the last `reset()`. */
  totals(): { requests: number; delayedMs: number; byOperation: Record<string, number> };
  reset(): void;
  /** Stops listening, drops its connections and upstream sockets; resolves when closed. */
  close(): Promise<void>;
}

export async function startLatencyProxy(upstream: string, model: LatencyModel = latencyModel()): Promise<LatencyProxy> {
  const target = new URL(upstream);
  // Loopback only: the proxy is for DynamoDB Local on this machine, never a remote endpoint.
  if (target.hostname !== "127.0.0.1") throw new Error(`the latency proxy forwards to 127.0.0.1 only, not ${target.hostname}`);
  // Keep-alive upstream, as the SDK keeps its connections: no connect cost per request.
  const agent = new http.Agent({ keepAlive: true });
  const pending = new Set<NodeJS.Timeout>();
  let totals = { requests: 0, delayedMs: 0, byOperation: {} as Record<string, number> };

  const server = http.createServer((request, response) => {
    const operation = operationOf(request.headers["x-amz-target"]);
    const delay = delayFor(model, operation);
    totals.requests++;
    totals.delayedMs += delay;
    totals.byOperation[operation] = (totals.byOperation[operation] ?? 0) + 1;
    const body: Buffer[] = [];
    request.on("data", (chunk: Buffer) => body.push(chunk));
    request.on("end", () => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        const forwarded = http.request(
          { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        // An upstream failure reaches the SDK as a broken connection, which it retries or reports.
        forwarded.on("error", (error) => response.destroy(error));
        forwarded.end(Buffer.concat(body));
      }, delay);
      pending.add(timer);
    });
  });
  const endpoint = await listenOnLoopback(server);

  return {
    endpoint,
    model,
    totals: () => ({ ...totals, byOperation: { ...totals.byOperation } }),
    reset: () => {
      totals = { requests: 0, delayedMs: 0, byOperation: {} };
    },
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
