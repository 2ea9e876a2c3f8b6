/**
 * A DynamoDB client that asks for the capacity each request consumed and adds it up — reads
 * apart from writes — and counts requests by operation. DynamoDB Local reports `CapacityUnits`
 * as DynamoDB prices them (on successes only).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LOCAL_AWS } from "../local/dynamo-local";

const READS = new Set(["GetItemCommand", "QueryCommand", "BatchGetItemCommand"]);

export interface CapacityTotals {
  requests: number;
  writeUnits: number;
  readUnits: number;
  /** Requests by operation (`GetItem`, `TransactWriteItems`, …). */
  byOperation: Record<string, number>;
}

export function instrumentedClient(endpoint: string): { client: DynamoDBClient; totals: CapacityTotals } {
  const totals: CapacityTotals = { requests: 0, writeUnits: 0, readUnits: 0, byOperation: {} };
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, "");
      totals.requests++;
      totals.byOperation[operation] = (totals.byOperation[operation] ?? 0) + 1;
      Object.assign(args.input as object, { ReturnConsumedCapacity: "TOTAL" });
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
        const units = (entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        if (READS.has(String(context.commandName))) totals.readUnits += units;
        else totals.writeUnits += units;
      }
      return result;
    },
    { step: "initialize", name: "countCapacity" },
  );
  return { client, totals };
}

/** Zeroes the totals, to measure one phase of a run. */
export function resetTotals(totals: CapacityTotals): void {
  Object.assign(totals, { requests: 0, writeUnits: 0, readUnits: 0, byOperation: {} });
}
