/**
 * Backfill end to end, as an operator runs it: `npm run backfill` against a real `npm start`.
 * 200 historic orders over 40 customers (many PutEvents requests of 10; `npm run bench` runs
 * ten times the file through the local runtime), re-published duplicates, refunds before and after
 * their orders and a few bad lines: the bad lines stop the first run before anything is sent,
 * `--skip-invalid` sends the rest, every balance and history comes out exact, and running the
 * file again sends everything again and changes nothing in the ledger. With a points lifecycle,
 * the orders' own dates decide what is pending, spendable or already expired.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import test, { type ExecutionContext } from "ava";
import { asAUserRunsIt, endpointOf, npmStart, onTheRunsDynamo, until, type NpmStart } from "./support/npm-start";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { runInGroup, type Ended } from "./support/process-group";
import { required } from "../harness/required";

const ROOT = path.resolve(__dirname, "..");

// Serial: ava runs hooks of one kind concurrently; this check must follow every other hook.
test.serial.after.always(assertNoJvmLeft);

const USERS = 40;
/** The dev stack's earn rules, in hundredths of a point per whole unit (EUR 1, GBP 1.25, SEK 0.1). */
const RATE = { EUR: 100, GBP: 125, SEK: 10 } as const;
const CURRENCIES = ["EUR", "EUR", "GBP", "SEK"] as const;

const orders = Array.from({ length: 200 }, (_, i) => ({
  orderId: `bf-${i}`,
  userId: `bf-user-${i % USERS}`,
  total: { amount: 995 + ((i * 7_919) % 50_000), currency: CURRENCIES[i % 4] ?? "EUR" },
  // Historic: one an hour through 2024.
  completedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
}));
const refunds = [5, 17, 62, 80, 99, 150, 177, 199].map((i, n) => {
  const order = required(orders[i], `order ${i}`);
  return {
    orderId: order.orderId,
    userId: order.userId,
    refundId: `bf-r-${n}`,
    refund: { amount: Math.floor(order.total.amount / 3), currency: order.total.currency },
    refundedAt: new Date(Date.parse(order.completedAt) + 86_400_000).toISOString(),
  };
});

const earned = (order: (typeof orders)[number]) => Math.floor((order.total.amount * RATE[order.total.currency]) / 10_000);
const reversed = (refund: (typeof refunds)[number]) => {
  const order = required(
    orders.find((o) => o.orderId === refund.orderId),
    `the order of ${refund.refundId}`,
  );
  return Math.min(earned(order), Math.floor((refund.refund.amount * RATE[order.total.currency]) / 10_000));
};

/** The file: three refunds before their orders, the orders with every 13th re-published later, bad lines among them, the other refunds last. */
function backfillFile() {
  const lines: string[] = [];
  const bad = new Map<number, RegExp>();
  const event = (detailType: string, detail: object) => lines.push(JSON.stringify({ "detail-type": detailType, detail }));
  const badLine = (text: string, reason: RegExp) => {
    lines.push(text);
    bad.set(lines.length, reason);
  };
  let duplicates = 0;
  for (const refund of refunds.slice(0, 3)) event("Order Refunded", refund);
  orders.forEach((order, i) => {
    event("Order Completed", order);
    if (i % 13 === 12) {
      event("Order Completed", required(orders[i - 12], `order ${i - 12}`));
      duplicates += 1;
    }
    if (i === 25) badLine('{"detail-type": "Order Completed", "detail": {', /^not JSON \(/);
    if (i === 70)
      badLine(
        JSON.stringify({
          "detail-type": "Order Completed",
          detail: { ...order, orderId: "bf-x1", total: { amount: 19.95, currency: "EUR" } },
        }),
        /^detail\.total\.amount: must be a whole number of minor units/,
      );
    if (i === 120)
      badLine(
        JSON.stringify({ "detail-type": "Order Shipped", detail: order }),
        /^detail-type: must be "Order Completed" or "Order Refunded"$/,
      );
    if (i === 160)
      badLine(
        JSON.stringify({
          "detail-type": "Order Completed",
          detail: { ...order, orderId: "bf-x2", total: { amount: 5_000, currency: "JPY" } },
        }),
        /^detail\.total\.currency: no earn rule for JPY/,
      );
    if (i === 190)
      badLine(
        JSON.stringify({ "detail-type": "Order Completed", source: "otrium.ecommerce", detail: { ...order, orderId: "bf-x3" } }),
        /^source: unknown key/,
      );
  });
  for (const refund of refunds.slice(3)) event("Order Refunded", refund);
  return { lines, bad, duplicates, events: lines.length - bad.size };
}

/** `npm run backfill -- …` in its own process group, stopped in teardown if it is still running. */
function backfill(t: ExecutionContext, args: string[]): Promise<Ended> {
  return runInGroup(t, "npm", ["run", "backfill", "--", ...args], { cwd: ROOT, env: asAUserRunsIt() }).ended;
}

/** How many records the writer has logged with each outcome (its one JSON line per record). */
function outcomes(runtime: NpmStart): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, outcome = ""] of runtime.output().matchAll(/"outcome":"(\w+)"/g)) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/** The writer works asynchronously, as in AWS: how long its part of a run may take on a busy machine. */
const WRITER_MS = 180_000;

/**
 * A fresh `npm start` of this file's own, never the run's shared one: the file floods the queue
 * (other files would wait behind it) and reads the writer's log lines. Under `npm test` it keeps
 * its ledger in a table of its own on the run's DynamoDB Local: no JVM of its own.
 */
async function localRuntime(t: ExecutionContext, env: NodeJS.ProcessEnv = {}): Promise<{ runtime: NpmStart; endpoint: string }> {
  const runtime = npmStart(t, [], { ...onTheRunsDynamo(), ...env });
  await runtime.waitFor("stops it cleanly");
  return { runtime, endpoint: endpointOf(runtime).endpoint };
}

const summaryOf = (run: Ended) =>
  /summary: sent (\d+), refused (\d+), skipped (\d+) in .* \((\d+) events\/s\)/.exec(run.stdout)?.slice(1).map(Number);

test.serial(
  `${orders.length} historic orders with duplicates and bad lines: exact balances; running the file again changes nothing`,
  async (t) => {
    t.timeout(8 * 60_000);
    const dir = mkdtempSync(path.join(tmpdir(), "backfill-e2e-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { lines, bad, duplicates, events } = backfillFile();
    const file = path.join(dir, "orders.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const { runtime, endpoint } = await localRuntime(t);
    const getJson = async (url: string) => (await (await fetch(`${endpoint}${url}`)).json()) as Record<string, unknown>;

    // The bad lines stop the run before anything is sent, each named with its reason.
    const refused = await backfill(t, ["--file", file, "--endpoint", endpoint]);
    t.is(refused.code, 2, refused.stdout + refused.stderr);
    const listed = [...refused.stdout.matchAll(/^ {2}line (\d+): (.*)$/gm)].map(
      ([, line, reason]) => [Number(line), reason ?? ""] as const,
    );
    t.deepEqual(
      listed.map(([line]) => line),
      [...bad.keys()],
    );
    for (const [line, reason] of listed) t.regex(reason, bad.get(line) ?? /^$/, `line ${line}`);
    t.regex(refused.stdout, new RegExp(`checked .*: ${events} events to send, ${bad.size} invalid lines`));
    t.regex(refused.stdout, /^nothing was sent: fix these lines, or pass --skip-invalid to send the others$/m);

    // --skip-invalid sends the others.
    const started = Date.now();
    const first = await backfill(t, ["--file", file, "--endpoint", endpoint, "--skip-invalid"]);
    t.is(first.code, 0, first.stdout + first.stderr);
    const [sent, refusedCount, skipped, publishRate] = summaryOf(first) ?? [];
    t.deepEqual([sent, refusedCount, skipped], [events, 0, bad.size], first.stdout);
    t.regex(first.stdout, /^progress: \d+\/\d+ \(100%\), \d+ events\/s, done$/m, "plain progress lines off a terminal");
    t.notRegex(first.stderr, /NodeVersionSupportWarning/, "the SDK's warning is said once, by npm start");

    const applied = await until(() => {
      const seen = outcomes(runtime);
      return (
        seen.credited === orders.length && (seen.reversed ?? 0) + (seen.parked ?? 0) === refunds.length && seen.duplicate === duplicates
      );
    }, WRITER_MS);
    t.true(applied, `the writer took every order and refund once: ${JSON.stringify(outcomes(runtime))}`);
    t.log(
      `first run: published at ${publishRate} events/s; ${events} events applied ${((Date.now() - started) / 1000).toFixed(1)} s after the run began`,
    );

    const ledger = new Map<string, { balance: Record<string, unknown>; history: Record<string, unknown> }>();
    for (let u = 0; u < USERS; u++) {
      const userId = `bf-user-${u}`;
      const mine = orders.filter((o) => o.userId === userId);
      const myRefunds = refunds.filter((r) => r.userId === userId);
      const lifetime = mine.reduce((sum, o) => sum + earned(o), 0);
      const balance = await getJson(`/points/${userId}`);
      t.like(
        balance,
        { userId, balance: lifetime - myRefunds.reduce((sum, r) => sum + reversed(r), 0), lifetimeEarned: lifetime, pending: 0 },
        userId,
      );
      const history = await getJson(`/points/${userId}/history?limit=100`);
      const items = history.items as Array<{ type: string; orderId: string; refundId?: string }>;
      t.deepEqual(
        items.map((item) => (item.type === "refund" ? `${item.orderId}/${item.refundId}` : item.orderId)).sort(),
        [...mine.map((o) => o.orderId), ...myRefunds.map((r) => `${r.orderId}/${r.refundId}`)].sort(),
        `${userId}: one history entry per order and refund`,
      );
      ledger.set(userId, { balance, history });
    }

    // Again: everything is sent again, and the ledger takes none of it.
    const before = outcomes(runtime);
    const again = await backfill(t, ["--file", file, "--endpoint", endpoint, "--skip-invalid"]);
    t.is(again.code, 0, again.stdout + again.stderr);
    t.deepEqual(summaryOf(again)?.slice(0, 3), [events, 0, bad.size], again.stdout);
    t.true(
      await until(() => outcomes(runtime).duplicate === (before.duplicate ?? 0) + events, WRITER_MS),
      "the writer saw every re-sent event",
    );
    t.deepEqual(outcomes(runtime), { ...before, duplicate: (before.duplicate ?? 0) + events }, "nothing but duplicates");
    for (const [userId, { balance, history }] of ledger) {
      t.deepEqual(await getJson(`/points/${userId}`), balance, `${userId}: the same balance, updatedAt included`);
      t.deepEqual(await getJson(`/points/${userId}/history?limit=100`), history, `${userId}: the same history`);
    }
    t.like(await getJson("/_local/dlq"), { count: 0 });
  },
);

test.serial("historic dates drive the lifecycle: with prod's, an old order lands expired, a recent one pending", async (t) => {
  t.timeout(4 * 60_000);
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const order = (orderId: string, euros: number, days: number) =>
    JSON.stringify({
      "detail-type": "Order Completed",
      detail: { orderId, userId: "bf-lifecycle", total: { amount: euros * 100, currency: "EUR" }, completedAt: daysAgo(days) },
    });
  const dir = mkdtempSync(path.join(tmpdir(), "backfill-e2e-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "orders.jsonl");
  // Released 770 days ago and expired 405 days ago; released 70 days ago; pending 25 more days.
  writeFileSync(file, `${[order("bf-old", 100, 800), order("bf-mid", 200, 100), order("bf-new", 400, 5)].join("\n")}\n`);

  const { runtime, endpoint } = await localRuntime(t, { POINTS_LIFECYCLE: '{"pendingDays":30,"expiryDays":365}' });
  const run = await backfill(t, ["--file", file, "--endpoint", endpoint]);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.true(await until(() => outcomes(runtime).credited === 3, WRITER_MS), runtime.output());

  const balance = (await (await fetch(`${endpoint}/points/bf-lifecycle`)).json()) as Record<string, unknown>;
  t.like(balance, { balance: 200, pending: 400, lifetimeEarned: 700 });
  const history = (await (await fetch(`${endpoint}/points/bf-lifecycle/history`)).json()) as {
    items: Array<{ orderId: string; expiresAt: string | null }>;
  };
  const expired = history.items
    .filter((item) => item.expiresAt !== null && Date.parse(item.expiresAt) < Date.now())
    .map((item) => item.orderId);
  t.deepEqual(expired, ["bf-old"], "only the oldest order's points are past their expiry");
});
