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
  /** The alarm fires when the metric is above this for `evaluationPeriods` periods. */
  threshold: number;
  /** @default 1 */
  evaluationPeriods?: number;
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
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        // No data means no traffic, which is healthy for every alarm we keep.
        treatMissingData: "notBreaching",
        alarmActions,
        okActions: alarmActions,
      },
      { parent },
    ),
  );
}
