/**
 * `npm run demo`: with the local runtime running (`npm start`), publishes a few realistic orders
 * and a refund through the real EventBridge client, then prints the balances and histories the
 * API serves.
 */
import "./quiet-sdk-warning";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { LOCAL_AWS } from "./dynamo-local";

const endpoint = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const run = Date.now().toString(36);
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

const orders = [
  { orderId: `${run}-1`, userId: "demo-anna", total: { amount: 8_950, currency: "EUR" }, completedAt: at(50) },
  { orderId: `${run}-2`, userId: "demo-anna", total: { amount: 24_999, currency: "EUR" }, completedAt: at(40) },
  { orderId: `${run}-3`, userId: "demo-ben", total: { amount: 15_000, currency: "GBP" }, completedAt: at(30) },
  { orderId: `${run}-4`, userId: "demo-ben", total: { amount: 129_900, currency: "SEK" }, completedAt: at(20) },
];
const refund = { orderId: `${run}-2`, userId: "demo-anna", refundId: `${run}-r1`, refund: { amount: 10_000, currency: "EUR" }, refundedAt: at(5) };

async function main(): Promise<void> {
  const events = new EventBridgeClient({ ...LOCAL_AWS, endpoint });
  const entries = [
    ...orders.map((detail) => ({ Source: DEFAULT_EVENT_SOURCE, DetailType: DETAIL_TYPES.orderCompleted, Detail: JSON.stringify(detail) })),
    { Source: DEFAULT_EVENT_SOURCE, DetailType: DETAIL_TYPES.orderRefunded, Detail: JSON.stringify(refund) },
  ];
  const result = await events.send(new PutEventsCommand({ Entries: entries }));
  console.log(`published ${entries.length} events (${result.FailedEntryCount ?? 0} refused)`);

  // The writer works asynchronously, as in AWS; a refund that overtakes its order is retried.
  const expected = new Map([["demo-anna", 89 + 249 - 100], ["demo-ben", 187 + 129]]);
  const deadline = Date.now() + 30_000;
  for (const [userId] of expected) {
    let balance: { balance?: number } = {};
    while (Date.now() < deadline) {
      balance = (await (await fetch(`${endpoint}/points/${userId}`)).json()) as { balance?: number };
      if (balance.balance !== undefined && balance.balance >= (expected.get(userId) ?? 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  for (const userId of expected.keys()) {
    console.log(`\nGET /points/${userId}`);
    console.log(JSON.stringify(await (await fetch(`${endpoint}/points/${userId}`)).json(), null, 2));
    console.log(`GET /points/${userId}/history`);
    console.log(JSON.stringify(await (await fetch(`${endpoint}/points/${userId}/history`)).json(), null, 2));
  }
  events.destroy();
}

main().catch((error: unknown) => {
  console.error(`Is the local runtime running (npm start)? ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
