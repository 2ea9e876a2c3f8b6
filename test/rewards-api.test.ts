/**
 * The catalogue's routes through the functions that serve them, on a real DynamoDB: admins (the
 * admin group, listed IAM principals) create and replace rewards and upload codes; customers get
 * 403 there, and see the rewards they can redeem now; bad input is a 400 naming the field.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import test from "ava";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { createAdminApi } from "../handlers/admin/admin-api";
import { API_ROUTES, resourceIn } from "../handlers/http/routes";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { CONFLICT_RETRY } from "../handlers/ledger/busy-retry";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { createReadApi } from "../handlers/reader/read-api";
import { createLogger } from "../handlers/runtime/log";
import { apiEvent } from "./support/api-events";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { ADMIN_BACKEND, signedBy } from "./support/iam-caller";

process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

const ADMINS = "loyalty-support";
const ADMIN = { sub: "ops-1", "cognito:groups": ADMINS };
const CUSTOMER = { sub: "u-1" };
let clock = Date.parse("2026-11-24T15:00:00.000Z");
const now = () => new Date(clock);

async function setup() {
  const harness = await createHarness(dynamo);
  const rewards = new DynamoRewards(harness.documents, harness.tableName);
  const common = { logger: createLogger("error", () => undefined), allowedOrigins: [], adminGroup: ADMINS, now };
  const admin = createAdminApi({
    ...common,
    rewards,
    adjustments: new DynamoAdjustments(harness.documents, harness.tableName, { pendingDays: 0, expiryDays: 0 }),
    erasure: new DynamoErasure(harness.documents, harness.tableName),
  });
  const reader = createReadApi({ ...common, rewards, ledger: new DynamoLedger(harness.documents, harness.tableName) });
  return { harness, admin, reader };
}

type Claims = Record<string, string>;

const answer = async (api: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>, event: APIGatewayProxyEvent) => {
  const response = await api(event);
  return {
    status: response.statusCode,
    body: JSON.parse(response.body) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
};

const putReward = (rewardId: string, body: unknown, claims: Claims | undefined = ADMIN) =>
  apiEvent({
    resource: API_ROUTES.putReward.resource,
    method: "PUT",
    pathParameters: { rewardId },
    body: JSON.stringify(body),
    ...(claims ? { claims } : {}),
  });

const uploadCodes = (rewardId: string, codes: unknown, claims: Claims = ADMIN) =>
  apiEvent({
    resource: API_ROUTES.uploadCodes.resource,
    method: "POST",
    pathParameters: { rewardId },
    body: JSON.stringify({ codes }),
    claims,
  });

const listRewards = (claims: Claims) => apiEvent({ resource: API_ROUTES.listRewards.resource, claims });

const getReward = (rewardId: string, claims: Claims = CUSTOMER) =>
  apiEvent({ resource: API_ROUTES.getReward.resource, pathParameters: { rewardId }, claims });

const VOUCHER = { title: "€5 off", pointsCost: 50, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" };

test("an admin creates (201) and replaces (200) a reward; uploads codes idempotently; anyone signed in reads it", async (t) => {
  const { admin, reader } = await setup();
  const created = await answer(admin, putReward("v5", VOUCHER));
  t.is(created.status, 201);
  t.like(created.body, { rewardId: "v5", title: "€5 off", pointsCost: 50, kind: "voucher", codes: "pool", available: 0, active: false });
  const replaced = await answer(admin, putReward("v5", { ...VOUCHER, pointsCost: 60 }));
  t.is(replaced.status, 200);
  t.like(replaced.body, { pointsCost: 60, createdAt: created.body.createdAt });
  t.deepEqual((await answer(admin, uploadCodes("v5", ["A", "B", "C", "A"]))).body, { added: 3, duplicates: 1, available: 3 });
  t.deepEqual((await answer(admin, uploadCodes("v5", ["C", "D"]))).body, { added: 1, duplicates: 1, available: 4 });
  t.like(await answer(reader, getReward("v5")), { status: 200, body: { rewardId: "v5", pointsCost: 60, available: 4, active: true } });
  t.like(await answer(reader, getReward("nope")), { status: 404, body: { error: { code: "reward_not_found" } } });
  // Backends reach the same routes under /admin with SigV4.
  const signed = signedBy(
    apiEvent({
      resource: resourceIn("admin", API_ROUTES.putReward),
      method: "PUT",
      pathParameters: { rewardId: "tote" },
      body: JSON.stringify({ title: "Tote", pointsCost: 10, kind: "product" }),
    }),
    ADMIN_BACKEND,
  );
  t.is((await answer(admin, signed)).status, 201);
});

test("customers see the rewards they can redeem now; admins see every reward", async (t) => {
  const { admin, reader } = await setup();
  await answer(admin, putReward("open", { title: "Open", pointsCost: 10, kind: "product" }));
  await answer(admin, putReward("later", { title: "Later", pointsCost: 10, kind: "product", activeFrom: "2027-01-01T00:00:00Z" }));
  await answer(admin, putReward("gone", { title: "Gone", pointsCost: 10, kind: "product", stock: 0 }));
  await answer(admin, putReward("empty-pool", { ...VOUCHER }));
  const ids = (body: Record<string, unknown>) => (body.items as Array<{ rewardId: string }>).map((item) => item.rewardId);
  t.deepEqual(ids((await answer(reader, listRewards(CUSTOMER))).body), ["open"]);
  t.deepEqual(ids((await answer(reader, listRewards(ADMIN))).body), ["empty-pool", "gone", "later", "open"]);
  clock = Date.parse("2027-01-01T00:00:00.000Z");
  t.deepEqual(ids((await answer(reader, listRewards(CUSTOMER))).body), ["later", "open"], "a window that opened");
  clock = Date.parse("2026-11-24T15:00:00.000Z");
});

test("customers get 403 on the admin routes; bad input is 400 invalid_request naming the field", async (t) => {
  const { admin, reader } = await setup();
  t.like(await answer(admin, putReward("v5", VOUCHER, CUSTOMER)), { status: 403, body: { error: { code: "forbidden" } } });
  t.like(await answer(admin, uploadCodes("v5", ["A"], CUSTOMER)), { status: 403 });
  t.like(
    await answer(reader, apiEvent({ resource: API_ROUTES.listRewards.resource })),
    { status: 403 },
    "neither claims nor a listed signer",
  );
  const invalid = async (event: APIGatewayProxyEvent, field: RegExp) => {
    const refused = await answer(admin, event);
    t.is(refused.status, 400);
    t.is(refused.body.error?.code, "invalid_request");
    t.regex(refused.body.error?.message ?? "", field);
  };
  await invalid(putReward("v5", { ...VOUCHER, value: undefined }), /value: is required for a voucher/);
  await invalid(putReward("v5", { ...VOUCHER, pointsCost: 0 }), /pointsCost: must be at least 1/);
  await invalid(putReward("v5", { ...VOUCHER, pointsCost: 1.5 }), /pointsCost: must be a whole number/);
  await invalid(putReward("v5", { ...VOUCHER, kind: "cash" }), /kind: must be one of/);
  await invalid(putReward("v5", { ...VOUCHER, stock: 3 }), /stock: must be absent with codes "pool"/);
  await invalid(
    putReward("v5", { ...VOUCHER, activeFrom: "2027-01-01T00:00:00Z", activeUntil: "2026-01-01T00:00:00Z" }),
    /activeUntil: must be after activeFrom/,
  );
  await invalid(putReward("bad/id", VOUCHER), /rewardId/);
  t.is((await answer(admin, putReward("v5", VOUCHER))).status, 201);
  await invalid(putReward("v5", { ...VOUCHER, codes: "none" }), /codes: the reward's codes are "pool" for good/);
  await invalid(uploadCodes("v5", []), /codes: must hold at least one code/);
  await invalid(uploadCodes("v5", ["has space"]), /codes\.0: may only contain/);
  await invalid(
    uploadCodes(
      "v5",
      Array.from({ length: 1_001 }, (_, i) => `C${i}`),
    ),
    /codes: must hold at most 1000 codes/,
  );
  t.like(await answer(admin, uploadCodes("nope", ["A"])), { status: 404, body: { error: { code: "reward_not_found" } } });
  await answer(admin, putReward("tote", { title: "Tote", pointsCost: 10, kind: "product" }));
  await invalid(uploadCodes("tote", ["A"]), /hands out no codes/);
});

test("an upload that concurrent redemptions keep conflicting with, for every try, answers 503 busy with Retry-After; sent again, it adds the codes", async (t) => {
  const { harness, admin } = await setup();
  t.is((await answer(admin, putReward("v5", VOUCHER))).status, 201);
  const conflict = () =>
    new TransactionCanceledException({
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
      $metadata: {},
      CancellationReasons: [{ Code: "TransactionConflict" }],
    });
  harness.inject({ operation: "TransactWriteItems", match: "CODE#BUSY-1", when: "before", error: conflict, times: CONFLICT_RETRY.tries });
  const response = await admin(uploadCodes("v5", ["BUSY-1", "BUSY-2"]));
  t.is(response.statusCode, 503);
  t.is(response.headers?.["Retry-After"], "1");
  t.like(JSON.parse(response.body), {
    error: { code: "busy", message: "the reward's codes are being redeemed right now; upload again: it adds only the codes still missing" },
  });
  t.like(await answer(admin, uploadCodes("v5", ["BUSY-1", "BUSY-2"])), { status: 200, body: { added: 2, duplicates: 0, available: 2 } });
});
