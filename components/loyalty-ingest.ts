/**
 * LoyaltyIngest: order events in, points written.
 *
 *   EventBridge rule ──▶ SQS queue ──▶ writer Lambda ──▶ ledger table
 *        │ (undeliverable)   │ (after maxReceiveCount)
 *        ▼                   ▼
 *     rule DLQ              DLQ
 *
 * Everything is encrypted with one customer-managed key that EventBridge may use for this
 * rule only; every queue denies requests without TLS; every DLQ is alarmed.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as schemas from "@pulumi/aws/schemas";
import * as pulumi from "@pulumi/pulumi";
import { visibilityTimeoutSeconds } from "../config/queue-timing";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { createAlarms } from "./alarms";
import { eventContractDocuments } from "./event-contract-documents";
import { HandlerFunction } from "./handler-function";
import { ledgerWriteStatements, type LedgerTableRef } from "./ledger-grants";
import { functionErrors, functionThrottles, oldestMessageAge, queueDepth } from "./metrics";
import {
  applySecureQueuePolicy,
  DLQ_RETENTION_SECONDS,
  encryptedQueue,
  eventBridgeSendStatement,
} from "./secure-queue";
import { serviceKey } from "./service-key";

export interface LoyaltyIngestArgs {
  /** The ledger the writer credits: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn}` of an existing one. */
  store: LedgerTableRef;
  /** Points per whole currency unit, e.g. `{EUR: 1, GBP: 1.25}`; validated again when the writer starts. */
  earnRules: pulumi.Input<Record<string, number>>;
  /** The event bus the e-commerce platform publishes to. @default "default" */
  eventBusName?: pulumi.Input<string>;
  /** The `source` the platform publishes order events with. @default "otrium.ecommerce" */
  eventSource?: string;
  /**
   * The EventBridge pattern of the rule, to override the contract's.
   * @default `eventSource` with the detail-types Order Completed and Order Refunded
   */
  eventPattern?: pulumi.Input<Record<string, unknown>>;
  /** Publish the event contract (OpenAPI 3) in an EventBridge schema registry for the publishers. @default true */
  publishContract?: boolean;
  /** Deliveries of a message before it moves to the DLQ. @default 5 */
  maxReceiveCount?: pulumi.Input<number>;
  /** Writer timeout in seconds; the queue's visibility timeout is 6× this plus the batching window. @default 30 */
  writerTimeoutSeconds?: number;
  /** Writer memory in MB. @default 256 */
  writerMemoryMb?: pulumi.Input<number>;
  /** Records per writer invocation (1–10000). @default 10 */
  batchSize?: pulumi.Input<number>;
  /** Seconds the event source mapping gathers records before invoking (0–300). @default 0 */
  batchingWindowSeconds?: number;
  /** Most writer invocations at once (2–1000); keeps DynamoDB and the downstream calm. @default 5 */
  maxConcurrency?: pulumi.Input<number>;
  /** The writer's `LOG_LEVEL`. @default "info" */
  logLevel?: pulumi.Input<string>;
  /** Days the writer's logs are kept. @default 30 */
  logRetentionDays?: pulumi.Input<number>;
  /** Where alarms notify (SNS topic ARNs). @default none: the alarms exist but notify nobody */
  alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
}

export class LoyaltyIngest extends pulumi.ComponentResource {
  /** The queue the rule delivers to. */
  public readonly queueUrl: pulumi.Output<string>;
  /** The queue's name: the `QueueName` dimension of its metrics. */
  public readonly queueName: pulumi.Output<string>;
  /** Where messages go after `maxReceiveCount` failed deliveries; redrive them from here. */
  public readonly dlqUrl: pulumi.Output<string>;
  /** The DLQ's name, for its metrics. */
  public readonly dlqName: pulumi.Output<string>;
  /** Where EventBridge puts events it could not deliver to the queue. */
  public readonly ruleDlqUrl: pulumi.Output<string>;
  /** The rule DLQ's name, for its metrics. */
  public readonly ruleDlqName: pulumi.Output<string>;
  /** The EventBridge rule that selects the contract's events. */
  public readonly ruleArn: pulumi.Output<string>;
  /** The writer Lambda's name, for its logs and metrics. */
  public readonly writerFunctionName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("otrium:loyalty:LoyaltyIngest", name, {}, opts);
    const parent = { parent: this };
    const writerTimeoutSeconds = args.writerTimeoutSeconds ?? 30;
    const batchingWindowSeconds = args.batchingWindowSeconds ?? 0;
    const eventBusName = args.eventBusName ?? "default";

    // The rule comes first: the key and the queue policies admit EventBridge for it alone.
    const rule = new cloudwatch.EventRule(
      `${name}-orders`,
      {
        description: "Otrium order events that earn or reverse loyalty points",
        eventBusName,
        eventPattern: pulumi.jsonStringify(args.eventPattern ?? loyaltyEventPattern(args.eventSource)),
      },
      parent,
    );

    const key = serviceKey(
      `${name}-messages`,
      {
        description: "Encrypts the loyalty order-event queues",
        service: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      parent,
    );

    const dlq = encryptedQueue(
      `${name}-dlq`,
      { kmsKeyArn: key.arn, messageRetentionSeconds: DLQ_RETENTION_SECONDS },
      parent,
    );
    const queue = encryptedQueue(
      `${name}-queue`,
      {
        kmsKeyArn: key.arn,
        messageRetentionSeconds: 4 * 24 * 3600,
        visibilityTimeoutSeconds: visibilityTimeoutSeconds(writerTimeoutSeconds, batchingWindowSeconds),
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: args.maxReceiveCount ?? 5,
        }),
      },
      parent,
    );
    const ruleDlq = encryptedQueue(
      `${name}-rule-dlq`,
      { kmsKeyArn: key.arn, messageRetentionSeconds: DLQ_RETENTION_SECONDS },
      parent,
    );

    applySecureQueuePolicy(`${name}-queue`, queue, [eventBridgeSendStatement(queue, rule.arn)], parent);
    applySecureQueuePolicy(`${name}-dlq`, dlq, [], parent);
    applySecureQueuePolicy(`${name}-rule-dlq`, ruleDlq, [eventBridgeSendStatement(ruleDlq, rule.arn)], parent);

    const target = new cloudwatch.EventTarget(
      `${name}-orders`,
      {
        rule: rule.name,
        eventBusName,
        arn: queue.arn,
        deadLetterConfig: { arn: ruleDlq.arn },
        retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
      },
      parent,
    );

    const writer = new HandlerFunction(
      `${name}-writer`,
      {
        entry: "handlers/writer.ts",
        environment: {
          TABLE_NAME: args.store.tableName,
          EARN_RULES: pulumi.jsonStringify(args.earnRules),
          LOG_LEVEL: args.logLevel ?? "info",
        },
        statements: [
          ...ledgerWriteStatements(args.store),
          {
            Sid: "ConsumeQueue",
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            Resource: queue.arn,
          },
          { Sid: "DecryptMessages", Effect: "Allow", Action: ["kms:Decrypt"], Resource: key.arn },
        ],
        timeoutSeconds: writerTimeoutSeconds,
        memoryMb: args.writerMemoryMb,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );

    new lambda.EventSourceMapping(
      `${name}-writer`,
      {
        eventSourceArn: queue.arn,
        functionName: writer.functionArn,
        batchSize: args.batchSize ?? 10,
        maximumBatchingWindowInSeconds: batchingWindowSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: args.maxConcurrency ?? 5 },
      },
      { parent: this, dependsOn: [writer] },
    );

    if (args.publishContract ?? true) {
      const registry = new schemas.Registry(
        `${name}-contract`,
        { description: "Events the Otrium loyalty program consumes" },
        parent,
      );
      for (const contract of eventContractDocuments(args.eventSource)) {
        new schemas.Schema(
          `${name}-${contract.name}`,
          {
            registryName: registry.name,
            name: contract.name,
            type: "OpenApi3",
            description: `"${contract.detailType}" events: what the loyalty writer accepts`,
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
          description: "Loyalty events failed maxReceiveCount times; read the writer's logs, fix, then redrive the DLQ.",
          metric: queueDepth(dlq.name),
          threshold: 0,
        },
        {
          id: "rule-dlq-not-empty",
          description: "EventBridge could not deliver loyalty events to the queue; check the queue policy and key policy, then redrive.",
          metric: queueDepth(ruleDlq.name),
          threshold: 0,
        },
        {
          id: "queue-lagging",
          description: "The oldest loyalty event has waited over 15 minutes: the writer is failing or too slow.",
          metric: oldestMessageAge(queue.name),
          threshold: 15 * 60,
        },
        {
          id: "writer-errors",
          description: "The writer Lambda failed whole invocations (timeouts, crashes).",
          metric: functionErrors(writer.functionName),
          threshold: 0,
        },
        {
          id: "writer-throttles",
          description: "The writer Lambda was throttled: raise account concurrency or lower maxConcurrency.",
          metric: functionThrottles(writer.functionName),
          threshold: 0,
          evaluationPeriods: 5,
        },
      ],
      args.alarmActions ?? [],
      this,
    );

    this.queueUrl = queue.url;
    this.queueName = queue.name;
    this.dlqUrl = dlq.url;
    this.dlqName = dlq.name;
    this.ruleDlqUrl = ruleDlq.url;
    this.ruleDlqName = ruleDlq.name;
    this.ruleArn = rule.arn;
    this.writerFunctionName = writer.functionName;
    this.registerOutputs({
      queueUrl: this.queueUrl,
      dlqUrl: this.dlqUrl,
      ruleDlqUrl: this.ruleDlqUrl,
      ruleArn: this.ruleArn,
      writerFunctionName: this.writerFunctionName,
      targetId: target.targetId,
    });
  }
}
