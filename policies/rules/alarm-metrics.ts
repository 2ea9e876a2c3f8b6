/**
 * Alarms watch metrics AWS emits: an `AWS/*` metric name that AWS does not document (a typo, a
 * wrong case) is accepted by CloudWatch and never has data, so its alarm never fires.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { AWS_METRIC_NAMES } from "./aws-metric-names";
import { known } from "./reading";
import { TYPES } from "./resource-types";

/** The metrics an alarm reads: its own, or those of its metric-math queries. */
function metricsOf(props: unknown): { namespace: unknown; metricName: unknown }[] {
  const queries = known(props, "metricQueries");
  const fromQueries = Array.isArray(queries)
    ? queries.flatMap((query) => {
        const metric = known(query, "metric");
        return metric === undefined ? [] : [{ namespace: known(metric, "namespace"), metricName: known(metric, "metricName") }];
      })
    : [];
  return [{ namespace: known(props, "namespace"), metricName: known(props, "metricName") }, ...fromQueries];
}

export const alarmMetricDocumented: ResourceValidationPolicy = {
  name: "alarm-metric-documented",
  description: "Every alarm on an AWS/* metric names a metric AWS documents for that namespace (policies/rules/aws-metric-names.ts).",
  remediationSteps: "Use the metric's exact name from the namespace's AWS documentation page (names are case-sensitive).",
  validateResource: (args, report) => {
    if (args.type !== TYPES.metricAlarm) return;
    for (const { namespace, metricName } of metricsOf(args.props)) {
      if (typeof namespace !== "string" || !namespace.startsWith("AWS/") || typeof metricName !== "string") continue;
      const documented = AWS_METRIC_NAMES[namespace];
      if (documented === undefined) {
        report(
          `The alarm watches ${namespace}, a namespace the pack has no table of metric names for: add its documented names to policies/rules/aws-metric-names.ts.`,
        );
      } else if (!documented.metrics.includes(metricName)) {
        const near = documented.metrics.find((name) => name.toLowerCase() === metricName.toLowerCase());
        report(
          `The alarm watches ${namespace} ${metricName}, which AWS does not emit${near === undefined ? "" : ` (the documented name is ${near})`}: it would never have data and never fire. See ${documented.source}.`,
        );
      }
    }
  },
};
