/** The Pulumi type tokens the policies inspect. */
export const TYPES = {
  table: "aws:dynamodb/table:Table",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  kmsKey: "aws:kms/key:Key",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  lambdaFunction: "aws:lambda/function:Function",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  schedule: "aws:scheduler/schedule:Schedule",
  apiStage: "aws:apigateway/stage:Stage",
  apiMethod: "aws:apigateway/method:Method",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventPermission: "aws:cloudwatch/eventPermission:EventPermission",
} as const;
