/**
 * What DynamoDB Local's JVM spends on the two kinds of request the suite makes most of besides
 * its data: a test's `CreateTable` (the ledger's table, its index, no stream) and an empty
 * `Query` of a day index partition (the daily settle walks 16 shards of five day indexes, 80
 * queries a simulated day, nearly all of them empty in the tests). CPU of the JVM alone, from
 * `/proc/<pid>/stat`, with the tests' JVM options. `tsx bench/dynamo-request-costs.ts [tables] [queries]`.
 */
import "../cli/quiet-sdk-warning";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { CreateTableCommand, DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { createTableInput } from "../handlers/ledger/table";
import { LOCAL_AWS, startDynamoLocal } from "../local/dynamo-local";
import testJvm = require("../test/suite/test-jvm.json");

const TICKS_PER_SECOND = 100;

function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  process.env.JDK_JAVA_OPTIONS ??= testJvm.JDK_JAVA_OPTIONS;
  const tables = Number(process.argv[2] ?? 60);
  const queries = Number(process.argv[3] ?? 4000);
  const dynamo = await startDynamoLocal();
  try {
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
    // Warm: the first requests load classes that every later request reuses.
    const warm = `ledger-${randomUUID()}`;
    await client.send(new CreateTableCommand(createTableInput(warm, { stream: false })));
    const query = (table: string, at: number) =>
      client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: `EXPIRES#2026-01-${String((at % 28) + 1).padStart(2, "0")}#${at % 16}` } },
        }),
      );
    for (let at = 0; at < 200; at++) await query(warm, at);

    let before = cpuOf(dynamo.pid);
    for (let at = 0; at < tables; at++)
      await client.send(new CreateTableCommand(createTableInput(`ledger-${randomUUID()}`, { stream: false })));
    const perTable = (cpuOf(dynamo.pid) - before) / tables;
    before = cpuOf(dynamo.pid);
    for (let at = 0; at < queries; at++) await query(warm, at);
    const perQuery = (cpuOf(dynamo.pid) - before) / queries;
    console.log(
      `CreateTable: ${(perTable * 1000).toFixed(1)} JVM CPU ms each over ${tables} (with ${tables} tables already there at the end)`,
    );
    console.log(
      `empty Query: ${(perQuery * 1000).toFixed(2)} JVM CPU ms each over ${queries}; 80 a simulated day: ${(perQuery * 80 * 1000).toFixed(0)} ms`,
    );
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
