/**
 * The otrium-loyalty stack: validated config in, the loyalty components composed, outputs out.
 */
import * as pulumi from "@pulumi/pulumi";
import { LoyaltyAlerts, LoyaltyApi, LoyaltyDashboard, LoyaltyEvents, LoyaltyIngest, LoyaltySettle, LoyaltyStore } from "./components";
import { parseStackConfig } from "./config/stack-config";

// Fails before any resource is registered when a setting is wrong.
const config = parseStackConfig(pulumi.runtime.allConfig());

const alerts = new LoyaltyAlerts("loyalty-alerts", { emails: config.alarmEmails });

// With deletion protection (prod) the ledger, the queues holding messages and their keys are also `protect`ed.
// The ledger owns the points lifecycle (the writer's lots and the admin's grants both follow it) and the tiers.
const store = new LoyaltyStore("loyalty-ledger", {
  deletionProtection: config.deletionProtection,
  lifecycle: config.lifecycle,
  ...(config.tiers && { tiers: config.tiers }),
});

const ingest = new LoyaltyIngest("loyalty-ingest", {
  store,
  earnRules: config.earnRules,
  publisherAccounts: config.publisherAccounts,
  redriveOperators: config.redriveOperators,
  eventBusName: config.eventBusName,
  eventSource: config.eventSource,
  maxReceiveCount: config.maxReceiveCount,
  deletionProtection: config.deletionProtection,
  writerTimeoutSeconds: config.writer.timeoutSeconds,
  writerMemoryMb: config.writer.memoryMb,
  batchSize: config.writer.batchSize,
  batchingWindowSeconds: config.writer.batchingWindowSeconds,
  maxConcurrency: config.writer.maxConcurrency,
  logLevel: config.logLevel,
  logRetentionDays: config.logRetentionDays,
  alarmActions: [alerts.topicArn],
});

// Writes each day's expiries; balances are exact without it.
const settle = new LoyaltySettle("loyalty-settle", {
  store,
  expiringSoonDays: config.expiringSoonDays,
  deletionProtection: config.deletionProtection,
  logLevel: config.logLevel,
  logRetentionDays: config.logRetentionDays,
  alarmActions: [alerts.topicArn],
});

// Every change to a customer's points, published from the ledger's stream.
const events = new LoyaltyEvents("loyalty-events", {
  store,
  eventBusName: config.pointsEventBusName,
  deletionProtection: config.deletionProtection,
  logLevel: config.logLevel,
  logRetentionDays: config.logRetentionDays,
  alarmActions: [alerts.topicArn],
});

const api = new LoyaltyApi("loyalty-api", {
  store,
  auth: config.api.auth,
  stageName: config.api.stageName,
  adminGroup: config.api.adminGroup,
  adminPrincipals: config.api.adminPrincipals,
  allowedOrigins: config.api.allowedOrigins,
  throttle: config.api.throttle,
  manageAccountLogRole: config.api.manageAccountLogRole,
  logLevel: config.logLevel,
  logRetentionDays: config.logRetentionDays,
  alarmActions: [alerts.topicArn],
});

const dashboard = new LoyaltyDashboard("loyalty", { ingest, api, settle, events });

export const apiUrl = api.url;
export const queueUrl = ingest.queueUrl;
export const dlqUrl = ingest.dlqUrl;
export const ruleDlqUrl = ingest.ruleDlqUrl;
export const tableName = store.tableName;
export const tableArn = store.tableArn;
export const tableKmsKeyArn = store.kmsKeyArn;
export const ruleArn = ingest.ruleArn;
export const settleFunctionName = settle.functionName;
export const settleDlqUrl = settle.dlqUrl;
export const pointsEventBusName = events.eventBusName;
export const pointsEventsDlqUrl = events.dlqUrl;
export const dashboardName = dashboard.dashboardName;
export const alarmTopicArn = alerts.topicArn;
