/**
 * What `LoyaltyDashboard` charts, by the names CloudWatch keys its metrics with. Each is the
 * subset of a component's outputs the dashboard reads, so a TypeScript stack passes the
 * components themselves, and any other language (whose schema cannot reference a component of
 * this package) passes the same outputs.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The ingest path to chart: a `LoyaltyIngest`, or its outputs of the same names. */
export interface DashboardIngest {
  /** The queue the rule delivers to. */
  queueName: pulumi.Input<string>;
  /** The queue's dead-letter queue. */
  dlqName: pulumi.Input<string>;
  /** The rule's dead-letter queue. */
  ruleDlqName: pulumi.Input<string>;
  /** The EventBridge rule. */
  ruleName: pulumi.Input<string>;
  /** The bus the rule is on. */
  eventBusName: pulumi.Input<string>;
  /** The writer function. */
  writerFunctionName: pulumi.Input<string>;
}

/** The API to chart: a `LoyaltyApi`, or its outputs of the same names. */
export interface DashboardApi {
  /** The REST API's name (API Gateway's `ApiName` dimension). */
  apiName: pulumi.Input<string>;
  /** The stage. */
  stageName: pulumi.Input<string>;
  /** The reader function. */
  readerFunctionName: pulumi.Input<string>;
  /** The redeemer function. */
  redeemerFunctionName: pulumi.Input<string>;
  /** The admin function. */
  adminFunctionName: pulumi.Input<string>;
}

/** The daily settle to chart: a `LoyaltySettle`, or its outputs of the same names. */
export interface DashboardSettle {
  /** The settle function. */
  functionName: pulumi.Input<string>;
  /** The queue of runs that failed. */
  dlqName: pulumi.Input<string>;
  /** The schedule group of the daily schedule. */
  scheduleGroupName: pulumi.Input<string>;
}

/** The points events' publisher to chart: a `LoyaltyEvents`, or its outputs of the same names. */
export interface DashboardEvents {
  /** The publisher function. */
  functionName: pulumi.Input<string>;
  /** The custom metric that counts events the bus refused. */
  publishFailuresMetricName: pulumi.Input<string>;
  /** The queue of stream batches that failed. */
  dlqName: pulumi.Input<string>;
}
