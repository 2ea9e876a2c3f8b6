/**
 * The whole loyalty loop on this machine, no AWS account needed:
 *
 *   PutEvents ─▶ rule pattern ─▶ SQS queue (fauxqs) ─▶ event source mapping ─▶ writer Lambda ─┐
 *   (HTTP :3000)                     └─▶ DLQ after maxReceiveCount                            ▼
 *   GET /points/... ─────────────────────────────────────────▶ reader Lambda ─▶ DynamoDB Local
 *   POST /points/.../redemptions ────────────────────────────▶ redeemer Lambda ─┤
 *   POST /points/.../adjustments, DELETE /points/... ────────▶ admin Lambda ────┤
 *   daily at 00:15 UTC, or POST /_local/settle ──────────────▶ settle Lambda ───┘
 *   the table's stream ─▶ entry → points event ─▶ the local bus (GET /_local/events)
 *
 * The writer, reader, redeemer, admin and settle are the real handler modules, configured through their environment as
 * Lambda configures them; the table is the store's definition; the pattern and queue settings
 * are the dev stack's. They all read the time through one clock, which `/_local/clock` moves.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createTableInput } from "../handlers/ledger/table";
import type { Clock } from "../handlers/runtime/clock";
import { HANDLER_ENV_VARIABLES } from "../handlers/runtime/env";
import { functionEnvironment, type FunctionName } from "../handlers/runtime/function-env";
import type { ProxyHandler } from "./api-gateway";
import { describeExit, isRunning, LOCAL_AWS, startDynamoLocal, type DynamoLocal } from "./dynamo-local";
import { DynamoUnreachableError } from "./dynamo-unreachable-error";
import { createLocalClock, describeMove, type LocalClock } from "./clock";
import { startDailySettle } from "./daily-settle";
import { LocalEventLog } from "./event-log";
import { startEventSourceMapping } from "./event-source-mapping";
import { startHttpServer } from "./http-server";
import { startLedgerStream } from "./ledger-stream";
import { publishToLocalBus } from "./publish-to-bus";
import type { PutEventsTarget } from "./put-events";
import { LOCAL_ADMIN_ARN } from "./local-caller";
import { startQueues } from "./queues";
import { devStackSettings, type LocalSettings } from "./settings";

export interface LocalRuntime {
  /** `http://127.0.0.1:<port>`: the API and EventBridge PutEvents. */
  endpoint: string;
  /** The SQS API (fauxqs) holding the queue and its DLQ. */
  sqsEndpoint: string;
  dynamoEndpoint: string;
  /**
   * DynamoDB Local's JVM, so that an operator or a test can see it is gone after a stop; undefined
   * when the runtime was given one already running (`dynamoEndpoint` in its settings).
   */
  dynamoPid: number | undefined;
  queueUrl: string;
  dlqUrl: string;
  /** Every event the local bus has seen: put through `PutEvents`, or published from the ledger. */
  events: LocalEventLog;
  /** The time every handler, the gateway, the bus and the settle read; `/_local/clock` moves it. */
  clock: LocalClock;
  settings: LocalSettings;
  /**
   * Resolves with one line saying what happened when DynamoDB Local dies under the runtime: every
   * part needs it, so the runtime cannot go on and should be stopped. Never resolves after `stop`.
   */
  dynamoDied: Promise<string>;
  /** Stops accepting, finishes in-flight batches, then stops the queue server and DynamoDB Local. */
  stop(): Promise<void>;
}

const HANDLERS = path.resolve(__dirname, "../handlers");

/**
 * Loads a handler module afresh, as a new Lambda container would, with the current environment,
 * and builds its handler on `clock` (in Lambda, the module's `handler` reads real time).
 */
function loadHandler<T>(name: Exclude<FunctionName, "publisher">, clock: Clock): T {
  const file = require.resolve(path.join(HANDLERS, name));
  delete require.cache[file];
  return (require(file) as { handlerWith: (clock: Clock) => T }).handlerWith(clock);
}

/**
 * Sets this process's environment as Lambda sets each function's, before the handler modules
 * load (they read it at init). The functions share this process, so it holds the union of
 * their environments, each built by the same builder as the stack's; a variable the handlers read
 * that no builder sets here is removed, so nothing leaks in from the shell. The AWS SDK's
 * variables point the handlers at DynamoDB Local.
 */
function configureHandlers(settings: LocalSettings, dynamoEndpoint: string): void {
  const api = {
    tableName: settings.tableName,
    logLevel: settings.logLevel,
    allowedOrigins: settings.allowedOrigins,
    // Requests without X-Local-Claims are signed by this principal: locally, curl is an admin.
    adminPrincipals: [LOCAL_ADMIN_ARN],
    adminGroup: settings.adminGroup,
  };
  const handlerEnvironment: Record<string, string> = {
    // No eventSource or publisherAccounts: the local PutEvents applies the rule's pattern, and
    // its events come from no AWS account.
    ...functionEnvironment.writer({
      tableName: settings.tableName,
      earnRules: settings.earnRules,
      lifecycle: settings.lifecycle,
      tiers: settings.tiers,
      logLevel: settings.logLevel,
    }),
    ...functionEnvironment.reader({ ...api, tiers: settings.tiers }),
    ...functionEnvironment.redeemer(api),
    ...functionEnvironment.admin({ ...api, lifecycle: settings.lifecycle }),
    ...functionEnvironment.settle({
      tableName: settings.tableName,
      logLevel: settings.logLevel,
      expiringSoonDays: settings.expiringSoonDays,
      tiers: settings.tiers,
    }),
  };
  for (const name of HANDLER_ENV_VARIABLES) {
    const value = handlerEnvironment[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  Object.assign(process.env, {
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
  });
}

/** Creates the table, or gives one kept from a run before streams its stream. */
async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const input = createTableInput(tableName);
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier run
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.StreamSpecification?.StreamEnabled !== true) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: input.StreamSpecification }));
    }
  } finally {
    client.destroy();
  }
}

/** A given DynamoDB Local that does not answer is one line at start-up, not a failure of every part after it. */
async function assertAnswers(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DynamoUnreachableError(
      `DynamoDB Local at ${endpoint} (DYNAMODB_ENDPOINT) does not answer (${reason}). Start it, or unset DYNAMODB_ENDPOINT and npm start runs its own.`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}

/**
 * The runtime's DynamoDB Local: the one its settings name, used as it is (not the runtime's to
 * stop, nor to watch), or a JVM of its own (`own`), stopped with it.
 */
async function dynamoFor(settings: LocalSettings, signal?: AbortSignal): Promise<{ endpoint: string; own?: DynamoLocal }> {
  if (settings.dynamoEndpoint !== undefined) {
    await assertAnswers(settings.dynamoEndpoint);
    return { endpoint: settings.dynamoEndpoint };
  }
  const own = await startDynamoLocal({
    dataDir: settings.dataDir === undefined ? undefined : path.join(settings.dataDir, "dynamodb"),
    signal,
  });
  return { endpoint: own.endpoint, own };
}

/**
 * Starts every part, in order. When `signal` aborts before it is done (Ctrl-C during start-up),
 * or any part fails, what has started is stopped again and the promise rejects.
 */
export async function startLocalRuntime(overrides: Partial<LocalSettings> = {}, signal?: AbortSignal): Promise<LocalRuntime> {
  const settings: LocalSettings = { ...devStackSettings(), ...overrides };
  if (settings.dataDir) mkdirSync(path.join(settings.dataDir, "dynamodb"), { recursive: true });

  const { endpoint: dynamoEndpoint, own } = await dynamoFor(settings, signal);
  const started: Array<() => Promise<void>> = own ? [() => own.stop()] : [];
  const dynamoDied = own
    ? own.unexpectedExit.then((exit) => `DynamoDB Local (pid ${own.pid}) ${describeExit(exit)}`)
    : new Promise<string>(() => {});
  /**
   * Logs a part's failure, unless DynamoDB Local is gone: then every part fails for that one
   * reason, which `dynamoDied` tells once, and the runtime is being stopped.
   */
  const report = (what: string) => (error: unknown) => {
    if (own === undefined || isRunning(own.pid)) console.error(`local runtime: ${what}`, error);
  };
  let stopping: Promise<void> | undefined;
  // Parts stop in reverse order, each once, even when a stop is asked for twice.
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const stop of started.reverse()) await stop();
    })());
  try {
    signal?.throwIfAborted();
    await ensureTable(dynamoEndpoint, settings.tableName);

    configureHandlers(settings, dynamoEndpoint);
    const clock = createLocalClock();
    const writer = loadHandler<(event: SQSEvent) => Promise<SQSBatchResponse>>("writer", clock.now);
    const functions = {
      reader: loadHandler<ProxyHandler>("reader", clock.now),
      redeemer: loadHandler<ProxyHandler>("redeemer", clock.now),
      admin: loadHandler<ProxyHandler>("admin", clock.now),
    };
    const settle = startDailySettle(
      loadHandler<(input: unknown) => Promise<unknown>>("settle", clock.now),
      report("the daily settle failed (the next run makes it up)"),
      () => clock.now().getTime(),
    );
    started.push(() => settle.stop());
    clock.onMove((state) => {
      console.log(describeMove(state));
      settle.reschedule();
    });

    signal?.throwIfAborted();
    const queues = await startQueues(settings);
    started.push(() => queues.stop());

    const events = new LocalEventLog();
    const eventBridge: PutEventsTarget = {
      region: settings.region,
      account: "000000000000",
      eventBusNames: ["default", settings.eventBusName],
      pattern: settings.eventPattern,
      deliver: async (event) => {
        await queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: JSON.stringify(event) }));
      },
      seen: (event) => events.record(event),
      now: clock.now,
    };
    // Before the writer starts, so that every entry it writes is seen; stopped after it.
    const stream = await startLedgerStream({
      endpoint: dynamoEndpoint,
      tableName: settings.tableName,
      publish: publishToLocalBus(eventBridge, settings.eventBusName),
      park: (record, error) =>
        console.error(
          `local runtime: gave up publishing the ledger change ${record.dynamodb?.SequenceNumber ?? "?"} (${JSON.stringify(record.dynamodb?.Keys ?? {})})`,
          error,
        ),
      onError: report("reading the ledger's stream failed"),
    });
    started.push(() => stream.stop());

    const mapping = startEventSourceMapping({
      sqs: queues.sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      region: settings.region,
      batchSize: settings.batchSize,
      batchingWindowSeconds: settings.batchingWindowSeconds,
      maxConcurrency: settings.maxConcurrency,
      handler: writer,
      onInvocationError: report("writer invocation failed"),
      onPollError: report("polling the queue failed"),
    });
    started.push(() => mapping.stop());

    const http = await startHttpServer(settings.port, {
      stage: "local",
      functions,
      allowedOrigins: settings.allowedOrigins,
      eventBridge,
      events,
      queues,
      settle: (input) => settle.runNow(input),
      clock,
    });
    started.push(() => http.close());
    signal?.throwIfAborted();

    return {
      endpoint: `http://127.0.0.1:${http.port}`,
      sqsEndpoint: queues.endpoint,
      dynamoEndpoint,
      dynamoPid: own?.pid,
      dynamoDied,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.dlqUrl,
      events,
      clock,
      settings: { ...settings, port: http.port },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
