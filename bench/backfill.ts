/**
 * A backfill at the size an operator runs: historic orders over many customers (re-published
 * duplicates and refunds among them) published by `npm run backfill` into the local runtime,
 * until every balance is exact; then the same file again, which must change nothing. Reports how
 * fast the command published and how long the ledger took to take it all. The suite proves the
 * same on a file a tenth of the size (`test/backfill-local.test.ts`); this fails, rather than
 * reporting, if a balance or a history is wrong.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_AWS } from "../local/dynamo-local";
import { startLocalRuntime, type LocalRuntime } from "../local/runtime";
import { SCALE } from "./scale";

export interface BackfillFigures {
  orders: number;
  customers: number;
  /** Lines of the file sent: orders, duplicates, refunds. */
  events: number;
  /** The command's own rate, from its summary line. */
  publishedPerSecond: number;
  /** From the command's start until every balance was exact. */
  appliedSeconds: number;
  /** The second run, from its start until the queue was empty again. */
  againSeconds: number;
}

const ROOT = path.resolve(__dirname, "..");
const CUSTOMERS = 40;
/** The dev stack's rates, in hundredths of a point per whole unit. */
const RATE = { EUR: 100, GBP: 125, SEK: 10 } as const;
const CURRENCIES = ["EUR", "EUR", "GBP", "SEK"] as const;

function backfillFile(count: number) {
  const orders = Array.from({ length: count }, (_, i) => ({
    orderId: `bf-${i}`,
    userId: `bf-user-${i % CUSTOMERS}`,
    total: { amount: 995 + ((i * 7_919) % 50_000), currency: CURRENCIES[i % 4] ?? "EUR" },
    completedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
  }));
  const refunds = orders
    .filter((_, i) => i % 250 === 5)
    .map((order, n) => ({
      orderId: order.orderId,
      userId: order.userId,
      refundId: `bf-r-${n}`,
      refund: { amount: Math.floor(order.total.amount / 3), currency: order.total.currency },
      refundedAt: new Date(Date.parse(order.completedAt) + 86_400_000).toISOString(),
    }));
  const lines: string[] = [];
  const event = (detailType: string, detail: object) => lines.push(JSON.stringify({ "detail-type": detailType, detail }));
  // Some refunds before their orders, every 13th order published again later, the other refunds last.
  const early = Math.ceil(refunds.length / 3);
  for (const refund of refunds.slice(0, early)) event("Order Refunded", refund);
  orders.forEach((order, i) => {
    event("Order Completed", order);
    if (i % 13 === 12) event("Order Completed", orders[i - 12] ?? order);
  });
  for (const refund of refunds.slice(early)) event("Order Refunded", refund);

  const earned = (order: (typeof orders)[number]) => Math.floor((order.total.amount * RATE[order.total.currency]) / 10_000);
  const expected = new Map<string, number>();
  for (const order of orders) expected.set(order.userId, (expected.get(order.userId) ?? 0) + earned(order));
  for (const refund of refunds) {
    const order = orders.find((o) => o.orderId === refund.orderId);
    if (!order) continue;
    const taken = Math.min(earned(order), Math.floor((refund.refund.amount * RATE[order.total.currency]) / 10_000));
    expected.set(refund.userId, (expected.get(refund.userId) ?? 0) - taken);
  }
  return { lines, expected };
}

/** `npm run backfill` as an operator runs it; resolves with its events/s, or rejects naming its output. */
function backfill(file: string, endpoint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "backfill", "--", "--file", file, "--endpoint", endpoint], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("close", (code) => {
      const rate = /summary: sent \d+, refused 0, skipped 0 in .* \((\d+) events\/s\)/.exec(output)?.[1];
      if (code === 0 && rate !== undefined) resolve(Number(rate));
      else reject(new Error(`npm run backfill exited ${String(code)}:\n${output}`));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ledgerOf(runtime: LocalRuntime, customers: Iterable<string>): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (const userId of customers) {
    const balance = await (await fetch(`${runtime.endpoint}/points/${userId}`)).text();
    const history = await (await fetch(`${runtime.endpoint}/points/${userId}/history?limit=100`)).text();
    seen.set(userId, `${balance}\n${history}`);
  }
  return seen;
}

export async function measureBackfill(orders: number = SCALE.backfillOrders): Promise<BackfillFigures> {
  const { lines, expected } = backfillFile(orders);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-backfill-"));
  const file = path.join(dir, "orders.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const runtime = await startLocalRuntime({ port: 0, logLevel: "error" });
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: runtime.sqsEndpoint });
  const queueEmpty = async () => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: runtime.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Attributes.ApproximateNumberOfMessages === "0" && Attributes.ApproximateNumberOfMessagesNotVisible === "0";
  };
  try {
    const started = Date.now();
    const publishedPerSecond = await backfill(file, runtime.endpoint);
    for (const [userId, points] of expected) {
      for (;;) {
        const body = (await (await fetch(`${runtime.endpoint}/points/${userId}`)).json()) as { balance: number };
        if (body.balance === points) break;
        if (Date.now() - started > 600_000) throw new Error(`backfill: ${userId} has ${body.balance} points, expected ${points}`);
        await sleep(100);
      }
    }
    const appliedSeconds = (Date.now() - started) / 1000;
    const first = await ledgerOf(runtime, expected.keys());

    const againStarted = Date.now();
    await backfill(file, runtime.endpoint);
    while (!(await queueEmpty())) await sleep(100);
    const againSeconds = (Date.now() - againStarted) / 1000;
    const second = await ledgerOf(runtime, expected.keys());
    for (const [userId, before] of first)
      if (second.get(userId) !== before) throw new Error(`backfill: ${userId}'s balance or history changed when the file was sent again`);
    if (((await (await fetch(`${runtime.endpoint}/_local/dlq`)).json()) as { count: number }).count !== 0)
      throw new Error("backfill: messages in the DLQ");
    return { orders, customers: CUSTOMERS, events: lines.length, publishedPerSecond, appliedSeconds, againSeconds };
  } finally {
    sqs.destroy();
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
