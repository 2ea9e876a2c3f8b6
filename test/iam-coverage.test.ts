/**
 * Every DynamoDB action each function's code sends, on DynamoDB Local through every path the
 * tests know (early arrivals, settled lots, races aside), is one its role in the real program
 * allows: an action missing from a role fails in AWS with AccessDenied, never here otherwise.
 */
import test from "ava";
import { runStack } from "../harness/stack-run";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { allowedActions, statementsOf } from "./support/policy-documents";

const dynamo = useDynamoLocal();

type Rig = ReturnType<typeof createLifecycleRig>;

/** The DynamoDB actions `work` needed. */
async function actionsOf(harness: Harness, work: () => Promise<unknown>): Promise<Set<string>> {
  harness.actions.length = 0;
  await work();
  return new Set(harness.actions);
}

test("each function's role allows every DynamoDB action its code sends", async (t) => {
  const harness = await createHarness(dynamo);
  const rig: Rig = createLifecycleRig(harness, { pendingDays: 1, expiryDays: 10 }, "2026-01-01T10:00:00.000Z");
  const used: Record<"writer" | "redeemer" | "reader" | "settle", Set<string>> = { writer: new Set(), redeemer: new Set(), reader: new Set(), settle: new Set() };
  const add = (fn: keyof typeof used, actions: Set<string>) => actions.forEach((action) => used[fn].add(action));

  add("writer", await actionsOf(harness, async () => {
    await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
    await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
    await rig.refund({ orderId: "a", userId: "u-1", refundId: "r-1", amount: 1_000 });
    // Early arrivals: a refund and a close before their order, then the order nets them out.
    await rig.refund({ orderId: "b", userId: "u-1", refundId: "r-1", amount: 1_000 });
    await rig.windowClosed({ orderId: "b", userId: "u-1", closedAt: "2026-01-01T12:00:00.000Z" });
    await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T11:00:00.000Z" });
    await rig.windowClosed({ orderId: "a", userId: "u-1", closedAt: "2026-01-01T12:00:00.000Z" });
  }));
  rig.at("2026-01-05T00:00:00.000Z");
  add("redeemer", await actionsOf(harness, async () => {
    await rig.redeem("x-1", 10);
    await rig.cancel("x-1");
  }));
  add("reader", await actionsOf(harness, async () => {
    await rig.balance();
    await rig.ledger.getHistory("u-1", 5);
  }));
  rig.at("2026-01-20T00:15:00.000Z");
  add("settle", await actionsOf(harness, () => rig.settle.settleDay("2026-01-12", rig.now())));
  // A refund of an order whose lot the settle took off reads the lot's expiry entries.
  add("writer", await actionsOf(harness, () => rig.refund({ orderId: "a", userId: "u-1", refundId: "r-2", amount: 2_000 })));

  t.true(used.writer.has("dynamodb:ConditionCheckItem") && used.writer.has("dynamodb:Query"), "the paths above were all taken");
  const { get } = await runStack("prod");
  for (const [fn, policy] of [["writer", "loyalty-ingest-writer"], ["redeemer", "loyalty-api-redeemer"], ["reader", "loyalty-api-reader"], ["settle", "loyalty-settle"]] as const) {
    const allowed = new Set(allowedActions(statementsOf(get("aws:iam/rolePolicy:RolePolicy", policy).inputs.policy)));
    t.deepEqual([...used[fn]].filter((action) => !allowed.has(action)).sort(), [], `${fn}: actions its role (${policy}) lacks`);
  }
});

test("the publisher's role reads the ledger's stream, as Lambda's mapping does for it, and no table item", async (t) => {
  const { get } = await runStack("prod");
  const allowed = allowedActions(statementsOf(get("aws:iam/rolePolicy:RolePolicy", "loyalty-events").inputs.policy));
  // The mapping polls the stream with the function's role; the function itself sends no DynamoDB request.
  t.deepEqual(allowed.filter((action) => action.startsWith("dynamodb:")).sort(), ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]);
  t.true(allowed.includes("events:PutEvents"));
});
