/**
 * The CloudWatch metrics the loyalty program is watched by, named once: the alarms and the
 * dashboard are built from these same definitions (awsx classic metric helpers).
 */
import { Metric } from "@pulumi/awsx/classic/cloudwatch";
import { metrics as apigateway } from "@pulumi/awsx/classic/apigateway";
import { metrics as lambda } from "@pulumi/awsx/classic/lambda";
import { metrics as sqs } from "@pulumi/awsx/classic/sqs";
import * as pulumi from "@pulumi/pulumi";

type Name = pulumi.Input<string>;
const ONE_MINUTE = 60;

/** A count metric awsx has no helper for, summed per minute. */
const countPerMinute = (namespace: string, name: string, dimensions: Record<string, Name>): Metric =>
  new Metric({ namespace, name, dimensions, statistic: "Sum", period: ONE_MINUTE });

/** Messages waiting in a queue (for a DLQ: messages that need a person). */
export const queueDepth = (queueName: Name): Metric =>
  sqs.approximateNumberOfMessagesVisible({
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period: ONE_MINUTE,
  });

/** Age in seconds of the oldest message in a queue: how far the writer lags behind. */
export const oldestMessageAge = (queueName: Name): Metric =>
  sqs.approximateAgeOfOldestMessage({
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period: ONE_MINUTE,
  });

/** Invocations of a function that failed (threw, timed out). */
export const functionErrors = (functionName: Name): Metric =>
  lambda.errors({ dimensions: { FunctionName: functionName }, statistic: "Sum", period: ONE_MINUTE });

/** Invocations of a function per hour: for a scheduled function, whether it ran at all. */
export const functionInvocationsPerHour = (functionName: Name): Metric =>
  lambda.invocations({ dimensions: { FunctionName: functionName }, statistic: "Sum", period: 3600 });

/** Invocations of a function refused for lack of concurrency. */
export const functionThrottles = (functionName: Name): Metric =>
  lambda.throttles({ dimensions: { FunctionName: functionName }, statistic: "Sum", period: ONE_MINUTE });

/**
 * Failure records of a function's asynchronous invocations that Lambda could not deliver to
 * the on-failure destination: the failure is known to nobody unless this alarms.
 */
export const functionDestinationDeliveryFailures = (functionName: Name): Metric =>
  countPerMinute("AWS/Lambda", "DestinationDeliveryFailures", { FunctionName: functionName });

/** Age in milliseconds of the oldest stream record a function's mapping has not finished: how far it lags. */
export const functionIteratorAge = (functionName: Name): Metric =>
  new Metric({
    namespace: "AWS/Lambda",
    name: "IteratorAge",
    dimensions: { FunctionName: functionName },
    statistic: "Maximum",
    period: ONE_MINUTE,
  });

/** The namespace of the metrics the loyalty program derives from its own logs. */
export const LOYALTY_METRICS_NAMESPACE = "OtriumLoyalty";

/**
 * Points events EventBridge refused (each is retried), counted from the publisher's log lines
 * by a metric filter; a log metric takes no dimension the line does not carry, so the metric's
 * name is the publisher's own (`publishFailuresMetricName`).
 */
export const publishFailures = (metricName: Name): Metric =>
  new Metric({ namespace: LOYALTY_METRICS_NAMESPACE, name: metricName, statistic: "Sum", period: ONE_MINUTE });

/** The name of a publisher function's failure count. */
export const publishFailuresMetricName = (functionName: Name): pulumi.Output<string> => pulumi.interpolate`${functionName}-PublishFailures`;

/** Invocations of a schedule group's schedules that failed and could not be put on their DLQ either. */
export const scheduleDeadLetterFailures = (scheduleGroup: Name): Metric =>
  countPerMinute("AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount", { ScheduleGroup: scheduleGroup });

/** API answers with a 5XX status, on one stage. */
export const api5xxErrors = (apiName: Name, stageName: Name): Metric =>
  apigateway.error5XX({
    dimensions: { ApiName: apiName, Stage: stageName },
    statistic: "Sum",
    period: ONE_MINUTE,
  });

/** 99th percentile of the API's latency in milliseconds, on one stage. */
export const apiLatencyP99 = (apiName: Name, stageName: Name): Metric =>
  apigateway.latency({
    dimensions: { ApiName: apiName, Stage: stageName },
    extendedStatistic: 99,
    period: 5 * ONE_MINUTE,
  });

/**
 * An EventBridge rule's metric. CloudWatch keys a rule on the default bus by `RuleName` alone,
 * and a rule on a custom bus by `EventBusName` and `RuleName`.
 */
const ruleMetric = (metricName: string, ruleName: Name, eventBusName: Name): Metric =>
  new Metric({
    namespace: "AWS/Events",
    name: metricName,
    dimensions: pulumi
      .all([ruleName, eventBusName])
      .apply(([rule, bus]): Record<string, string> => (bus === "default" ? { RuleName: rule } : { EventBusName: bus, RuleName: rule })),
    statistic: "Sum",
    unit: "Count",
    period: ONE_MINUTE,
  });

/** Deliveries of a rule to its target that failed for good (EventBridge then tries the rule's DLQ). */
export const ruleFailedInvocations = (ruleName: Name, eventBusName: Name): Metric =>
  ruleMetric("FailedInvocations", ruleName, eventBusName);

/** Events a rule could deliver neither to its target nor to its DLQ: lost unless someone acts. */
export const ruleInvocationsFailedToBeSentToDlq = (ruleName: Name, eventBusName: Name): Metric =>
  ruleMetric("InvocationsFailedToBeSentToDlq", ruleName, eventBusName);
