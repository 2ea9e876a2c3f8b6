/**
 * `npm start [-- --data-dir <dir>]`: runs the loyalty loop locally until Ctrl-C. `PORT` changes
 * the port (3000 by default).
 */
import { parseArgs } from "node:util";
import { JavaMissingError } from "./dynamo-local";
import { startLocalRuntime, type LocalRuntime } from "./runtime";

function banner(runtime: LocalRuntime, dataDir: string | undefined): string {
  const { endpoint } = runtime;
  const detail = JSON.stringify({
    orderId: "o-1001",
    userId: "u-42",
    total: { amount: 12_995, currency: "EUR" },
    completedAt: new Date().toISOString(),
  });
  const entry = JSON.stringify([{ Source: "otrium.ecommerce", DetailType: "Order Completed", Detail: detail }]);
  return `
otrium-loyalty local runtime is up.

  API + EventBridge PutEvents   ${endpoint}
  SQS API (queue and DLQ)       ${runtime.sqsEndpoint}   queue ${runtime.queueUrl}
  DynamoDB Local                ${runtime.dynamoEndpoint}   table ${runtime.settings.tableName}
  state                         ${dataDir ? `kept in ${dataDir}` : "in memory (use --data-dir <dir> to keep it)"}

Publish an order (aws cli):
  aws events put-events --endpoint-url ${endpoint} --region ${runtime.settings.region} --entries '${entry}'
Publish an order (curl):
  curl -s ${endpoint}/ -H 'X-Amz-Target: AWSEvents.PutEvents' -H 'Content-Type: application/x-amz-json-1.1' \\
    -d '${JSON.stringify({ Entries: JSON.parse(entry) })}'
Read points:
  curl -s ${endpoint}/points/u-42
  curl -s '${endpoint}/points/u-42/history?limit=10'
Spend points (the same redemptionId again answers the first result), and give them back:
  curl -s ${endpoint}/points/u-42/redemptions -H 'Content-Type: application/json' \
    -d '{"redemptionId":"r-1","points":50,"rewardId":"voucher-5"}'
  curl -s -X POST ${endpoint}/points/u-42/redemptions/r-1/cancel
Dead letters:
  npm run local:dlq            (list)      npm run local:dlq -- --redrive
Demo (orders and a refund through the SDK):
  npm run demo

Ctrl-C stops it cleanly.`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "data-dir": { type: "string" } } });
  const port = Number(process.env.PORT ?? 3000);
  const started = Date.now();
  const runtime = await startLocalRuntime({ port, dataDir: values["data-dir"] });
  console.log(banner(runtime, values["data-dir"]));
  console.log(`\n(started in ${Date.now() - started} ms)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: finishing in-flight batches, then stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof JavaMissingError ? error.message : error);
  process.exit(1);
});
