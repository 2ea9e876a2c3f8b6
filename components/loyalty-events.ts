/**
 * LoyaltyEvents: every change to a customer's points, published on the bus.
 *
 *   ledger table's stream ──(filter: entries only)──▶ event source mapping ──▶ publisher Lambda ──▶ event bus
 *                                                         │ (a batch that keeps failing)
 *                                                         └──────────────▶ publisher DLQ
 *
 * The events come from the ledger itself, not from the handlers: a change is published when its
 * entry appears. The mapping keeps each customer's changes in order (one partition key is never
 * in two batches at once, whatever the parallelization), retries a failing batch from the
 * record the function reports, halving it, and after `maximumRetryAttempts` parks what is left
 * in the DLQ — never drops it. A small function rather than EventBridge Pipes: the transform
 * (key → `entryId`, numbers, absent dates as `null`, a parked refund's netting seen in its old
 * image) is the domain's TypeScript, which Pipes' input templates cannot express without an
 * enrichment function of their own.
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as schemas from "@pulumi/aws/schemas";
import * as pulumi from "@pulumi/pulumi";
import { EVENTS_DEFAULTS } from "../config/defaults/events-defaults";
import { LEDGER_STREAM_FILTERS } from "../handlers/ledger/stream-filter";
import { functionEnvironment } from "../handlers/runtime/function-env";
import { createAlarms } from "./alarms";
import { pointsEventDocuments } from "./event-contract-documents";
import { EventsArgsSchema } from "./events-args";
import { HandlerFunction } from "./handler-function";
import { ledgerStreamStatements, type LedgerStreamRef } from "./ledger-grants";
import {
  functionDestinationDeliveryFailures,
  functionErrors,
  functionIteratorAge,
  LOYALTY_METRICS_NAMESPACE,
  publishFailures,
  publishFailuresMetricName,
  queueDepth,
} from "./metrics";
import { parkingQueue } from "./secure-queue";
import { validateArgs } from "./validate-args";

interface Bus {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

/** A bus of the stack's own: only this stack's events are on it. */
function ownBus(name: string, opts: pulumi.CustomResourceOptions): Bus {
  const bus = new cloudwatch.EventBus(name, { description: "Otrium loyalty points events (source otrium.loyalty)" }, opts);
  return { name: bus.name, arn: bus.arn };
}

/** An existing bus of this account and region, by name. */
function existingBus(eventBusName: string, opts: pulumi.InvokeOptions): Bus {
  const account = getCallerIdentityOutput({}, opts).accountId;
  const region = getRegionOutput({}, opts).region;
  const partition = getPartitionOutput({}, opts).partition;
  return {
    name: pulumi.output(eventBusName),
    arn: pulumi.interpolate`arn:${partition}:events:${region}:${account}:event-bus/${eventBusName}`,
  };
}

/** Arguments of `LoyaltyEvents`; checked in the constructor. */
export interface LoyaltyEventsArgs {
  /** The ledger whose changes are published: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn, streamArn}` of one with a `NEW_AND_OLD_IMAGES` stream. */
  store: LedgerStreamRef;
  /**
   * An existing bus the events go to, in this account and region (a name). Absent: the component
   * creates a bus of its own, so two stacks in one account (dev and prod) never deliver to each
   * other's consumers; consumers put their rules on `eventBusName`.
   */
  eventBusName?: string;
  /** Stream records per invocation (1–10000). @default {@link EVENTS_DEFAULTS.batchSize} */
  batchSize?: number;
  /** Concurrent batches per shard (1–10); order per customer holds at any value. @default {@link EVENTS_DEFAULTS.parallelizationFactor} */
  parallelizationFactor?: number;
  /** Retries of a failing batch before its records are parked (0–10000). @default {@link EVENTS_DEFAULTS.maximumRetryAttempts} */
  maximumRetryAttempts?: number;
  /** Iterator age, in seconds, that alarms: changes waiting that long to be published. @default {@link EVENTS_DEFAULTS.iteratorAgeAlarmSeconds} */
  iteratorAgeAlarmSeconds?: number;
  /** Seconds one batch may take (1–900). @default {@link EVENTS_DEFAULTS.timeoutSeconds} */
  timeoutSeconds?: number;
  /** Memory of the publisher in MB (128–10240). @default {@link EVENTS_DEFAULTS.memoryMb} */
  memoryMb?: number;
  /** Publish the outbound contract (OpenAPI 3) in an EventBridge schema registry. @default {@link EVENTS_DEFAULTS.publishContract} */
  publishContract?: boolean;
  /**
   * Whether Pulumi protects the queues that hold messages (its DLQ) (`protect`): a destroy or a
   * replacing change then stops instead of losing them. Turn off only for throwaway stacks.
   * @default {@link EVENTS_DEFAULTS.deletionProtection}
   */
  deletionProtection?: boolean;
  /** The publisher's `LOG_LEVEL`. @default {@link EVENTS_DEFAULTS.logLevel} */
  logLevel?: pulumi.Input<string>;
  /** Days the publisher's logs are kept. @default {@link EVENTS_DEFAULTS.logRetentionDays} */
  logRetentionDays?: pulumi.Input<number>;
  /** Where alarms notify (SNS topic ARNs). @default {@link EVENTS_DEFAULTS.alarmActions} (none) */
  alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Publishes every ledger entry, once, as an `otrium.loyalty` event on the points bus, from the table's stream. */
export class LoyaltyEvents extends pulumi.ComponentResource {
  /** The publisher function's name, for its logs and metrics. */
  public readonly functionName: pulumi.Output<string>;
  /** The bus the events go to: consumers put their rules on it. */
  public readonly eventBusName: pulumi.Output<string>;
  /** The bus's ARN, for consumers' rules and cross-account permissions. */
  public readonly eventBusArn: pulumi.Output<string>;
  /** Where batches that kept failing are parked (each message names the stream records). */
  public readonly dlqUrl: pulumi.Output<string>;
  /** The DLQ's name, for its metrics. */
  public readonly dlqName: pulumi.Output<string>;
  /** The metric counting refused `PutEvents` entries (namespace `OtriumLoyalty`). */
  public readonly publishFailuresMetricName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Bad arguments fail here, before anything is registered.
    const settings = validateArgs("LoyaltyEvents", name, EventsArgsSchema, args);
    super("otrium:loyalty:LoyaltyEvents", name, {}, opts);
    const parent = { parent: this };

    const { name: busName, arn: busArn } =
      settings.eventBusName === undefined ? ownBus(`${name}-bus`, parent) : existingBus(settings.eventBusName, parent);

    const dlq = parkingQueue(`${name}-dlq`, parent, settings.deletionProtection);

    const publisher = new HandlerFunction(
      name,
      {
        entry: "handlers/publisher.ts",
        environment: functionEnvironment.publisher<pulumi.Input<string>>({
          tableName: args.store.tableName,
          eventBusName: busName,
          logLevel: args.logLevel ?? EVENTS_DEFAULTS.logLevel,
        }),
        statements: [
          ...ledgerStreamStatements(args.store),
          { Sid: "PublishPointsEvents", Effect: "Allow", Action: ["events:PutEvents"], Resource: busArn },
          // The mapping parks a batch's description in the DLQ as the function's own role.
          { Sid: "ParkFailedBatches", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: dlq.arn },
        ],
        timeoutSeconds: settings.timeoutSeconds,
        memoryMb: settings.memoryMb,
        logRetentionDays: args.logRetentionDays ?? EVENTS_DEFAULTS.logRetentionDays,
      },
      parent,
    );

    new lambda.EventSourceMapping(
      name,
      {
        eventSourceArn: args.store.streamArn,
        functionName: publisher.functionArn,
        // From the oldest change the stream holds (24 h): a new publisher misses nothing recent.
        startingPosition: "TRIM_HORIZON",
        batchSize: settings.batchSize,
        parallelizationFactor: settings.parallelizationFactor,
        functionResponseTypes: ["ReportBatchItemFailures"],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: settings.maximumRetryAttempts,
        destinationConfig: { onFailure: { destinationArn: dlq.arn } },
        filterCriteria: { filters: LEDGER_STREAM_FILTERS.map((filter) => ({ pattern: JSON.stringify(filter) })) },
      },
      { parent: this, dependsOn: [publisher] },
    );

    const failuresMetricName = publishFailuresMetricName(publisher.functionName);
    new cloudwatch.LogMetricFilter(
      `${name}-publish-failures`,
      {
        logGroupName: publisher.logGroupName,
        pattern: '{ $.message = "publish failed" }',
        metricTransformation: { name: failuresMetricName, namespace: LOYALTY_METRICS_NAMESPACE, value: "1", defaultValue: "0" },
      },
      parent,
    );

    if (settings.publishContract) {
      const registry = new schemas.Registry(
        `${name}-contract`,
        { description: "Events the Otrium loyalty program publishes (source otrium.loyalty)" },
        parent,
      );
      for (const contract of pointsEventDocuments()) {
        new schemas.Schema(
          `${name}-${contract.name}`,
          {
            registryName: registry.name,
            name: contract.name,
            type: "OpenApi3",
            description: `"${contract.detailType}" events: what the loyalty program publishes`,
            content: contract.content,
          },
          parent,
        );
      }
    }

    createAlarms(
      name,
      [
        {
          id: "dlq-not-empty",
          description:
            "Ledger changes could not be published after the mapping's retries; each message names the stream records (shard, sequence numbers). Read the publisher's logs, fix the cause, then publish those changes again from the ledger's entries; consumers deduplicate on entryId.",
          metric: queueDepth(dlq.name),
          threshold: 0,
        },
        {
          id: "iterator-age",
          description: `Ledger changes have waited more than ${settings.iteratorAgeAlarmSeconds} s to be published: the publisher is failing or falling behind. Read its logs.`,
          metric: functionIteratorAge(publisher.functionName),
          threshold: settings.iteratorAgeAlarmSeconds * 1000,
        },
        {
          id: "publish-failures",
          description:
            "EventBridge has refused points events for 5 minutes in a row (each is retried, then parked). Check the bus and the publisher's events:PutEvents permission.",
          metric: publishFailures(failuresMetricName),
          threshold: 0,
          evaluationPeriods: 5,
        },
        {
          id: "errors",
          description: "The publisher failed whole invocations (the mapping retries them, then parks them). Read its logs.",
          metric: functionErrors(publisher.functionName),
          threshold: 0,
        },
        {
          id: "park-failed",
          description:
            "A batch that kept failing could not be parked in the publisher DLQ (check the function role's sqs:SendMessage): its changes are not published.",
          metric: functionDestinationDeliveryFailures(publisher.functionName),
          threshold: 0,
        },
      ],
      args.alarmActions ?? EVENTS_DEFAULTS.alarmActions(),
      this,
    );

    this.functionName = publisher.functionName;
    this.eventBusName = busName;
    this.eventBusArn = busArn;
    this.dlqUrl = dlq.url;
    this.dlqName = dlq.name;
    this.publishFailuresMetricName = failuresMetricName;
    this.registerOutputs({
      functionName: this.functionName,
      eventBusName: this.eventBusName,
      eventBusArn: this.eventBusArn,
      dlqUrl: this.dlqUrl,
    });
  }
}
