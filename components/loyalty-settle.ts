/**
 * LoyaltySettle: the ledger's daily settle.
 *
 *   EventBridge Scheduler (daily, UTC) ──▶ settle Lambda ──▶ ledger table
 *        │ (could not invoke)                 │ (failed after Lambda's retries)
 *        └──────────────▶ settle DLQ ◀────────┘
 *
 * Once a day the settle writes the day's expiry entries and takes the expired lots off the
 * balance items, and tells customers their points were released or expire soon (notices the
 * events-out stream publishes), visiting only the customers the day indexes list for the day. Balances never
 * wait for it (readers leave expired lots out by their dates); it keeps the history complete and
 * the balance items small, and a missed day is made up by the next run. Scheduler invokes the
 * function asynchronously, so both places a run can fail — the invocation (Scheduler's retry
 * policy) and the run itself (Lambda's asynchronous retries) — end in one DLQ, which is alarmed.
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as scheduler from "@pulumi/aws/scheduler";
import * as pulumi from "@pulumi/pulumi";
import { SETTLE_DEFAULTS } from "../config/defaults/settle-defaults";
import { functionEnvironment } from "../handlers/runtime/function-env";
import { createAlarms } from "./alarms";
import { HandlerFunction } from "./handler-function";
import { ledgerSettleStatements, type LedgerTableRef } from "./ledger-grants";
import {
  functionDestinationDeliveryFailures,
  functionErrors,
  functionInvocationsPerHour,
  queueDepth,
  scheduleDeadLetterFailures,
} from "./metrics";
import { parkingQueue } from "./secure-queue";
import { SettleArgsSchema } from "./settle-args";
import { validateArgs } from "./validate-args";

/** How long a failed run is retried before it is parked: within the day, before the next run. */
const RETRY_FOR_SECONDS = 6 * 3600;

/** Hours without a single run after which the settle is missing (a day plus slack for a late run). */
const MISSING_AFTER_HOURS = 26;

/** Arguments of `LoyaltySettle`; checked in the constructor. */
export interface LoyaltySettleArgs {
  /** The ledger to settle: a `LoyaltyStore`, or `{tableName, tableArn, kmsKeyArn, tiers?}` of an existing one. */
  store: LedgerTableRef;
  /**
   * When the settle runs: an EventBridge Scheduler `cron(...)` or `rate(...)` expression, in UTC.
   * @default {@link SETTLE_DEFAULTS.scheduleExpression} (00:15 UTC daily)
   */
  scheduleExpression?: string;
  /** Seconds one run may take (1–900). @default {@link SETTLE_DEFAULTS.timeoutSeconds} */
  timeoutSeconds?: number;
  /** Memory of the settle function in MB (128–10240). @default {@link SETTLE_DEFAULTS.memoryMb} */
  memoryMb?: number;
  /**
   * Days before their expiry that customers are told their points expire (`Points Expiring
   * Soon`, once per expiry day); 0 tells nobody. @default {@link SETTLE_DEFAULTS.expiringSoonDays}
   */
  expiringSoonDays?: number;
  /**
   * Whether Pulumi protects the queues that hold messages (its DLQ) (`protect`): a destroy or a
   * replacing change then stops instead of losing them. Turn off only for throwaway stacks.
   * @default {@link SETTLE_DEFAULTS.deletionProtection}
   */
  deletionProtection?: boolean;
  /** The settle's `LOG_LEVEL`. @default {@link SETTLE_DEFAULTS.logLevel} */
  logLevel?: pulumi.Input<string>;
  /** Days the settle's logs are kept. @default {@link SETTLE_DEFAULTS.logRetentionDays} */
  logRetentionDays?: pulumi.Input<number>;
  /** Where alarms notify (SNS topic ARNs). @default {@link SETTLE_DEFAULTS.alarmActions} (none) */
  alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The daily settle: releases pending points, expires due lots and sends the expiring-soon notices, on a schedule. */
export class LoyaltySettle extends pulumi.ComponentResource {
  /** The settle function's name, for its logs and metrics, and to run it by hand (`aws lambda invoke`). */
  public readonly functionName: pulumi.Output<string>;
  /** The schedule's name (in `scheduleGroupName`). */
  public readonly scheduleName: pulumi.Output<string>;
  /** The schedule group holding only this schedule, so its metrics are the settle's own. */
  public readonly scheduleGroupName: pulumi.Output<string>;
  /** Where failed runs and failed invocations are parked. */
  public readonly dlqUrl: pulumi.Output<string>;
  /** The DLQ's name, for its metrics. */
  public readonly dlqName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltySettleArgs, opts?: pulumi.ComponentResourceOptions) {
    // Bad arguments fail here, before anything is registered.
    const settings = validateArgs("LoyaltySettle", name, SettleArgsSchema, args);
    super("otrium:loyalty:LoyaltySettle", name, {}, opts);
    const parent = { parent: this };

    const dlq = parkingQueue(`${name}-dlq`, parent, settings.deletionProtection);

    const settle = new HandlerFunction(
      name,
      {
        entry: "handlers/settle.ts",
        environment: functionEnvironment.settle<pulumi.Input<string>>({
          tableName: args.store.tableName,
          logLevel: args.logLevel ?? SETTLE_DEFAULTS.logLevel,
          expiringSoonDays: settings.expiringSoonDays,
          tiers: settings.store.tiers,
        }),
        statements: [
          ...ledgerSettleStatements(args.store),
          // Lambda parks a failed asynchronous run as the function's own role.
          { Sid: "ParkFailedRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: dlq.arn },
        ],
        timeoutSeconds: settings.timeoutSeconds,
        memoryMb: settings.memoryMb,
        logRetentionDays: args.logRetentionDays ?? SETTLE_DEFAULTS.logRetentionDays,
      },
      parent,
    );

    // A run that throws is retried twice by Lambda, then its record goes to the DLQ.
    new lambda.FunctionEventInvokeConfig(
      name,
      {
        functionName: settle.functionName,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: RETRY_FOR_SECONDS,
        destinationConfig: { onFailure: { destination: dlq.arn } },
      },
      parent,
    );

    const group = new scheduler.ScheduleGroup(name, {}, parent);

    // Scheduler's role may invoke this function and park what it could not deliver, nothing else;
    // only schedules of this account and of this group may assume it (the confused-deputy guard
    // AWS's Scheduler guide recommends: aws:SourceAccount and aws:SourceArn of the group).
    const account = getCallerIdentityOutput({}, parent).accountId;
    const invokerRole = new iam.Role(
      `${name}-scheduler`,
      {
        assumeRolePolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "scheduler.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": group.arn } },
            },
          ],
        },
      },
      parent,
    );
    const invokerPolicy = new iam.RolePolicy(
      `${name}-scheduler`,
      {
        role: invokerRole.id,
        policy: {
          Version: "2012-10-17",
          Statement: [
            { Sid: "InvokeSettle", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: settle.functionArn },
            { Sid: "ParkFailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: dlq.arn },
          ],
        },
      },
      parent,
    );

    const schedule = new scheduler.Schedule(
      name,
      {
        description: "Writes the day's loyalty point expiries and takes expired lots off the balances",
        groupName: group.name,
        scheduleExpression: settings.scheduleExpression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: settle.functionArn,
          roleArn: invokerRole.arn,
          // No days given: the settle covers today and the days a missed run left behind.
          input: "{}",
          deadLetterConfig: { arn: dlq.arn },
          retryPolicy: { maximumEventAgeInSeconds: RETRY_FOR_SECONDS, maximumRetryAttempts: 20 },
        },
      },
      // The role must be able to invoke before the first run.
      { parent: this, dependsOn: [invokerPolicy] },
    );

    createAlarms(
      name,
      [
        {
          id: "dlq-not-empty",
          description: pulumi.interpolate`A daily settle run failed for good (each message says why: the function's error, or why Scheduler could not invoke it). Balances are still right; the history lacks that day's expiry entries until a run succeeds. The next daily run makes up the last days; to settle older days now, invoke ${settle.functionName} with {"days": ["YYYY-MM-DD", ...]}.`,
          metric: queueDepth(dlq.name),
          threshold: 0,
        },
        {
          id: "errors",
          description: "A settle run failed (Lambda retries it twice, then parks it in the settle DLQ). Read the function's logs.",
          metric: functionErrors(settle.functionName),
          threshold: 0,
        },
        {
          id: "park-failed",
          description:
            "A failed settle run could not be parked in its DLQ (check the function role's sqs:SendMessage). Invoke the settle by hand once the cause is fixed.",
          metric: functionDestinationDeliveryFailures(settle.functionName),
          threshold: 0,
        },
        {
          id: "did-not-run",
          description: pulumi.interpolate`The settle has not run for ${MISSING_AFTER_HOURS} hours: its schedule is disabled, deleted or failing before it invokes (see the schedule group's metrics). Balances are still right; the history lacks expiry entries and customers miss their release and expiring-soon notices until it runs. Invoke ${settle.functionName} by hand once the cause is fixed (a run covers the last 3 days; older ones with {"days": [...]}).`,
          metric: functionInvocationsPerHour(settle.functionName),
          threshold: 1,
          evaluationPeriods: MISSING_AFTER_HOURS,
          fireWhen: "below",
        },
        {
          id: "schedule-dlq-send-failed",
          description:
            "Scheduler could neither invoke the settle nor park the failure in its DLQ (check the scheduler role). Invoke the settle by hand once the cause is fixed.",
          metric: scheduleDeadLetterFailures(group.name),
          threshold: 0,
        },
      ],
      args.alarmActions ?? SETTLE_DEFAULTS.alarmActions(),
      this,
    );

    this.functionName = settle.functionName;
    this.scheduleName = schedule.name;
    this.scheduleGroupName = group.name;
    this.dlqUrl = dlq.url;
    this.dlqName = dlq.name;
    this.registerOutputs({
      functionName: this.functionName,
      scheduleName: this.scheduleName,
      scheduleGroupName: this.scheduleGroupName,
      dlqUrl: this.dlqUrl,
    });
  }
}
