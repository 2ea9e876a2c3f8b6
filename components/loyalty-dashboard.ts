/**
 * LoyaltyDashboard: one CloudWatch dashboard of the same metrics the alarms watch —
 * the ingest path on the first row, the API on the second, the daily settle (when given) on
 * the third, the points events' publisher (when given) on the fourth. Dashboard names are unique per
 * account (not per region or stack), so the name carries the stack: dev and prod in one
 * account each keep their own.
 */
import { Dashboard, LineGraphMetricWidget, RowWidget } from "@pulumi/awsx/classic/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import type { DashboardApi, DashboardEvents, DashboardIngest, DashboardSettle } from "./dashboard-args";
import {
  api5xxErrors,
  functionDestinationDeliveryFailures,
  apiLatencyP99,
  functionErrors,
  functionIteratorAge,
  functionThrottles,
  oldestMessageAge,
  publishFailures,
  queueDepth,
  ruleFailedInvocations,
  ruleInvocationsFailedToBeSentToDlq,
  scheduleDeadLetterFailures,
} from "./metrics";

/** Arguments of `LoyaltyDashboard`: the components to chart (or their outputs of the same names). */
export interface LoyaltyDashboardArgs {
  /** The ingest path to chart: queue, DLQs, writer. */
  ingest: DashboardIngest;
  /** The API to chart: 5XX, latency, reader. */
  api: DashboardApi;
  /** The daily settle to chart: its errors and dead letters. @default none (no settle row) */
  settle?: DashboardSettle;
  /** The points events' publisher to chart: lag, refusals, dead letters. @default none (no events row) */
  events?: DashboardEvents;
  /** The dashboard's name, unique in the account. @default `<name>-<stack>` */
  dashboardName?: string;
}

/** One CloudWatch dashboard of the metrics the alarms watch: ingest, API, and (when given) settle and points events. */
export class LoyaltyDashboard extends pulumi.ComponentResource {
  /** The CloudWatch dashboard's name. */
  public readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: LoyaltyDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("otrium:loyalty:LoyaltyDashboard", name, {}, opts);
    const { ingest, api, settle, events, dashboardName } = args;
    const graph = (title: string, ...metrics: ReturnType<typeof queueDepth>[]) => new LineGraphMetricWidget({ title, metrics, width: 6 });

    const dashboard = new Dashboard(
      name,
      {
        name: dashboardName ?? `${name}-${pulumi.getStack()}`,
        widgets: [
          new RowWidget(
            graph("Events waiting", queueDepth(ingest.queueName)),
            graph("Dead letters", queueDepth(ingest.dlqName), queueDepth(ingest.ruleDlqName)),
            graph(
              "Rule delivery failures",
              ruleFailedInvocations(ingest.ruleName, ingest.eventBusName),
              ruleInvocationsFailedToBeSentToDlq(ingest.ruleName, ingest.eventBusName),
            ),
            graph("Oldest event age (s)", oldestMessageAge(ingest.queueName)),
            graph("Writer errors and throttles", functionErrors(ingest.writerFunctionName), functionThrottles(ingest.writerFunctionName)),
          ),
          new RowWidget(
            graph("API 5XX", api5xxErrors(api.apiName, api.stageName)),
            graph("API p99 latency (ms)", apiLatencyP99(api.apiName, api.stageName)),
            graph("Reader errors and throttles", functionErrors(api.readerFunctionName), functionThrottles(api.readerFunctionName)),
            graph("Redeemer errors and throttles", functionErrors(api.redeemerFunctionName), functionThrottles(api.redeemerFunctionName)),
            graph("Admin errors and throttles", functionErrors(api.adminFunctionName), functionThrottles(api.adminFunctionName)),
          ),
          ...(settle
            ? [
                new RowWidget(
                  graph("Settle errors", functionErrors(settle.functionName)),
                  graph("Settle dead letters", queueDepth(settle.dlqName)),
                  graph(
                    "Settle failures not parked",
                    functionDestinationDeliveryFailures(settle.functionName),
                    scheduleDeadLetterFailures(settle.scheduleGroupName),
                  ),
                ),
              ]
            : []),
          ...(events
            ? [
                new RowWidget(
                  graph("Points events lag (ms)", functionIteratorAge(events.functionName)),
                  graph("Points events refused", publishFailures(events.publishFailuresMetricName)),
                  graph("Publisher errors", functionErrors(events.functionName)),
                  graph("Points events dead letters", queueDepth(events.dlqName), functionDestinationDeliveryFailures(events.functionName)),
                ),
              ]
            : []),
        ],
      },
      { parent: this },
    );

    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
