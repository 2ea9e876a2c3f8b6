/**
 * LoyaltyIngest: order events in, points written.
 *
 *   EventBridge rule ──▶ SQS queue ──▶ writer Lambda ──▶ ledger table
 *        │ (undeliverable)   │ (after maxReceiveCount)
 *        ▼                   ▼
 *     rule DLQ              DLQ
 *
 * The rule admits only the configured publisher accounts' events. The queue and its DLQ are
 * encrypted with a customer-managed key that EventBridge may use for this account only; the
 * rule's DLQ uses SQS-managed encryption, so a fault of that key (disabled, policy broken)
 * cannot also stop the dead letters. Only the rule (and the configured redrive operators) may
 * send to the queue; every queue denies requests without TLS; every DLQ and the rule itself
 * are alarmed.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as schemas from "@pulumi/aws/schemas";
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { INGEST_DEFAULTS } from "../config/defaults/ingest-defaults";
import { visibilityTimeoutSeconds } from "../config/queue-timing";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { functionEnvironment } from "../handlers/runtime/function-env";
import { createAlarms } from "./alarms";
import { eventContractDocuments } from "./event-contract-documents";
import { HandlerFunction } from "./handler-function";
import { EventPatternSchema, IngestArgsSchema } from "./ingest-args";
import { ledgerIngestStatements, type LedgerTableRef } from "./ledger-grants";
import {
  functionErrors,
  functionThrottles,
  oldestMessageAge,
  queueDepth,
  ruleFailedInvocations,
  ruleInvocationsFailedToBeSentToDlq,
} from "./metrics";
import {
  applySecureQueuePolicy,
  denySendExceptStatement,
  DLQ_RETENTION_SECONDS,
  encryptedQueue,
  eventBridgeSendStatement,
} from "./secure-queue";
import { admitPublishers } from "./bus-permissions";
import { serviceKey } from "./service-key";
import { validateArgs } from "./validate-args";

/** Arguments of `LoyaltyIngest`; checked in the constructor with the stack config's rules and messages. */
export interface LoyaltyIngestArgs {
  /**
   * The ledger the writer credits: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn}` of an
   * existing one; its `lifecycle` dates the writer's lots (as the admin function's grants).
   */
  store: LedgerTableRef;
  /** Points per whole currency unit, e.g. `{EUR: 1, GBP: 1.25}` (active ISO 4217 codes, rates 0–100 with at most two decimals). */
  earnRules: Record<string, number>;
  /**
   * The 12-digit AWS accounts whose events may earn points (Otrium's platform). The rule's
   * pattern admits only these (`account`), and the writer gets them as `PUBLISHER_ACCOUNTS`.
   * Required: there is no default that would let any account mint points.
   */
  publisherAccounts: string[];
  /**
   * IAM role or user ARNs that may send to the queue besides the rule: the operators who redrive
   * the DLQ (SQS's redrive sends as them) and replay the rule's DLQ. Everyone else is denied.
   * @default {@link INGEST_DEFAULTS.redriveOperators} (none)
   */
  redriveOperators?: string[];
  /** The event bus the e-commerce platform publishes to (a name, not an ARN). @default {@link INGEST_DEFAULTS.eventBusName} */
  eventBusName?: string;
  /** The `source` the platform publishes order events with. @default {@link INGEST_DEFAULTS.eventSource} */
  eventSource?: string;
  /**
   * The EventBridge pattern of the rule, to override the contract's: the JSON text of an object,
   * as AWS takes it (e.g. `JSON.stringify({source: [...]})`); its `account` field is always
   * replaced by `publisherAccounts`.
   * @default `eventSource` with the detail-types Order Completed, Order Refunded and Order Return Window Closed
   */
  eventPattern?: pulumi.Input<string>;
  /** Publish the event contract (OpenAPI 3) in an EventBridge schema registry for the publishers. @default {@link INGEST_DEFAULTS.publishContract} */
  publishContract?: boolean;
  /**
   * Whether Pulumi protects the queues that hold messages (the queue, its DLQ, the rule's DLQ) and the key that decrypts them (`protect`): a destroy or a
   * replacing change then stops instead of losing them. Turn off only for throwaway stacks.
   * @default {@link INGEST_DEFAULTS.deletionProtection}
   */
  deletionProtection?: boolean;
  /** Deliveries of a message before it moves to the DLQ (1–1000). @default {@link INGEST_DEFAULTS.maxReceiveCount} */
  maxReceiveCount?: number;
  /** Writer timeout in seconds (1–900); the queue's visibility timeout is 6× this plus the batching window. @default {@link INGEST_DEFAULTS.writerTimeoutSeconds} */
  writerTimeoutSeconds?: number;
  /** Writer memory in MB (128–10240). @default {@link INGEST_DEFAULTS.writerMemoryMb} */
  writerMemoryMb?: number;
  /** Records per writer invocation (1–10000; over 10 needs `batchingWindowSeconds` ≥ 1). @default {@link INGEST_DEFAULTS.batchSize} */
  batchSize?: number;
  /** Seconds the event source mapping gathers records before invoking (0–300). @default {@link INGEST_DEFAULTS.batchingWindowSeconds} */
  batchingWindowSeconds?: number;
  /** Most writer invocations at once (2–1000); keeps DynamoDB and the downstream calm. @default {@link INGEST_DEFAULTS.maxConcurrency} */
  maxConcurrency?: number;
  /** The writer's `LOG_LEVEL`. @default {@link INGEST_DEFAULTS.logLevel} */
  logLevel?: pulumi.Input<string>;
  /** Days the writer's logs are kept. @default {@link INGEST_DEFAULTS.logRetentionDays} */
  logRetentionDays?: pulumi.Input<number>;
  /** Where alarms notify (SNS topic ARNs). @default {@link INGEST_DEFAULTS.alarmActions} (none: the alarms exist but notify nobody) */
  alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The ingest path: the EventBridge rule, the encrypted queue and its DLQs, and the writer that credits the ledger exactly once. */
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
  /** The EventBridge rule's name: the `RuleName` dimension of its metrics. */
  public readonly ruleName: pulumi.Output<string>;
  /** The bus the rule listens on. */
  public readonly eventBusName: pulumi.Output<string>;
  /** The writer Lambda's name, for its logs and metrics. */
  public readonly writerFunctionName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    // Bad arguments fail here, before anything is registered.
    const settings = validateArgs("LoyaltyIngest", name, IngestArgsSchema, args);
    super("otrium:loyalty:LoyaltyIngest", name, {}, opts);
    const parent = { parent: this };
    const eventBusName = settings.eventBusName;

    // The rule comes first: the queue policies admit EventBridge for it alone.
    const withPublishers = (fields: object) => JSON.stringify({ ...fields, account: settings.publisherAccounts });
    const given = settings.eventPattern;
    const eventPattern =
      given === undefined
        ? withPublishers(loyaltyEventPattern(settings.eventSource))
        : pulumi.Output.isInstance(given)
          ? given.apply((text) => withPublishers(v.parse(EventPatternSchema, text)))
          : withPublishers(given);
    const rule = new cloudwatch.EventRule(
      `${name}-orders`,
      {
        description: "Otrium order events that earn or reverse loyalty points, from the publisher accounts only",
        eventBusName,
        eventPattern,
      },
      parent,
    );

    // The publisher accounts may put events on the bus at all.
    admitPublishers(name, eventBusName, settings.publisherAccounts, parent);

    // What holds messages, and the key without which they cannot be read.
    const kept = { ...parent, protect: settings.deletionProtection };
    const key = serviceKey(
      `${name}-messages`,
      {
        description: "Encrypts the loyalty order-event queue and its DLQ",
        service: "events.amazonaws.com",
        // Held to this account only, not to the rule: no AWS page shows EventBridge sending
        // aws:SourceArn to KMS when it delivers to an encrypted queue. The SQS guide's "Configure
        // KMS permissions for AWS services" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services)
        // gives the service principal kms:GenerateDataKey and kms:Decrypt with no condition;
        // EventBridge's "Authorizing EventBridge to use a customer managed key"
        // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html)
        // shows aws:SourceArn and aws:SourceAccount on events.amazonaws.com, but for a key that
        // encrypts an event bus, whose ARN is the source — not for delivering to a target. The
        // queue policy still admits this rule alone (aws:SourceArn, which SQS does receive).
      },
      kept,
    );

    const dlq = encryptedQueue(`${name}-dlq`, { encryption: { kmsKeyArn: key.arn }, messageRetentionSeconds: DLQ_RETENTION_SECONDS }, kept);
    const queue = encryptedQueue(
      `${name}-queue`,
      {
        encryption: { kmsKeyArn: key.arn },
        messageRetentionSeconds: 4 * 24 * 3600,
        visibilityTimeoutSeconds: visibilityTimeoutSeconds(settings.writerTimeoutSeconds, settings.batchingWindowSeconds),
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: settings.maxReceiveCount,
        }),
      },
      kept,
    );
    // Where the rule's undeliverable events wait: its own protection, not the queue's key.
    const ruleDlq = encryptedQueue(`${name}-rule-dlq`, { encryption: "sqs-managed", messageRetentionSeconds: DLQ_RETENTION_SECONDS }, kept);

    applySecureQueuePolicy(
      `${name}-queue`,
      queue,
      [eventBridgeSendStatement(queue, rule.arn), denySendExceptStatement(queue, rule.arn, settings.redriveOperators)],
      parent,
    );
    applySecureQueuePolicy(`${name}-dlq`, dlq, [], parent);
    applySecureQueuePolicy(
      `${name}-rule-dlq`,
      ruleDlq,
      [eventBridgeSendStatement(ruleDlq, rule.arn), denySendExceptStatement(ruleDlq, rule.arn, [])],
      parent,
    );

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
        environment: functionEnvironment.writer<pulumi.Input<string>>({
          tableName: args.store.tableName,
          earnRules: settings.earnRules,
          eventSource: settings.eventSource,
          publisherAccounts: settings.publisherAccounts,
          lifecycle: settings.store.lifecycle,
          tiers: settings.store.tiers,
          dlqUrl: dlq.url,
          logLevel: args.logLevel ?? INGEST_DEFAULTS.logLevel,
        }),
        statements: [
          ...ledgerIngestStatements(args.store),
          {
            Sid: "ConsumeQueue",
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            Resource: queue.arn,
          },
          { Sid: "DecryptMessages", Effect: "Allow", Action: ["kms:Decrypt"], Resource: key.arn },
          // A refund parked before its order that the order rejects is dead-lettered by the writer.
          { Sid: "DeadLetterRejectedRefunds", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: dlq.arn },
          { Sid: "EncryptDeadLetters", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: key.arn },
        ],
        timeoutSeconds: settings.writerTimeoutSeconds,
        memoryMb: settings.writerMemoryMb,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );

    new lambda.EventSourceMapping(
      `${name}-writer`,
      {
        eventSourceArn: queue.arn,
        functionName: writer.functionArn,
        batchSize: settings.batchSize,
        maximumBatchingWindowInSeconds: settings.batchingWindowSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: settings.maxConcurrency },
      },
      { parent: this, dependsOn: [writer] },
    );

    if (settings.publishContract) {
      const registry = new schemas.Registry(`${name}-contract`, { description: "Events the Otrium loyalty program consumes" }, parent);
      for (const contract of eventContractDocuments(settings.eventSource)) {
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
          description:
            "Loyalty events failed maxReceiveCount times. Read the writer's logs by messageId, fix the cause, then, as a configured redrive operator, start SQS's DLQ redrive back to the source queue (aws sqs start-message-move-task --source-arn <DLQ ARN>); the ledger ignores duplicates.",
          metric: queueDepth(dlq.name),
          threshold: 0,
        },
        {
          id: "rule-dlq-not-empty",
          description: pulumi.interpolate`EventBridge could not deliver loyalty events to the queue (see each message's ERROR_CODE attribute; check the queue policy and key policy). SQS's DLQ redrive does not apply to a rule's DLQ: after fixing the cause, as a configured redrive operator, receive each message from ${ruleDlq.url}, send its body unchanged to ${queue.url} (aws sqs send-message), then delete it. The ledger ignores duplicates.`,
          metric: queueDepth(ruleDlq.name),
          threshold: 0,
        },
        {
          id: "rule-failed-invocations",
          description:
            "EventBridge failed for good to deliver loyalty events to the queue; they went to the rule's DLQ (see the rule-dlq alarm for the replay). Check the queue policy and the queue key's policy.",
          metric: ruleFailedInvocations(rule.name, eventBusName),
          threshold: 0,
        },
        {
          id: "rule-dlq-send-failed",
          description:
            "EventBridge could deliver loyalty events neither to the queue nor to the rule's DLQ: those events are lost. Fix the rule DLQ's policy now, then ask the platform to re-publish the orders of this period (the ledger ignores duplicates).",
          metric: ruleInvocationsFailedToBeSentToDlq(rule.name, eventBusName),
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
      args.alarmActions ?? INGEST_DEFAULTS.alarmActions(),
      this,
    );

    this.queueUrl = queue.url;
    this.queueName = queue.name;
    this.dlqUrl = dlq.url;
    this.dlqName = dlq.name;
    this.ruleDlqUrl = ruleDlq.url;
    this.ruleDlqName = ruleDlq.name;
    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.eventBusName = pulumi.output(eventBusName);
    this.writerFunctionName = writer.functionName;
    this.registerOutputs({
      queueUrl: this.queueUrl,
      dlqUrl: this.dlqUrl,
      ruleDlqUrl: this.ruleDlqUrl,
      ruleArn: this.ruleArn,
      ruleName: this.ruleName,
      eventBusName: this.eventBusName,
      writerFunctionName: this.writerFunctionName,
      targetId: target.targetId,
    });
  }
}
