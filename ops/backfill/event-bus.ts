/**
 * Where a backfill publishes: a stack's bus, with the source, region and earn rules of its
 * config (`Pulumi.<stack>.yaml`, read and validated exactly as `pulumi up` reads it), through the
 * real EventBridge client — AWS's endpoint with the usual credentials, or another one
 * (`--endpoint`, e.g. the local runtime).
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { parseStackConfig } from "../../config/stack-config";
import { readStackFile } from "../../config/stack-file";
import { LOCAL_AWS } from "../../cli/local-aws";
import { UsageError } from "../../cli/usage-error";
import type { BackfillOptions } from "./arguments";
import type { EntrySettings } from "./backfill-file";
import type { PutEvents } from "./publish";

export interface BackfillTarget extends EntrySettings {
  stack: string;
  region: string;
  endpoint?: string;
}

/**
 * PutEvents retries of a whole request (throttling, a 5xx, a dropped connection), with the
 * SDK's backoff. More than its default 3: a long backfill should ride out a short outage.
 */
const REQUEST_ATTEMPTS = 8;

/** A bus given by ARN lives in the ARN's region, which is where PutEvents must be called. */
const regionOfArn = (bus: string): string | undefined => /^arn:[^:]+:events:([^:]+):/.exec(bus)?.[1];

export function backfillTarget(options: Pick<BackfillOptions, "stack" | "bus" | "endpoint">, root?: string): BackfillTarget {
  let values: Record<string, string>;
  try {
    values = readStackFile(options.stack, root);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      throw new UsageError(`--stack ${options.stack}: there is no Pulumi.${options.stack}.yaml`);
    }
    throw error;
  }
  const config = parseStackConfig(values);
  const eventBusName = options.bus ?? config.eventBusName;
  return {
    stack: options.stack,
    source: config.eventSource,
    eventBusName,
    earnRules: config.earnRules,
    region: regionOfArn(eventBusName) ?? config.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
}

export function describeTarget(target: BackfillTarget): string {
  const where = target.endpoint ?? `AWS, ${target.region}`;
  return `bus ${target.eventBusName} at ${where} (source ${target.source}, stack ${target.stack})`;
}

/** The local runtime listens on loopback only and accepts any credentials; a real endpoint gets the usual ones. */
const isLoopback = (endpoint: string): boolean => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(endpoint).hostname);

export function eventBridgePublisher(target: BackfillTarget): { putEvents: PutEvents; close(): void } {
  const { endpoint } = target;
  const client = new EventBridgeClient({
    region: target.region,
    maxAttempts: REQUEST_ATTEMPTS,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(endpoint !== undefined && isLoopback(endpoint) ? { credentials: LOCAL_AWS.credentials } : {}),
  });
  return {
    putEvents: async (entries, signal) =>
      (await client.send(new PutEventsCommand({ Entries: entries }), { abortSignal: signal })).Entries ?? [],
    close: () => client.destroy(),
  };
}
