/**
 * `npm run demo`: with the local runtime running (`npm start`), publishes a few realistic orders
 * and a refund through the real EventBridge client, waits until the writer has applied every one
 * of them, spends some points, then prints the balances and histories the API serves.
 * Each run uses new order ids, so it can run again: balances grow by the same amounts.
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
/** What the events add to each balance with the dev stack's rules (EUR 1, GBP 1.25, SEK 0.1). */
const added = new Map([
  ["demo-anna", 89 + 249 - 100],
  ["demo-ben", 187 + 129],
]);
const redemption = { redemptionId: `${run}-voucher`, points: 50, rewardId: "voucher-5-eur" };

interface Balance {
  balance: number;
  lifetimeEarned: number;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(`${endpoint}${url}`);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until the balance is exactly `expected`: the writer applies events asynchronously. */
async function waitForBalance(userId: string, expected: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { balance } = await getJson<Balance>(`/points/${userId}`);
    if (balance === expected) return;
    if (Date.now() > deadline) {
      throw new Error(`${userId}'s balance is ${balance} after 30 s, expected ${expected} (npm run local:dlq shows failed events)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const before = new Map<string, number>();
  for (const userId of added.keys()) before.set(userId, (await getJson<Balance>(`/points/${userId}`)).balance);

  const events = new EventBridgeClient({ ...LOCAL_AWS, endpoint });
  const entries = [
    ...orders.map((detail) => ({ Source: DEFAULT_EVENT_SOURCE, DetailType: DETAIL_TYPES.orderCompleted, Detail: JSON.stringify(detail) })),
    { Source: DEFAULT_EVENT_SOURCE, DetailType: DETAIL_TYPES.orderRefunded, Detail: JSON.stringify(refund) },
  ];
  try {
    const result = await events.send(new PutEventsCommand({ Entries: entries }));
    if (result.FailedEntryCount) throw new Error(`PutEvents refused entries: ${JSON.stringify(result.Entries)}`);
  } finally {
    events.destroy();
  }
  console.log(`published ${entries.length} events: 4 orders and a refund`);

  for (const [userId, points] of added) await waitForBalance(userId, (before.get(userId) ?? 0) + points);
  console.log("the writer applied all of them");

  const spent = await fetch(`${endpoint}/points/demo-anna/redemptions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(redemption),
  });
  console.log(`\nPOST /points/demo-anna/redemptions → ${spent.status}`);
  console.log(JSON.stringify(await spent.json(), null, 2));

  for (const userId of added.keys()) {
    console.log(`\nGET /points/${userId}`);
    console.log(JSON.stringify(await getJson(`/points/${userId}`), null, 2));
    console.log(`GET /points/${userId}/history?limit=5`);
    console.log(JSON.stringify(await getJson(`/points/${userId}/history?limit=5`), null, 2));
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = error instanceof TypeError && message === "fetch failed";
  console.error(unreachable ? `The local runtime does not answer on ${endpoint}: start it first (npm start).` : message);
  process.exit(1);
});
