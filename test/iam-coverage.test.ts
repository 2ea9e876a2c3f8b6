/**
 * Every DynamoDB action each function's code sends, on DynamoDB Local through every path the
 * tests know (early arrivals, settled lots, races aside), is one its role in the real program
 * allows, on the partition it sends it to (the statements' `dynamodb:LeadingKeys`): an action or
 * a partition missing from a role fails in AWS with AccessDenied, never here otherwise.
 */
import test from "ava";
import { DEFAULT_EVENT_SOURCE, DETAIL_TYPES } from "../handlers/domain/contract";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { DynamoSettle } from "../handlers/ledger/dynamo-settle";
import { parseEarnRules } from "../handlers/domain/earn-rules";
import { TiersSchema } from "../handlers/domain/tier-settings";
import { createLogger } from "../handlers/runtime/log";
import { createBatchWriter } from "../handlers/writer/batch-writer";
import * as v from "valibot";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import type { ProgramRun } from "../harness/mock-program";
import { runStack } from "../harness/stack-run";
import { createHarness, type Harness, type KeyedAction } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { orderCompleted, orderRefunded, sqsBatch, sqsRecord } from "./support/events";
import { TEST_RULES } from "./support/writer-harness";
import { allowedActions, granted, statementsOf } from "./support/policy-documents";

const dynamo = useDynamoLocal();

/** The prod stack under mocks, run once for both tests: mock state is global, so two runs must never overlap. */
let prod: Promise<ProgramRun> | undefined;
const prodRun = (): Promise<ProgramRun> => {
  prod ??= runStack("prod");
  return prod;
};

/** A window of 8 days, so periods end (and are indexed, lowered, taken back) within the test's days. */
const TIERS = v.parse(TiersSchema, {
  levels: [
    { name: "Member", threshold: 0 },
    { name: "Silver", threshold: 50, multiplier: 1.25 },
  ],
  windowDays: 8,
});

type Rig = ReturnType<typeof createLifecycleRig>;

/** The DynamoDB actions `work` needed, each with the partition it touched. */
async function actionsOf(harness: Harness, work: () => Promise<unknown>): Promise<KeyedAction[]> {
  harness.keyedActions.length = 0;
  await work();
  return [...harness.keyedActions];
}

/** The stream's actions, authorized on the stream's ARN: no item, so no partition. */
const STREAM_ACTIONS = new Set(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]);

/**
 * Grants for a path DynamoDB Local never takes: an erasure that finds a tombstone standing reads
 * it when the refused put does not return it (`ReturnValuesOnConditionCheckFailure`).
 */
const FALLBACK_GRANTS = new Set(["dynamodb:GetItem on ERASED#*"]);

test("each function's role allows every DynamoDB action its code sends", async (t) => {
  const harness = await createHarness(dynamo);
  const rig: Rig = createLifecycleRig(harness, { pendingDays: 1, expiryDays: 10 }, "2026-01-01T10:00:00.000Z", { expiringSoonDays: 3 });
  const used: Record<"writer" | "redeemer" | "reader" | "settle" | "admin", Set<string>> = {
    writer: new Set(),
    redeemer: new Set(),
    reader: new Set(),
    settle: new Set(),
    admin: new Set(),
  };
  const keyed: Record<keyof typeof used, KeyedAction[]> = { writer: [], redeemer: [], reader: [], settle: [], admin: [] };
  const add = (fn: keyof typeof used, actions: KeyedAction[]) => {
    keyed[fn].push(...actions);
    for (const { action } of actions) used[fn].add(action);
  };

  add(
    "writer",
    await actionsOf(harness, async () => {
      await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
      await rig.order({ orderId: "a", userId: "u-1", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" });
      await rig.refund({ orderId: "a", userId: "u-1", refundId: "r-1", amount: 1_000 });
      // Early arrivals: a refund and a close before their order, then the order nets them out.
      await rig.refund({ orderId: "b", userId: "u-1", refundId: "r-1", amount: 1_000 });
      await rig.windowClosed({ orderId: "b", userId: "u-1", closedAt: "2026-01-01T12:00:00.000Z" });
      await rig.order({ orderId: "b", userId: "u-1", amount: 5_000, completedAt: "2026-01-01T11:00:00.000Z" });
      await rig.windowClosed({ orderId: "a", userId: "u-1", closedAt: "2026-01-01T12:00:00.000Z" });
    }),
  );
  // With tiers: a credit reads the balance item first; refunds, closes and early arrivals move the buckets.
  const tiered = createBatchWriter({
    ledger: new DynamoLedger(harness.documents, harness.tableName, undefined, TIERS),
    rules: parseEarnRules(TEST_RULES),
    logger: createLogger("error", () => {}),
    now: rig.now,
    lifecycle: { pendingDays: 1, expiryDays: 10 },
  });
  const sendTiered = async (event: Record<string, unknown>) =>
    t.deepEqual((await tiered(sqsBatch(sqsRecord(event)))).batchItemFailures, []);
  add(
    "writer",
    await actionsOf(harness, async () => {
      await sendTiered(orderCompleted({ orderId: "t", userId: "u-9", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }));
      await sendTiered(
        orderRefunded({ orderId: "t", userId: "u-9", refundId: "r-1", amount: 1_000, refundedAt: "2026-01-01T10:00:00.000Z" }),
      );
      await sendTiered(
        orderRefunded({ orderId: "s", userId: "u-9", refundId: "r-1", amount: 1_000, refundedAt: "2026-01-01T10:00:00.000Z" }),
      );
      await sendTiered(orderCompleted({ orderId: "s", userId: "u-9", amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }));
      await sendTiered({
        ...orderCompleted({ orderId: "t", userId: "u-9", amount: 0 }),
        "detail-type": DETAIL_TYPES.returnWindowClosed,
        detail: { orderId: "t", userId: "u-9", closedAt: "2026-01-01T12:00:00.000Z" },
      });
      // Customers who will reach Silver at 01-03's release, with no settle visiting them that day.
      for (const userId of ["u-8", "u-7", "u-6"]) {
        await sendTiered(orderCompleted({ orderId: "a", userId, amount: 10_000, completedAt: "2026-01-01T10:00:00.000Z" }));
      }
    }),
  );
  // The tiers' settle: a release rolled forward (a rise: the state, its notice, the period's end
  // listed), a period's end visited and lowered (its index item deleted), warnings looked for.
  const tieredSettle = new DynamoSettle(harness.documents, harness.tableName, 3, TIERS);
  // The settle's notices: a release (its index item deleted), then a warning (its index item
  // marked). Both orders' lots were moved by their closed return windows to 01-02 → 01-13 (a close
  // moves the release only: the lots keep the expiry their orders earned).
  rig.at("2026-01-02T00:15:00.000Z");
  add("settle", await actionsOf(harness, () => tieredSettle.settleDay("2026-01-02", rig.now())));
  rig.at("2026-01-05T00:00:00.000Z");
  // A credit rolling through the release records the rise and lists the period's end; a refund taking
  // the level back unlists it.
  add(
    "writer",
    await actionsOf(harness, async () => {
      for (const userId of ["u-8", "u-7", "u-6"]) {
        await sendTiered(orderCompleted({ orderId: "b", userId, amount: 1_000, completedAt: "2026-01-05T00:00:00.000Z" }));
      }
      await sendTiered(
        orderRefunded({ orderId: "a", userId: "u-8", refundId: "r-1", amount: 10_000, refundedAt: "2026-01-05T00:00:00.000Z" }),
      );
    }),
  );
  add(
    "redeemer",
    await actionsOf(harness, async () => {
      await rig.redeem("x-1", 10);
      await rig.cancel("x-1");
    }),
  );
  // The catalogue: the admin function puts a pool reward and a stock reward and uploads codes
  // (a duplicate among them); the redeemer claims a code and a unit, and voids the code on cancel;
  // the reader lists the catalogue and reads a reward with what it has left. With tiers, its balance
  // read answers the tier from the same item.
  const rewards = new DynamoRewards(harness.documents, harness.tableName);
  add(
    "admin",
    await actionsOf(harness, async () => {
      const voucher = { title: "€5 off", pointsCost: 5, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" } as const;
      await rewards.put("v5", voucher, rig.now());
      await rewards.put("ship", { title: "Free shipping", pointsCost: 1, kind: "free_shipping", stock: 10, codes: "none" }, rig.now());
      await rewards.uploadCodes("v5", ["A-1", "A-2", "A-3"], rig.now());
      await rewards.uploadCodes("v5", ["A-1", "A-4"], rig.now());
      await rewards.get("v5");
    }),
  );
  add(
    "redeemer",
    await actionsOf(harness, async () => {
      await rig.redemptions.redeem("u-1", { redemptionId: "p-1", rewardId: "v5" }, rig.now);
      await rig.redemptions.redeem("u-1", { redemptionId: "p-2", rewardId: "ship" }, rig.now);
      await rig.redemptions.cancel("u-1", "p-1", rig.now);
    }),
  );
  add(
    "reader",
    await actionsOf(harness, async () => {
      await rig.balance();
      t.like(await new DynamoLedger(harness.documents, harness.tableName, undefined, TIERS).getBalance("u-9", rig.now()), {
        tier: { name: "Silver" },
      });
      await rig.ledger.getHistory("u-1", 5);
      await rewards.list();
      await rewards.get("v5");
    }),
  );
  rig.at("2026-01-10T00:15:00.000Z");
  add("settle", await actionsOf(harness, () => tieredSettle.settleDay("2026-01-10", rig.now())));
  rig.at("2026-01-20T00:15:00.000Z");
  add("settle", await actionsOf(harness, () => tieredSettle.settleDay("2026-01-13", rig.now())));
  // A refund of an order whose lot the settle took off reads the lot's expiry entries.
  add("writer", await actionsOf(harness, () => rig.refund({ orderId: "a", userId: "u-1", refundId: "r-2", amount: 2_000 })));

  // The admin function: grants (indexed for expiry), takes (into debt too), a replay, erasures (one
  // half-way, finished by its retry), and an adjustment refused for an erased customer.
  const adjustments = new DynamoAdjustments(harness.documents, harness.tableName, { pendingDays: 1, expiryDays: 10 });
  const erasure = new DynamoErasure(harness.documents, harness.tableName);
  add(
    "admin",
    await actionsOf(harness, async () => {
      const grant = { adjustmentId: "adj-1", points: 30, reason: "goodwill" };
      await adjustments.adjust("u-1", grant, "agent", rig.now);
      await adjustments.adjust("u-1", grant, "agent", rig.now);
      await adjustments.adjust("u-1", { adjustmentId: "adj-2", points: -1_000, reason: "fraud", allowNegative: true }, "agent", rig.now);
      await adjustments.adjust("u-2", { adjustmentId: "adj-3", points: 40, reason: "goodwill" }, "agent", rig.now);
      harness.inject({ operation: "BatchWriteItem", when: "before", error: () => new Error("interrupted") });
      await erasure.erase("u-2", rig.now()).catch(() => undefined);
      await erasure.erase("u-2", rig.now());
      // Asked again: answered from the first erasure's tombstone.
      await erasure.erase("u-2", rig.now());
      // A customer with a level: their period's end is unlisted too.
      await erasure.erase("u-7", rig.now());
      await adjustments.adjust("u-2", { adjustmentId: "adj-4", points: 1, reason: "after erasure" }, "agent", rig.now);
    }),
  );
  // The writer erases on the platform's Customer Deleted, and drops the erased customer's events.
  add(
    "writer",
    await actionsOf(harness, async () => {
      const deleted = {
        version: "0",
        id: "del-1",
        "detail-type": DETAIL_TYPES.customerDeleted,
        source: DEFAULT_EVENT_SOURCE,
        account: "123456789012",
        time: "2026-01-20T00:00:00.000Z",
        region: "eu-west-1",
        resources: [],
        detail: { userId: "u-1", deletedAt: "2026-01-20T00:00:00.000Z" },
      };
      await rig.write(sqsBatch(sqsRecord(deleted)));
      // Its redelivery: the erasure already done.
      await rig.write(sqsBatch(sqsRecord(deleted)));
      // A customer with a level: their period's end is unlisted too.
      await rig.write(sqsBatch(sqsRecord({ ...deleted, id: "del-6", detail: { userId: "u-6", deletedAt: "2026-01-20T00:00:00.000Z" } })));
      await rig.order({ orderId: "late", userId: "u-1", amount: 1_000, completedAt: "2026-01-19T10:00:00.000Z" });
    }),
  );

  t.true(
    used.writer.has("dynamodb:ConditionCheckItem") && used.writer.has("dynamodb:Query") && used.writer.has("dynamodb:BatchWriteItem"),
    "the paths above were all taken",
  );
  t.true(used.admin.has("dynamodb:BatchWriteItem") && used.admin.has("dynamodb:ConditionCheckItem"), "the admin paths were taken");
  t.true(used.redeemer.has("dynamodb:ConditionCheckItem"), "the redeemer's writes carried their tombstone check");
  t.true(used.redeemer.has("dynamodb:DeleteItem") && used.redeemer.has("dynamodb:Query"), "a code was claimed from its shard's free codes");
  const { get } = await prodRun();
  // Each function's role policy in prod, by the function.
  const rolePolicies = [
    ["writer", "loyalty-ingest-writer"],
    ["redeemer", "loyalty-api-redeemer"],
    ["reader", "loyalty-api-reader"],
    ["settle", "loyalty-settle"],
    ["admin", "loyalty-api-admin"],
  ] as const;
  for (const [fn, policy] of rolePolicies) {
    const statements = statementsOf(get("aws:iam/rolePolicy:RolePolicy", policy).inputs.policy);
    const allowed = new Set(allowedActions(statements));
    t.deepEqual([...used[fn]].filter((action) => !allowed.has(action)).sort(), [], `${fn}: actions its role (${policy}) lacks`);
    // And on the partitions it sends them to: a leading-key condition too narrow fails in AWS alone.
    const refused = new Set(
      keyed[fn].filter((request) => !granted(statements, request)).map(({ action, partition }) => `${action} on ${String(partition)}`),
    );
    t.deepEqual([...refused].sort(), [], `${fn}: requests its role (${policy}) refuses by partition`);
  }
  // Every statement on the ledger's items names the partitions it is for, and each (action, partition
  // prefix) it grants is one its function's code sends: no statement wider than the paths need.
  for (const [fn, policy] of rolePolicies) {
    const statements = statementsOf(get("aws:iam/rolePolicy:RolePolicy", policy).inputs.policy).filter(
      (statement) =>
        statement.Effect === "Allow" && statement.Action.some((action) => action.startsWith("dynamodb:") && !STREAM_ACTIONS.has(action)),
    );
    const unconditioned = statements
      .filter((statement) => statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"] === undefined)
      .map((statement) => statement.Sid);
    t.deepEqual(unconditioned, [], `${fn}: ledger statements without a dynamodb:LeadingKeys condition`);
    const unused = statements.flatMap((statement) => {
      const patterns = (statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"] ?? []) as string[];
      return statement.Action.flatMap((action) =>
        patterns
          .filter(
            (pattern) =>
              !keyed[fn].some(
                (request) =>
                  request.action === action && request.partition !== undefined && request.partition.startsWith(pattern.replace(/\*$/u, "")),
              ),
          )
          .map((pattern) => `${String(statement.Sid)}: ${action} on ${pattern}`),
      );
    });
    t.deepEqual(
      unused.filter((grant) => !FALLBACK_GRANTS.has(grant.slice(grant.indexOf(": ") + 2))),
      [],
      `${fn}: grants no path of its code uses`,
    );
  }
  // And the redeemer's, the admin function's and the settle's roles allow nothing their code does not send.
  for (const [fn, policy] of [
    ["redeemer", "loyalty-api-redeemer"],
    ["admin", "loyalty-api-admin"],
    ["settle", "loyalty-settle"],
  ] as const) {
    const granted = new Set(
      allowedActions(statementsOf(get("aws:iam/rolePolicy:RolePolicy", policy).inputs.policy)).filter((action) =>
        action.startsWith("dynamodb:"),
      ),
    );
    t.deepEqual([...granted].sort(), [...used[fn]].sort(), `the ${fn} role: exactly the actions its paths send`);
  }
});

test("the publisher's role reads the ledger's stream, as Lambda's mapping does for it, and no table item", async (t) => {
  const { get } = await prodRun();
  const allowed = allowedActions(statementsOf(get("aws:iam/rolePolicy:RolePolicy", "loyalty-events").inputs.policy));
  // The mapping polls the stream with the function's role; the function itself sends no DynamoDB request.
  t.deepEqual(allowed.filter((action) => action.startsWith("dynamodb:")).sort(), [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
  ]);
  t.true(allowed.includes("events:PutEvents"));
});
