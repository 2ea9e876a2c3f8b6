/**
 * Alarms as data: each component lists what it must be alarmed on, and this one place turns
 * the list into CloudWatch alarms that notify the given actions (an SNS topic).
 */
import type { Metric } from "@pulumi/awsx/classic/cloudwatch";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as pulumi from "@pulumi/pulumi";

export interface AlarmSpec {
  /** Suffix of the alarm's resource name, e.g. `dlq-not-empty`. */
  id: string;
  /** What it means and what to do, shown in the notification. */
  description: pulumi.Input<string>;
  metric: Metric;
  /** The alarm fires when the metric is above this (below it, with `fireWhen: "below"`) for `evaluationPeriods` periods. */
  threshold: number;
  /** @default 1 */
  evaluationPeriods?: number;
  /**
   * `"below"` for an alarm on something that should happen and did not (no run of a daily job):
   * then no data counts as breaching, since silence is the failure.
   * @default "above" (no data is no traffic, which is healthy)
   */
  fireWhen?: "above" | "below";
}

export function createAlarms(
  prefix: string,
  specs: AlarmSpec[],
  alarmActions: pulumi.Input<pulumi.Input<string>[]>,
  parent: pulumi.Resource,
): cloudwatch.MetricAlarm[] {
  return specs.map((spec) =>
    spec.metric.createAlarm(
      `${prefix}-${spec.id}`,
      {
        alarmDescription: spec.description,
        threshold: spec.threshold,
        comparisonOperator: spec.fireWhen === "below" ? "LessThanThreshold" : "GreaterThanThreshold",
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        // Every period of the range must breach: one period with data in it is enough to be OK.
        datapointsToAlarm: spec.evaluationPeriods ?? 1,
        treatMissingData: spec.fireWhen === "below" ? "breaching" : "notBreaching",
        alarmActions,
        okActions: alarmActions,
      },
      { parent },
    ),
  );
}
