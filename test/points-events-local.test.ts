/**
 * End to end through `npm start` (the run's shared one under `npm test`): orders (with duplicates) through the real EventBridge client, a
 * refund, a redemption (and its retry) and a cancel through `fetch`; the points events come out
 * of the ledger's stream onto the local bus, as `GET /_local/events` and `npm run local:events`
 * show them.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import test from "ava";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { POINTS_EVENT_SOURCE } from "../handlers/domain/points-events";
import { LOCAL_AWS } from "../local/dynamo-local";
import type { EventEnvelope } from "../local/event-log";
import { watchdogFor } from "../local/watchdog";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { asAUserRunsIt, runningLoop, until } from "./support/npm-start";
import { priced, putRewards } from "./support/local-catalogue";

// Serial: ava runs hooks of one kind concurrently; this check must follow every other hook.
test.serial.after.always(assertNoJvmLeft);

const USER = "events-ana";
const ROOT = path.resolve(__dirname, "..");

test("orders, a refund, a redemption and a cancel come out as points events on the local bus, once each", async (t) => {
  const { endpoint: baseUrl, port } = await runningLoop(t);
  const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: baseUrl });
  t.teardown(() => eventBridge.destroy());

  let loyalty: EventEnvelope[] = [];
  const readLoyaltyEvents = async () => {
    const answer = (await (await fetch(`${baseUrl}/_local/events?source=${POINTS_EVENT_SOURCE}`)).json()) as { events: EventEnvelope[] };
    loyalty = answer.events;
    return loyalty;
  };
  const waitForEntry = async (entryId: string) => {
    let found = false;
    for (const deadline = Date.now() + 30_000; !found && Date.now() < deadline; ) {
      found = (await readLoyaltyEvents()).some((event) => event.detail.entryId === entryId);
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.true(found, `${entryId} is published`);
  };

  const order = (orderId: string, amount: number) => ({
    Source: "otrium.ecommerce",
    DetailType: DETAIL_TYPES.orderCompleted,
    Detail: JSON.stringify({ orderId, userId: USER, total: { amount, currency: "EUR" }, completedAt: "2026-11-24T10:00:00Z" }),
  });
  // Two orders, the first twice in one request and once more in another: the platform re-publishes.
  t.is(
    (await eventBridge.send(new PutEventsCommand({ Entries: [order("ev-o-1", 10_000), order("ev-o-1", 10_000), order("ev-o-2", 5_000)] })))
      .FailedEntryCount,
    0,
  );
  t.is((await eventBridge.send(new PutEventsCommand({ Entries: [order("ev-o-1", 10_000)] }))).FailedEntryCount, 0);
  await waitForEntry(`USER#${USER}/ORDER#ev-o-1`);
  await waitForEntry(`USER#${USER}/ORDER#ev-o-2`);

  const refund = {
    orderId: "ev-o-1",
    userId: USER,
    refundId: "ev-rf-1",
    refund: { amount: 2_000, currency: "EUR" },
    refundedAt: "2026-11-24T12:00:00Z",
  };
  t.is(
    (
      await eventBridge.send(
        new PutEventsCommand({
          Entries: [{ Source: "otrium.ecommerce", DetailType: DETAIL_TYPES.orderRefunded, Detail: JSON.stringify(refund) }],
        }),
      )
    ).FailedEntryCount,
    0,
  );
  await waitForEntry(`USER#${USER}/REFUND#ev-o-1#ev-rf-1`);

  await putRewards(baseUrl, { "voucher-5": priced(30) });
  const redeem = () =>
    fetch(`${baseUrl}/points/${USER}/redemptions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redemptionId: "ev-r-1", points: 30, rewardId: "voucher-5" }),
    });
  t.is((await redeem()).status, 201);
  t.is((await redeem()).status, 200, "the app retries");
  t.is((await fetch(`${baseUrl}/points/${USER}/redemptions/ev-r-1/cancel`, { method: "POST" })).status, 200);
  t.is((await fetch(`${baseUrl}/points/${USER}/redemptions/ev-r-1/cancel`, { method: "POST" })).status, 200, "cancelled twice");

  // The marker: another customer's order last; once its event is out, everything before it is.
  t.is(
    (
      await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              ...order("ev-marker", 100),
              Detail: JSON.stringify({
                orderId: "ev-marker",
                userId: "events-marker",
                total: { amount: 100, currency: "EUR" },
                completedAt: "2026-11-24T13:00:00Z",
              }),
            },
          ],
        }),
      )
    ).FailedEntryCount,
    0,
  );
  await waitForEntry("USER#events-marker/ORDER#ev-marker");

  const ana = loyalty.filter((event) => event.detail.userId === USER);
  t.deepEqual(
    ana.map((event) => [event["detail-type"], event.detail.entryId]),
    [
      ["Points Earned", `USER#${USER}/ORDER#ev-o-1`],
      ["Points Earned", `USER#${USER}/ORDER#ev-o-2`],
      ["Points Reversed", `USER#${USER}/REFUND#ev-o-1#ev-rf-1`],
      ["Points Redeemed", `USER#${USER}/REDEEM#ev-r-1`],
      ["Redemption Cancelled", `USER#${USER}/REDEEM#ev-r-1#CANCEL`],
    ],
  );
  for (const event of ana) {
    t.like(event, { version: "0", source: POINTS_EVENT_SOURCE, account: "000000000000", region: "eu-west-1", resources: [] });
    t.regex(event.id, /^[0-9a-f-]{36}$/);
    t.regex(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  t.like(ana[0]?.detail, {
    userId: USER,
    points: 100,
    orderId: "ev-o-1",
    amount: { amount: 10_000, currency: "EUR" },
    occurredAt: "2026-11-24T10:00:00.000Z",
    availableAt: null,
    expiresAt: null,
  });
  t.like(ana[2]?.detail, { points: 20, orderId: "ev-o-1", refundId: "ev-rf-1", amount: { amount: 2_000, currency: "EUR" } });
  t.like(ana[3]?.detail, { points: 30, redemptionId: "ev-r-1", rewardId: "voucher-5" });
  t.like(ana[4]?.detail, { points: 30, redemptionId: "ev-r-1", rewardId: "voucher-5", expiredPoints: 0 });

  // Unfiltered, the bus lists what the platform put on it too, oldest first: all four orders.
  const all = (await (await fetch(`${baseUrl}/_local/events`)).json()) as { events: EventEnvelope[]; seen: number };
  t.is(all.seen, all.events.length);
  t.deepEqual(
    all.events
      .filter((event) => event["detail-type"] === DETAIL_TYPES.orderCompleted && event.detail.userId === USER)
      .map((event) => event.detail.orderId),
    ["ev-o-1", "ev-o-1", "ev-o-2", "ev-o-1"],
  );
  t.true(all.events.findIndex((event) => event.source === POINTS_EVENT_SOURCE) > 0, "the first points event follows the orders");
  t.is((await fetch(`${baseUrl}/_local/events?after=x`)).status, 400);

  // `npm run local:events` prints what the bus has seen, then follows it.
  const follower = spawn("npm", ["run", "--silent", "local:events", "--", "--port", port, "--source", POINTS_EVENT_SOURCE], {
    cwd: ROOT,
    env: asAUserRunsIt(),
    detached: true,
  });
  const pid = follower.pid;
  if (pid === undefined) return t.fail("npm run local:events did not start");
  const watchdog = watchdogFor(pid, { group: true });
  const exited = new Promise((resolve) => follower.once("exit", resolve));
  t.teardown(async () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    watchdog.release();
  });
  let printed = "";
  follower.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  t.true(await until(() => printed.includes("Redemption Cancelled"), 30_000), printed);
  t.regex(printed, /otrium\.loyalty {2}Points Earned {2}\{"entryId":"USER#events-ana\/ORDER#ev-o-1"/);
  t.false(printed.includes("Order Completed"), "--source keeps to that source");
  // Live: a new event appears in the follower without restarting it.
  t.is((await eventBridge.send(new PutEventsCommand({ Entries: [order("ev-o-3", 3_000)] }))).FailedEntryCount, 0);
  t.true(await until(() => printed.includes("ORDER#ev-o-3"), 30_000), printed);
});
