/**
 * The local runtime's settings: the dev stack's own config (`Pulumi.dev.yaml`, validated by the
 * same schema as `pulumi up`), so the queue, the rule and the handlers behave here as in dev.
 */
import { parseStackConfig } from "../config/stack-config";
import { readStackFile } from "../config/stack-file";
import { visibilityTimeoutSeconds } from "../config/queue-timing";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import type { Tiers } from "../handlers/domain/tier-settings";
import type { EventPattern } from "./event-pattern-matcher";
import { LOCAL_ADMIN_GROUP } from "./local-caller";

export interface LocalSettings {
  /** Port of the one HTTP endpoint (API + PutEvents); 0 picks a free one. */
  port: number;
  /** Where DynamoDB Local and the queues keep their state; in memory when absent. */
  dataDir?: string;
  /**
   * A DynamoDB Local already running (the tests' shared one), used instead of starting one, which
   * the runtime then never stops; give it a `tableName` of the runtime's own. Absent for `npm start`.
   */
  dynamoEndpoint?: string;
  region: string;
  tableName: string;
  earnRules: Record<string, number>;
  /** Pending and expiry days of new lots: the dev stack's, or `POINTS_LIFECYCLE` given to `npm start`. */
  lifecycle: Lifecycle;
  /** Days before an expiry the settle warns of it: the dev stack's, or `EXPIRING_SOON_DAYS` given to `npm start`. */
  expiringSoonDays: number;
  /** The ledger's tiers (the writer's, the reader's and the settle's): the dev stack's, or `TIERS` given to `npm start`; absent: none. */
  tiers?: Tiers;
  eventBusName: string;
  eventPattern: EventPattern;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  allowedOrigins: string[];
  adminGroup?: string;
  logLevel: string;
}

export function devStackSettings(stack = "dev"): LocalSettings {
  const config = parseStackConfig(readStackFile(stack));
  return {
    port: 3000,
    region: config.region,
    tableName: "loyalty-ledger",
    earnRules: config.earnRules,
    lifecycle: config.lifecycle,
    expiringSoonDays: config.expiringSoonDays,
    ...(config.tiers && { tiers: config.tiers }),
    eventBusName: config.eventBusName,
    eventPattern: loyaltyEventPattern(config.eventSource),
    maxReceiveCount: config.maxReceiveCount,
    visibilityTimeoutSeconds: visibilityTimeoutSeconds(config.writer.timeoutSeconds, config.writer.batchingWindowSeconds),
    batchSize: config.writer.batchSize,
    batchingWindowSeconds: config.writer.batchingWindowSeconds,
    maxConcurrency: config.writer.maxConcurrency,
    allowedOrigins: config.api.allowedOrigins,
    adminGroup: config.api.adminGroup ?? LOCAL_ADMIN_GROUP,
    logLevel: config.logLevel,
  };
}
