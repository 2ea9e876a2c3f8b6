/**
 * A real DynamoDB (DynamoDB Local) for a test file: started once, a fresh ledger table per
 * test, clients whose requests can be counted, made to fail on purpose, and held back while
 * other work runs in between.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoRewards } from "../../handlers/ledger/dynamo-rewards";
import { createTableInput } from "../../handlers/ledger/table";
import { createDocumentClient } from "../../handlers/runtime/dynamo-client";
import { LOCAL_AWS } from "../../local/dynamo-local";
import type { DynamoEndpoint } from "./dynamo-local-per-file";

export interface Harness {
  tableName: string;
  /** The document client the code under test uses. */
  documents: DynamoDBDocumentClient;
  /** Every request sent through `documents`, by operation name, in order. */
  requests: string[];
  /**
   * The IAM actions those requests need, in order: DynamoDB authorizes each item of a
   * transaction by its own action (`Put` → `dynamodb:PutItem`, `ConditionCheck` →
   * `dynamodb:ConditionCheckItem`, a `TransactGetItems` read → `dynamodb:GetItem`).
   */
  actions: string[];
  /**
   * The same actions with the partition key each one touches, as IAM's `dynamodb:LeadingKeys`
   * sees it (`undefined` for a request keyed by no partition, such as a `Scan`).
   */
  keyedActions: KeyedAction[];
  /** Makes matching requests fail; see `Fault`. */
  inject(fault: Fault): void;
  /** Runs other work just before a matching request is sent; see `Interleaving`. */
  interleave(step: Interleaving): void;
  /**
   * The rewards catalogue of the table, through a client of its own whose requests are neither
   * counted nor faulted: how a test puts the rewards its redemptions need before what it measures.
   */
  catalogue: DynamoRewards;
}

/**
 * Work run to its end just before the first request of `operation` whose input mentions `match`
 * is sent, as if another caller got there first: how a test puts one operation between the
 * requests of another (an erasure between a redemption's read and its write). The work may send
 * requests of its own through the same client; they are counted, and never set the step off again.
 */
export interface Interleaving {
  operation: string;
  match?: string;
  run: () => Promise<unknown>;
}

/**
 * A failure injected into the first `times` (default 1) requests of `operation` whose input
 * mentions `match`. `before`: the request never reaches DynamoDB. `after`: DynamoDB executes
 * it, then the response is lost, as with a connection that drops after the commit.
 */
export interface Fault {
  operation: string;
  match?: string;
  when: "before" | "after";
  error: () => Error;
  times?: number;
}

/** The error the SDK raises for a dropped connection. */
export const connectionReset = (): Error => Object.assign(new Error("socket hang up"), { name: "Error", code: "ECONNRESET" });

/** An SDK-style service error (`name` is what callers branch on). */
export const serviceError =
  (name: string, extra: Record<string, unknown> = {}) =>
  (): Error =>
    Object.assign(new Error(name), { name, $fault: "server", ...extra });

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

/** An IAM action a request needs, and the partition it needs it on. */
export interface KeyedAction {
  action: string;
  partition: string | undefined;
}

type Keyed = { Key?: Record<string, unknown>; Item?: Record<string, unknown> };

/** A partition key as the document client passes it: plain, or already marshalled (`{S: …}`). */
function partitionOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const marshalled = (value as { S?: unknown } | undefined)?.S;
  return typeof marshalled === "string" ? marshalled : undefined;
}

const partitionOfItem = (keyed: Keyed | undefined) => partitionOf((keyed?.Key ?? keyed?.Item)?.pk);

function iamActionsOf(operation: string, input: unknown): KeyedAction[] {
  const request = input as Keyed & {
    TransactItems?: Array<Record<string, Keyed>>;
    RequestItems?: Record<string, Array<{ PutRequest?: Keyed; DeleteRequest?: Keyed }> | { Keys?: Array<Keyed["Key"]> }>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    return (request.TransactItems ?? []).flatMap((item) =>
      Object.entries(item).map(([kind, keyed]) => ({
        action: TRANSACT_ITEM_ACTIONS[kind] ?? `unknown:${kind}`,
        partition: partitionOfItem(keyed),
      })),
    );
  }
  const action = `dynamodb:${operation}`;
  if (operation === "BatchGetItem") {
    return Object.values(request.RequestItems ?? {}).flatMap((read) =>
      Array.isArray(read) ? [] : (read.Keys ?? []).map((Key) => ({ action, partition: partitionOfItem({ Key }) })),
    );
  }
  if (operation === "BatchWriteItem") {
    return Object.values(request.RequestItems ?? {}).flatMap((writes) =>
      (Array.isArray(writes) ? writes : []).map((write) => ({
        action,
        partition: partitionOfItem(write.PutRequest ?? write.DeleteRequest),
      })),
    );
  }
  // Every query of the ledger names its partition as `:pk`.
  if (operation === "Query") return [{ action, partition: partitionOf(request.ExpressionAttributeValues?.[":pk"]) }];
  return [{ action, partition: partitionOfItem(request) }];
}

/**
 * A fresh ledger table and its clients. The table has the ledger's stream only when a test reads
 * it (`stream: true`): DynamoDB Local writes stream records in every write's own path, which
 * slows every other test for nothing.
 */
export async function createHarness(dynamo: DynamoEndpoint, { stream = false }: { stream?: boolean } = {}): Promise<Harness> {
  const tableName = `ledger-${randomUUID()}`;
  // One attempt: the SDK's own retries would hide the injected faults from the code under test.
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint, maxAttempts: 1 });
  await client.send(new CreateTableCommand(createTableInput(tableName, { stream })));

  const requests: string[] = [];
  const actions: string[] = [];
  const keyedActions: KeyedAction[] = [];
  const faults: Fault[] = [];
  const steps: Interleaving[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, "");
      const input = JSON.stringify(args.input);
      const step = steps.findIndex((s) => s.operation === operation && input.includes(s.match ?? ""));
      // Taken off before it runs, so the work's own requests cannot set it off again.
      if (step >= 0) await steps.splice(step, 1)[0]?.run();
      requests.push(operation);
      const needed = iamActionsOf(operation, args.input);
      actions.push(...needed.map((keyed) => keyed.action));
      keyedActions.push(...needed);
      const fault = faults.find((f) => f.operation === operation && (f.times ?? 1) > 0 && input.includes(f.match ?? ""));
      if (fault) fault.times = (fault.times ?? 1) - 1;
      if (fault?.when === "before") throw fault.error();
      const result = await next(args);
      if (fault?.when === "after") throw fault.error();
      return result;
    },
    { step: "initialize", name: "countAndInjectFaults" },
  );

  const uncounted = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint });
  return {
    tableName,
    catalogue: new DynamoRewards(createDocumentClient(uncounted), tableName),
    documents: createDocumentClient(client),
    requests,
    actions,
    keyedActions,
    inject: (fault) => faults.push(fault),
    interleave: (step) => steps.push(step),
  };
}
