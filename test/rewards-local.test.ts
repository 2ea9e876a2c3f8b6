/**
 * The rewards' races through `npm start` (the run's shared one under `npm test`), over HTTP as the
 * apps send them: customers racing for a pool's last codes, and one customer's own concurrent
 * requests against a per-customer limit. The same cases on DynamoDB Local alone are in
 * `rewards.test.ts`; here the gateway, the redeemer and the catalogue are the runtime's.
 */
import test from "ava";
import { runningLoop } from "./support/npm-start";
import { putRewards } from "./support/local-catalogue";

// Ids of this run: the shared runtime keeps what other files and earlier runs wrote.
const run = Date.now().toString(36);

interface Answer {
  status: number;
  body: { code?: string; balance?: number; available?: number | null; error?: { code: string } };
}

async function call(endpoint: string, method: string, route: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${endpoint}${route}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** Points a customer can spend at once, whatever the runtime's lifecycle: a goodwill grant. */
async function grant(endpoint: string, userId: string, points: number): Promise<void> {
  const answer = await call(endpoint, "POST", `/admin/points/${userId}/adjustments`, {
    adjustmentId: `${userId}-grant`,
    points,
    reason: "Rewards race",
  });
  if (answer.status !== 201) throw new Error(`granting ${userId}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

test("twelve customers racing for a pool's five codes: five get one each, all different; the rest reward_unavailable and keep their points", async (t) => {
  const { endpoint } = await runningLoop(t);
  const rewardId = `race-${run}`;
  await putRewards(endpoint, {
    [rewardId]: { title: "€5 off", pointsCost: 10, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" },
  });
  const codes = Array.from({ length: 5 }, (_, n) => `RACE-${run}-${n}`.toUpperCase());
  t.like(await call(endpoint, "POST", `/rewards/${rewardId}/codes`, { codes }), { status: 200, body: { available: 5 } });
  const customers = Array.from({ length: 12 }, (_, n) => `racer-${run}-${n}`);
  for (const userId of customers) await grant(endpoint, userId, 20);

  const answers = await Promise.all(
    customers.map((userId) => call(endpoint, "POST", `/points/${userId}/redemptions`, { redemptionId: `${userId}-r`, rewardId })),
  );

  const won = answers.filter((answer) => answer.status === 201);
  t.is(won.length, 5, JSON.stringify(answers));
  t.deepEqual(won.map((answer) => answer.body.code).sort(), [...codes].sort(), "each code went to one customer");
  const lost = answers.filter((answer) => answer.status !== 201);
  t.true(
    lost.every((answer) => answer.status === 409 && answer.body.error?.code === "reward_unavailable"),
    JSON.stringify(lost),
  );
  for (const [n, answer] of answers.entries()) {
    const balance = (await call(endpoint, "GET", `/points/${customers[n]}`)).body.balance;
    t.is(balance, answer.status === 201 ? 10 : 20, `${customers[n]}: a refused redemption spends nothing`);
  }
  t.like(await call(endpoint, "GET", `/rewards/${rewardId}`), { status: 200, body: { available: 0 } });
});

test("one customer's six concurrent redemptions of a reward limited to two per customer: exactly two pass", async (t) => {
  const { endpoint } = await runningLoop(t);
  const rewardId = `limit-${run}`;
  const userId = `limited-${run}`;
  await putRewards(endpoint, { [rewardId]: { title: "Tote bag", pointsCost: 5, kind: "product", perCustomerLimit: 2 } });
  await grant(endpoint, userId, 100);

  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, n) =>
      call(endpoint, "POST", `/points/${userId}/redemptions`, { redemptionId: `${userId}-${n}`, rewardId }),
    ),
  );

  t.is(answers.filter((answer) => answer.status === 201).length, 2, JSON.stringify(answers));
  const refused = answers.filter((answer) => answer.status !== 201);
  t.true(
    refused.every((answer) => answer.status === 409 && answer.body.error?.code === "reward_limit_reached"),
    JSON.stringify(refused),
  );
  t.is((await call(endpoint, "GET", `/points/${userId}`)).body.balance, 90);
});
