/**
 * Dead-letter guardrails: no message is ever silently lost. Every queue that is not itself a
 * DLQ redrives to one, every DLQ keeps messages long enough and is alarmed, consumers report
 * partial batch failures, EventBridge targets and schedules retry and dead-letter, a function
 * a schedule invokes parks its failed runs, and a queue never hands a message to a second
 * consumer while the first is still working on it.
 *
 * Which queue is whose DLQ is decided over the whole stack, from the resources each property
 * came from (known on a first preview, when the ARNs themselves are not).
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { visibilityTimeoutSeconds } from "../../config/queue-timing";
import { field, isSet, known, numberOr, stringsOf } from "./reading";
import { TYPES } from "./resource-types";

/** AWS's defaults: 4 days of retention, 30 s of visibility, a 3 s function timeout. */
const DEFAULT_RETENTION_SECONDS = 345_600;
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

/** The resources the value of `resource[key]` came from. */
const sourcesOf = (resource: PolicyResource, key: string): PolicyResource[] => resource.propertyDependencies[key] ?? [];

const ofType = (resources: PolicyResource[], type: string) => resources.filter((r) => r.type === type);

/** Whether `target` is the resource `reference` points at: by where the value came from, or by known ARN. */
function refersTo(holder: PolicyResource, key: string, reference: unknown, target: PolicyResource): boolean {
  if (sourcesOf(holder, key).some((source) => source.urn === target.urn)) return true;
  const arn = known(target.props, "arn");
  return arn !== undefined && reference === arn;
}

/** The DLQ ARN in a known redrive policy (JSON text or object). */
function deadLetterTargetOf(queue: PolicyResource): unknown {
  const redrive = known(queue.props, "redrivePolicy");
  const document: unknown = typeof redrive === "string" ? JSON.parse(redrive) : redrive;
  return known(document, "deadLetterTargetArn");
}

/** The ARN a path of nested properties holds when known (`["target", "deadLetterConfig", "arn"]`). */
const knownPath = (props: unknown, path: string[]): unknown => path.reduce<unknown>((holder, key) => known(holder, key), props);

/**
 * Whether the reference at `path` of `holder` is `target`: by ARN when both are known; else by
 * where the top-level property came from, which for an object (a schedule's `target`) may be any
 * of the resources it names — so only for the resources of the type the reference must have.
 */
function pointsAt(holder: PolicyResource, path: string[], target: PolicyResource): boolean {
  const reference = knownPath(holder.props, path);
  const arn = known(target.props, "arn");
  if (reference !== undefined && arn !== undefined) return reference === arn;
  return sourcesOf(holder, path[0] ?? "").some((source) => source.urn === target.urn);
}

/**
 * The queues that are some queue's, EventBridge target's or schedule's dead-letter queue, or a
 * function's or a stream mapping's on-failure destination.
 */
function deadLetterQueues(resources: PolicyResource[]): PolicyResource[] {
  const queues = ofType(resources, TYPES.queue);
  const holders: Array<{ type: string; path: string[] }> = [
    { type: TYPES.eventTarget, path: ["deadLetterConfig", "arn"] },
    { type: TYPES.schedule, path: ["target", "deadLetterConfig", "arn"] },
    { type: TYPES.eventInvokeConfig, path: ["destinationConfig", "onFailure", "destination"] },
    { type: TYPES.eventSourceMapping, path: ["destinationConfig", "onFailure", "destinationArn"] },
  ];
  return queues.filter(
    (dlq) =>
      queues.some((source) => refersTo(source, "redrivePolicy", deadLetterTargetOf(source), dlq)) ||
      holders.some(({ type, path }) => ofType(resources, type).some((holder) => pointsAt(holder, path, dlq))),
  );
}

/** The queue whose redrive policy names `dlq`, paired with it. */
function redrivePairs(resources: PolicyResource[]): Array<{ source: PolicyResource; dlq: PolicyResource }> {
  const queues = ofType(resources, TYPES.queue);
  return queues.flatMap((source) =>
    queues
      .filter((dlq) => dlq !== source && refersTo(source, "redrivePolicy", deadLetterTargetOf(source), dlq))
      .map((dlq) => ({ source, dlq })),
  );
}

/** Event source mappings that read an SQS queue, with that queue and the consuming function. */
function sqsConsumers(resources: PolicyResource[]) {
  const queues = ofType(resources, TYPES.queue);
  const functions = ofType(resources, TYPES.lambdaFunction);
  return ofType(resources, TYPES.eventSourceMapping).flatMap((mapping) => {
    const sourceArn = known(mapping.props, "eventSourceArn");
    const queue = queues.find((q) => refersTo(mapping, "eventSourceArn", sourceArn, q));
    const isSqs = queue !== undefined || (typeof sourceArn === "string" && sourceArn.startsWith("arn:aws:sqs:"));
    if (!isSqs) return [];
    const functionRef = known(mapping.props, "functionName");
    const consumer = functions.find(
      (fn) => refersTo(mapping, "functionName", functionRef, fn) || (functionRef !== undefined && functionRef === known(fn.props, "name")),
    );
    return [{ mapping, queue, consumer }];
  });
}

export const sqsQueueHasDlq: StackValidationPolicy = {
  name: "sqs-queue-has-dlq",
  description: "Every SQS queue that is not itself a DLQ redrives failed messages to one.",
  remediationSteps: "Set redrivePolicy: { deadLetterTargetArn: <DLQ ARN>, maxReceiveCount: <n> } on the queue.",
  validateStack: (args, report) => {
    const dlqs = new Set(deadLetterQueues(args.resources).map((q) => q.urn));
    for (const queue of ofType(args.resources, TYPES.queue)) {
      if (dlqs.has(queue.urn) || isSet(queue.props, "redrivePolicy")) continue;
      report(
        `Queue "${queue.name}" has no dead-letter queue: a message that keeps failing is lost after retention. Set redrivePolicy.`,
        queue.urn,
      );
    }
  },
};

export const sqsDlqRetentionCoversSource: StackValidationPolicy = {
  name: "sqs-dlq-retention-covers-source",
  description: "A DLQ keeps messages at least as long as the queue that feeds it.",
  remediationSteps: "Set the DLQ's messageRetentionSeconds to at least the source queue's (14 days, 1209600, is the maximum).",
  validateStack: (args, report) => {
    for (const { source, dlq } of redrivePairs(args.resources)) {
      const kept = numberOr(dlq.props, "messageRetentionSeconds", DEFAULT_RETENTION_SECONDS);
      const fed = numberOr(source.props, "messageRetentionSeconds", DEFAULT_RETENTION_SECONDS);
      if (kept !== undefined && fed !== undefined && kept < fed) {
        report(
          `DLQ "${dlq.name}" keeps messages ${kept} s but its source "${source.name}" ${fed} s: a message can expire before anyone redrives it. Raise the DLQ's messageRetentionSeconds.`,
          dlq.urn,
        );
      }
    }
  },
};

export const sqsEsmReportsBatchItemFailures: StackValidationPolicy = {
  name: "sqs-esm-reports-batch-item-failures",
  description: "Lambda event source mappings on SQS report batch item failures.",
  remediationSteps: 'Set functionResponseTypes: ["ReportBatchItemFailures"] and return { batchItemFailures } from the handler.',
  validateStack: (args, report) => {
    for (const { mapping } of sqsConsumers(args.resources)) {
      const types = field(mapping.props, "functionResponseTypes");
      if (types.state === "unknown" || stringsOf(types).includes("ReportBatchItemFailures")) continue;
      report(
        `Event source mapping "${mapping.name}" does not report batch item failures: one bad message fails and redelivers its whole batch. Set functionResponseTypes: ["ReportBatchItemFailures"].`,
        mapping.urn,
      );
    }
  },
};

/**
 * What a delivering target (a rule's, a schedule's) lacks of a DLQ and an explicit retry policy,
 * as the rest of a sentence; `path` prefixes the property names in the advice.
 */
function deliveryGaps(holder: unknown, path: string, lost: string): string[] {
  const gaps: string[] = [];
  const dlq = field(holder, "deadLetterConfig");
  if (dlq.state === "absent" || (dlq.state === "known" && !isSet(dlq.value, "arn"))) {
    gaps.push(`has no dead-letter queue: ${lost}. Set ${path}deadLetterConfig.arn.`);
  }
  const retry = field(holder, "retryPolicy");
  const complete = (policy: unknown) => isSet(policy, "maximumEventAgeInSeconds") && isSet(policy, "maximumRetryAttempts");
  if (retry.state === "absent" || (retry.state === "known" && !complete(retry.value))) {
    gaps.push(`has no explicit retry policy: set ${path}retryPolicy.maximumEventAgeInSeconds and maximumRetryAttempts.`);
  }
  return gaps;
}

export const eventbridgeTargetHasDlqAndRetry: ResourceValidationPolicy = {
  name: "eventbridge-target-has-dlq-and-retry",
  description: "EventBridge targets retry deliveries and dead-letter what they cannot deliver.",
  remediationSteps: "Set deadLetterConfig: { arn: <SQS DLQ ARN> } and retryPolicy: { maximumEventAgeInSeconds, maximumRetryAttempts }.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.eventTarget) return;
    for (const problem of deliveryGaps(args.props, "", "events it cannot deliver are dropped")) report(`The target ${problem}`);
  },
};

export const schedulerTargetHasDlqAndRetry: ResourceValidationPolicy = {
  name: "scheduler-target-has-dlq-and-retry",
  description: "EventBridge Scheduler targets retry invocations and dead-letter what they cannot invoke.",
  remediationSteps:
    "Set target.deadLetterConfig: { arn: <SQS DLQ ARN> } and target.retryPolicy: { maximumEventAgeInSeconds, maximumRetryAttempts }.",
  validateResource: (args, report) => {
    if (args.type !== TYPES.schedule) return;
    const target = field(args.props, "target");
    if (target.state !== "known") return;
    for (const problem of deliveryGaps(target.value, "target.", "a run Scheduler cannot invoke is dropped unseen"))
      report(`The schedule's target ${problem}`);
  },
};

/**
 * Scheduler invokes a Lambda function asynchronously: a run that throws is retried twice by
 * Lambda and then dropped, unless the function has an on-failure destination.
 */
export const scheduledFunctionParksFailures: StackValidationPolicy = {
  name: "scheduled-function-parks-failures",
  description: "A Lambda function that a schedule invokes has an on-failure destination for its failed runs.",
  remediationSteps: "Add a FunctionEventInvokeConfig for the function with destinationConfig.onFailure.destination set to an SQS DLQ.",
  validateStack: (args, report) => {
    const configs = ofType(args.resources, TYPES.eventInvokeConfig).filter((config) =>
      isSet(known(config.props, "destinationConfig"), "onFailure"),
    );
    for (const schedule of ofType(args.resources, TYPES.schedule)) {
      for (const fn of ofType(args.resources, TYPES.lambdaFunction).filter((f) => pointsAt(schedule, ["target", "arn"], f))) {
        const parked = configs.some((config) => {
          const named = known(config.props, "functionName");
          return refersTo(config, "functionName", named, fn) || (named !== undefined && named === known(fn.props, "name"));
        });
        if (!parked) {
          report(
            `Function "${fn.name}" runs on schedule "${schedule.name}" but has no on-failure destination: a failed run is dropped after Lambda's two retries. Add a FunctionEventInvokeConfig with destinationConfig.onFailure.`,
            fn.urn,
          );
        }
      }
    }
  },
};

export const dlqHasAlarm: StackValidationPolicy = {
  name: "dlq-has-alarm",
  description: "Every dead-letter queue has a CloudWatch alarm, so a message in it reaches a person.",
  remediationSteps: "Add a MetricAlarm on AWS/SQS ApproximateNumberOfMessagesVisible > 0 with dimensions { QueueName: <DLQ name> }.",
  validateStack: (args, report) => {
    const alarms = ofType(args.resources, TYPES.metricAlarm);
    for (const dlq of deadLetterQueues(args.resources)) {
      const name = known(dlq.props, "name");
      const watched = alarms.some(
        (alarm) =>
          sourcesOf(alarm, "dimensions").some((source) => source.urn === dlq.urn) ||
          (name !== undefined && known(known(alarm.props, "dimensions"), "QueueName") === name),
      );
      if (!watched) {
        report(`DLQ "${dlq.name}" has no alarm: messages can wait in it unseen until they expire. Add an alarm on its depth.`, dlq.urn);
      }
    }
  },
};

export const sqsVisibilityCoversConsumer: StackValidationPolicy = {
  name: "sqs-visibility-covers-consumer",
  description: "A queue's visibility timeout is at least 6× its Lambda consumer's timeout (plus the batching window).",
  remediationSteps: "Raise the queue's visibilityTimeoutSeconds to 6 × the function's timeout + maximumBatchingWindowInSeconds.",
  validateStack: (args, report) => {
    for (const { mapping, queue, consumer } of sqsConsumers(args.resources)) {
      if (!queue || !consumer) continue;
      const visibility = numberOr(queue.props, "visibilityTimeoutSeconds", DEFAULT_VISIBILITY_SECONDS);
      const timeout = numberOr(consumer.props, "timeout", DEFAULT_FUNCTION_TIMEOUT_SECONDS);
      const window = numberOr(mapping.props, "maximumBatchingWindowInSeconds", 0);
      if (visibility === undefined || timeout === undefined || window === undefined) continue;
      const needed = visibilityTimeoutSeconds(timeout, window);
      if (visibility < needed) {
        report(
          `Queue "${queue.name}" hides a message for ${visibility} s but "${consumer.name}" may work on a batch for up to ${timeout} s (+${window} s batching): the message can be delivered twice at once. Set visibilityTimeoutSeconds ≥ ${needed}.`,
          queue.urn,
        );
      }
    }
  },
};

/**
 * A mapping on a stream (DynamoDB, Kinesis: it has a starting position, SQS mappings have none)
 * retries a failing batch until its records leave the stream (24 h on DynamoDB) and then drops
 * them, holding up the shard meanwhile — unless it has a bound on retries, an on-failure
 * destination that parks what is given up, and reports the failed record so the rest of the
 * batch is not retried with it.
 */
export const streamEsmParksFailures: ResourceValidationPolicy = {
  name: "stream-esm-parks-failures",
  description:
    "Lambda event source mappings on streams bound their retries, split failing batches, report the failed record and park what they give up.",
  remediationSteps:
    'Set maximumRetryAttempts (≥ 0), bisectBatchOnFunctionError: true, functionResponseTypes: ["ReportBatchItemFailures"] and destinationConfig.onFailure.destinationArn (an SQS DLQ).',
  validateResource: (args, report) => {
    if (args.type !== TYPES.eventSourceMapping || !isSet(args.props, "startingPosition")) return;
    const retries = field(args.props, "maximumRetryAttempts");
    if (retries.state === "absent" || (retries.state === "known" && (typeof retries.value !== "number" || retries.value < 0))) {
      report(
        "The mapping retries a failing batch without bound: the shard waits until the records expire (24 h) and they are dropped. Set maximumRetryAttempts.",
      );
    }
    const bisect = field(args.props, "bisectBatchOnFunctionError");
    if (bisect.state === "absent" || (bisect.state === "known" && bisect.value !== true)) {
      report("The mapping retries a failing batch whole: set bisectBatchOnFunctionError: true, so a bad record is isolated.");
    }
    const types = field(args.props, "functionResponseTypes");
    if (types.state !== "unknown" && !stringsOf(types).includes("ReportBatchItemFailures")) {
      report(
        'The mapping does not take the failed record from the function: the batch is retried from its start. Set functionResponseTypes: ["ReportBatchItemFailures"].',
      );
    }
    const destination = field(args.props, "destinationConfig");
    if (
      destination.state === "absent" ||
      (destination.state === "known" && !isSet(known(destination.value, "onFailure"), "destinationArn"))
    ) {
      report(
        "The mapping has no on-failure destination: records it gives up on are dropped unseen. Set destinationConfig.onFailure.destinationArn.",
      );
    }
  },
};

export const deadLetterPolicies = [
  sqsQueueHasDlq,
  sqsDlqRetentionCoversSource,
  sqsEsmReportsBatchItemFailures,
  streamEsmParksFailures,
  eventbridgeTargetHasDlqAndRetry,
  schedulerTargetHasDlqAndRetry,
  scheduledFunctionParksFailures,
  dlqHasAlarm,
  sqsVisibilityCoversConsumer,
];
