/**
 * The document's examples are real answers: the real reader, redeemer and admin function, on the real ledger in
 * DynamoDB Local, asked every question an app can ask — and every wrong one. The clock and the
 * request ids are pinned, so the same code records the same answers every time.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { parseStackConfig } from "../config/stack-config";
import { readStackFile } from "../config/stack-file";
import type { OrderCompleted, OrderRefunded } from "../handlers/domain/contract";
import { earnRateFor, parseEarnRules } from "../handlers/domain/earn-rules";
import { earnEntry } from "../handlers/domain/ledger-entries";
import type { Lifecycle } from "../handlers/domain/lifecycle";
import type { RedemptionRequest } from "../handlers/domain/redemption";
import { ADMIN_PREFIX, API_ROUTES, treeOf, type ApiHandlerName, type RouteTree } from "../handlers/http/routes";
import { createAdminApi } from "../handlers/admin/admin-api";
import { DynamoAdjustments } from "../handlers/ledger/dynamo-adjustments";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { DynamoLedger } from "../handlers/ledger/dynamo-ledger";
import { LedgerBusyError } from "../handlers/ledger/busy-retry";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { createTableInput } from "../handlers/ledger/table";
import { createReadApi } from "../handlers/reader/read-api";
import { createRedeemApi } from "../handlers/redeemer/redeem-api";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { createLogger } from "../handlers/runtime/log";
import { toProxyEvent, type ProxyHandler } from "../local/api-gateway";
import { LOCAL_AWS } from "../local/dynamo-local";
import type { LocalCaller } from "../local/local-caller";
import type { RouteName } from "./route-contracts";

export interface RecordedAnswer {
  route: RouteName;
  /** Whether it was asked at the route's own resource or under `/admin`. */
  tree: RouteTree;
  /** The example's key: unique within its route and status. */
  name: string;
  summary: string;
  status: number;
  body: unknown;
}

const NOW = new Date("2026-11-24T12:00:00.000Z");
const REQUEST_ID = "5f0c6d1e-9b1a-4c52-8f0e-3a7d2b9c4e61";
const ADMIN_GROUP = "loyalty-support";
/** Prod's lifecycle, so the examples show pending points and expiry dates. */
const LIFECYCLE: Lifecycle = { pendingDays: 30, expiryDays: 365 };
const RULES = parseEarnRules('{"EUR": 1}');
/** Prod's tiers (Otrium's levels), so the balance examples answer the tier as prod does. */
const TIERS = parseStackConfig(readStackFile("prod")).tiers;
/** Which code a redemption takes, and where uploaded codes sort, pinned: the same code every time. */
const PINNED = { random: () => 0 };

const customer = (userId: string): LocalCaller => ({ claims: { sub: userId } });
const ADMIN: LocalCaller = { claims: { sub: "support-7", "cognito:groups": ADMIN_GROUP } };
/** The customer-service backend, signing with SigV4 and listed in `ADMIN_PRINCIPALS`. */
const BACKEND_ARN = "arn:aws:iam::123456789012:role/customer-service-backend";
const BACKEND: LocalCaller = { userArn: BACKEND_ARN };
/** A signer of the account that is not listed: API Gateway's resource policy refuses it; the function would too. */
const NOT_LISTED: LocalCaller = { userArn: "arn:aws:iam::123456789012:role/reporting" };

const ORDERS: OrderCompleted[] = [
  { orderId: "o-1001", userId: "u-42", total: { amount: 12995, currency: "EUR" }, completedAt: "2026-09-30T10:00:00.000Z" },
  { orderId: "o-1002", userId: "u-42", total: { amount: 5000, currency: "EUR" }, completedAt: "2026-11-20T11:00:00.000Z" },
  // The customer the erasure's example erases.
  { orderId: "o-2001", userId: "u-99", total: { amount: 8000, currency: "EUR" }, completedAt: "2026-10-01T09:00:00.000Z" },
];
/**
 * A customer who reached Gold this year, each order credited as it completed (the tiers count an
 * order from its release, never from an instant already past when it is credited): Silver from
 * the first order's release, Gold from the second's, the third earning at Gold.
 */
const GOLD_ORDERS: OrderCompleted[] = [
  { orderId: "o-3001", userId: "u-51", total: { amount: 64000, currency: "EUR" }, completedAt: "2026-02-14T10:00:00.000Z" },
  { orderId: "o-3002", userId: "u-51", total: { amount: 108000, currency: "EUR" }, completedAt: "2026-06-05T18:30:00.000Z" },
  { orderId: "o-3003", userId: "u-51", total: { amount: 30000, currency: "EUR" }, completedAt: "2026-10-10T08:15:00.000Z" },
];
const REFUND: OrderRefunded = {
  orderId: "o-1001",
  userId: "u-42",
  refundId: "rf-1",
  refund: { amount: 2995, currency: "EUR" },
  refundedAt: "2026-10-05T09:30:00.000Z",
};

const json = (body: RedemptionRequest | Record<string, unknown>) => JSON.stringify(body);

/** Asks a question of the real functions and keeps the answer. */
type Ask = (
  route: RouteName,
  name: string,
  summary: string,
  request: { method?: string; url: string; body?: string; contentType?: string; caller: LocalCaller },
) => Promise<void>;

/** Records every example, on a fresh table of the DynamoDB Local at `dynamoEndpoint`. */
export async function recordAnswers(dynamoEndpoint: string): Promise<RecordedAnswer[]> {
  const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint });
  const documents = createDocumentClient(dynamo);
  const tableName = `openapi-examples-${randomUUID()}`;
  // The functions read the listed backends from their environment, as deployed.
  const listed = process.env.ADMIN_PRINCIPALS;
  process.env.ADMIN_PRINCIPALS = JSON.stringify([BACKEND_ARN]);
  try {
    await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
    const ledger = new DynamoLedger(documents, tableName, undefined, TIERS);
    const credit = (order: OrderCompleted, recordedAt: string) =>
      ledger.creditOrder(
        earnEntry(order, earnRateFor(RULES, order.total.currency), { eventId: `event-${order.orderId}`, recordedAt }, LIFECYCLE),
      );
    for (const order of ORDERS) await credit(order, NOW.toISOString());
    for (const order of GOLD_ORDERS) await credit(order, order.completedAt);
    await ledger.reverseRefund(REFUND, { eventId: `event-${REFUND.refundId}`, recordedAt: NOW.toISOString() }, NOW);

    const common = { logger: createLogger("error", () => undefined), allowedOrigins: [], adminGroup: ADMIN_GROUP, now: () => NOW };
    const admin = (table: string) =>
      createAdminApi({
        ...common,
        adjustments: new DynamoAdjustments(documents, table, LIFECYCLE),
        erasure: new DynamoErasure(documents, table),
        rewards: new DynamoRewards(documents, table, PINNED),
      });
    const functions = {
      reader: createReadApi({ ...common, ledger, rewards: new DynamoRewards(documents, tableName, PINNED) }),
      redeemer: createRedeemApi({ ...common, redemptions: new DynamoRedemptions(documents, tableName, PINNED) }),
      admin: admin(tableName),
    };
    const recorded: RecordedAnswer[] = [];
    const askOf =
      (of: Record<ApiHandlerName, ProxyHandler>): Ask =>
      async (route, name, summary, { method = API_ROUTES[route].method, url, body = "", contentType = "application/json", caller }) => {
        const event: APIGatewayProxyEvent = toProxyEvent(
          { method, url, headers: body ? { "content-type": contentType } : {}, body, sourceIp: "127.0.0.1", caller },
          "v1",
        );
        const { tree, routeResource } = treeOf(event.resource);
        if (routeResource !== API_ROUTES[route].resource) throw new Error(`${url} is not a request for ${route}`);
        const result = await of[API_ROUTES[route].handler]({
          ...event,
          requestContext: { ...event.requestContext, requestId: REQUEST_ID },
        });
        recorded.push({ route, tree, name, summary, status: result.statusCode, body: JSON.parse(result.body) });
      };
    const ask = askOf(functions);

    await ask("balance", "balance", "Spendable, pending and what comes next", { url: "/points/u-42", caller: customer("u-42") });
    await ask("balance", "gold", "A Gold customer: the top level, and what keeps it at the period's end", {
      url: "/points/u-51",
      caller: customer("u-51"),
    });
    await ask("balance", "no_entries", "A customer with no entries yet", { url: "/points/u-7", caller: customer("u-7") });
    await ask("balance", "invalid_user_id", "A userId that is no id", { url: "/points/u%2042!", caller: ADMIN });
    await ask("balance", "forbidden", "Someone else's points", { url: "/points/u-42", caller: customer("u-7") });

    // The catalogue, as customer service sets it up: a voucher with single-use codes, a tote bag in
    // stock (once per customer), a reward beyond any balance, one out of stock.
    const voucher = {
      title: "€5 off your next order",
      description: "A single-use code for the checkout",
      pointsCost: 50,
      kind: "voucher",
      value: { amount: 500, currency: "EUR" },
      codes: "pool",
    };
    const putReward = (rewardId: string) => `/rewards/${rewardId}`;
    await ask("putReward", "created", "A voucher whose redemptions each hand out an uploaded code", {
      url: putReward("voucher-5"),
      body: json(voucher),
      caller: ADMIN,
    });
    await ask("putReward", "replaced", "The same reward again, from March on", {
      url: putReward("voucher-5"),
      body: json({ ...voucher, activeFrom: "2026-03-01T00:00:00.000Z" }),
      caller: ADMIN,
    });
    await ask("putReward", "invalid_request", "A voucher without its value", {
      url: putReward("voucher-x"),
      body: json({ ...voucher, value: undefined }),
      caller: ADMIN,
    });
    const notJson = "A body not sent as application/json (API Gateway validates only a matching type, and passes others on)";
    await ask("putReward", "unsupported_media_type", notJson, {
      url: putReward("voucher-x"),
      body: json(voucher),
      contentType: "text/plain",
      caller: ADMIN,
    });
    await ask("putReward", "forbidden", "A customer may not change the catalogue", {
      url: putReward("voucher-x"),
      body: json(voucher),
      caller: customer("u-42"),
    });
    const codes = "/rewards/voucher-5/codes";
    await ask("uploadCodes", "uploaded", "Codes added, free to hand out", {
      url: codes,
      body: json({ codes: ["V5-7Q2M-K9TD", "V5-3XHP-W4NB", "V5-8RZC-J6LF"] }),
      caller: ADMIN,
    });
    await ask("uploadCodes", "duplicates", "The same upload again, with one new code: only that one is added", {
      url: codes,
      body: json({ codes: ["V5-7Q2M-K9TD", "V5-3XHP-W4NB", "V5-8RZC-J6LF", "V5-2MVA-Q7EX"] }),
      caller: ADMIN,
    });
    await ask("uploadCodes", "reward_not_found", "Codes for a reward the catalogue does not know", {
      url: "/rewards/voucher-9/codes",
      body: json({ codes: ["V9-1"] }),
      caller: ADMIN,
    });
    await ask("uploadCodes", "invalid_request", "A code with characters a code may not have", {
      url: codes,
      body: json({ codes: ["V5 7Q2M"] }),
      caller: ADMIN,
    });
    await ask("uploadCodes", "unsupported_media_type", notJson, {
      url: codes,
      body: json({ codes: ["V5-1"] }),
      contentType: "text/plain",
      caller: ADMIN,
    });
    await ask("uploadCodes", "forbidden", "A customer may not upload codes", {
      url: codes,
      body: json({ codes: ["V5-1"] }),
      caller: customer("u-42"),
    });
    const more = [
      ["tote", { title: "Otrium tote bag", pointsCost: 20, kind: "product", stock: 500, perCustomerLimit: 1 }],
      ["weekend-trip", { title: "A weekend in Amsterdam", pointsCost: 100_000, kind: "product" }],
      ["free-shipping", { title: "Free shipping", pointsCost: 10, kind: "free_shipping", stock: 0 }],
    ] as const;
    for (const [rewardId, definition] of more) {
      const answer = await functions.admin(
        toProxyEvent(
          {
            method: "PUT",
            url: putReward(rewardId),
            headers: { "content-type": "application/json" },
            body: json(definition),
            sourceIp: "127.0.0.1",
            caller: ADMIN,
          },
          "v1",
        ),
      );
      if (answer.statusCode !== 201) throw new Error(`the catalogue's ${rewardId} was not created: ${answer.body}`);
    }
    await ask("listRewards", "customer", "A customer sees what they can redeem now", { url: "/rewards", caller: customer("u-42") });
    await ask("listRewards", "admin", "An admin sees every reward, active or not", { url: "/rewards", caller: ADMIN });
    await ask("getReward", "reward", "One reward, with what it has left", { url: putReward("voucher-5"), caller: customer("u-42") });
    await ask("getReward", "reward_not_found", "A reward the catalogue does not know", {
      url: putReward("voucher-9"),
      caller: customer("u-42"),
    });
    await ask("getReward", "invalid_request", "A rewardId that is no id", { url: "/rewards/v%205", caller: customer("u-42") });

    const redemption = { redemptionId: "rd-1", rewardId: "voucher-5" };
    const redeem = "/points/u-42/redemptions";
    await ask("redeem", "redeemed", "The reward's price spent: a pool reward hands out its code", {
      url: redeem,
      body: json(redemption),
      caller: customer("u-42"),
    });
    await ask("redeem", "replayed", "The same request again: its first answer", {
      url: redeem,
      body: json(redemption),
      caller: customer("u-42"),
    });
    await ask("redeem", "idempotency_conflict", "The same redemptionId for another request", {
      url: redeem,
      body: json({ ...redemption, points: 60 }),
      caller: customer("u-42"),
    });
    await ask("redeem", "insufficient_points", "A reward dearer than the balance", {
      url: redeem,
      body: json({ redemptionId: "rd-2", rewardId: "weekend-trip" }),
      caller: customer("u-42"),
    });
    await ask("redeem", "price_changed", "The app showed another price: nothing spent, the current one answered", {
      url: redeem,
      body: json({ redemptionId: "rd-7", rewardId: "voucher-5", points: 40 }),
      caller: customer("u-42"),
    });
    await ask("redeem", "reward_not_found", "The apps' old request: a price and a reward the catalogue does not know", {
      url: redeem,
      body: json({ redemptionId: "rd-8", points: 30, rewardId: "voucher-10" }),
      caller: customer("u-42"),
    });
    await ask("redeem", "reward_unavailable", "A reward out of stock", {
      url: redeem,
      body: json({ redemptionId: "rd-10", rewardId: "free-shipping" }),
      caller: customer("u-42"),
    });
    await ask("redeem", "invalid_request", "A body that breaks the request schema", {
      url: redeem,
      body: json({ redemptionId: "rd-3", points: 0, rewardId: "voucher-5" }),
      caller: customer("u-42"),
    });
    await ask("redeem", "unsupported_media_type", notJson, {
      url: redeem,
      body: json({ ...redemption, redemptionId: "rd-6" }),
      contentType: "text/plain",
      caller: customer("u-42"),
    });
    await ask("redeem", "forbidden", "Spending someone else's points", {
      url: redeem,
      body: json({ ...redemption, redemptionId: "rd-4" }),
      caller: customer("u-7"),
    });

    await ask("cancelRedemption", "cancelled", "The points given back", { url: "/points/u-42/redemptions/rd-1/cancel", caller: ADMIN });
    await ask("cancelRedemption", "redemption_not_found", "No such redemption for this customer", {
      url: "/points/u-42/redemptions/rd-9/cancel",
      caller: ADMIN,
    });
    await ask("cancelRedemption", "invalid_request", "A redemptionId that is no id", {
      url: "/points/u-42/redemptions/rd%201/cancel",
      caller: ADMIN,
    });
    await ask("cancelRedemption", "forbidden", "A customer may not cancel", {
      url: "/points/u-42/redemptions/rd-1/cancel",
      caller: customer("u-42"),
    });

    const adjustments = "/points/u-42/adjustments";
    const grant = { adjustmentId: "adj-1", points: 25, reason: "Parcel arrived damaged" };
    await ask("adjust", "granted", "Points granted, spendable at once", { url: adjustments, body: json(grant), caller: ADMIN });
    await ask("adjust", "replayed", "The same request again: its first answer", { url: adjustments, body: json(grant), caller: ADMIN });
    await ask("adjust", "taken", "Points taken, earliest-expiring first", {
      url: adjustments,
      body: json({ adjustmentId: "adj-2", points: -10, reason: "Points credited twice" }),
      caller: ADMIN,
    });
    await ask("adjust", "idempotency_conflict", "The same adjustmentId for another request", {
      url: adjustments,
      body: json({ ...grant, points: 30 }),
      caller: ADMIN,
    });
    await ask("adjust", "insufficient_points", "A take beyond the spendable balance, without allowNegative", {
      url: adjustments,
      body: json({ adjustmentId: "adj-3", points: -100_000, reason: "Fraudulent orders" }),
      caller: ADMIN,
    });
    await ask("adjust", "invalid_request", "A body that breaks the request schema", {
      url: adjustments,
      body: json({ adjustmentId: "adj-4", points: 0, reason: "" }),
      caller: ADMIN,
    });
    await ask("adjust", "unsupported_media_type", notJson, {
      url: adjustments,
      body: json({ ...grant, adjustmentId: "adj-9" }),
      contentType: "application/x-www-form-urlencoded",
      caller: ADMIN,
    });
    await ask("adjust", "forbidden", "A customer may not adjust", {
      url: adjustments,
      body: json({ ...grant, adjustmentId: "adj-5" }),
      caller: customer("u-42"),
    });

    await ask("history", "first_page", "The newest entries, with a cursor to the next page", {
      url: "/points/u-42/history?limit=3",
      caller: customer("u-42"),
    });
    const first = recorded.at(-1)?.body;
    const cursor =
      typeof first === "object" && first !== null && "nextCursor" in first && typeof first.nextCursor === "string"
        ? first.nextCursor
        : undefined;
    if (cursor === undefined) throw new Error("the first history page has no cursor");
    await ask("history", "last_page", "The last page: no cursor", {
      url: `/points/u-42/history?limit=3&cursor=${encodeURIComponent(cursor)}`,
      caller: customer("u-42"),
    });
    await ask("history", "invalid_query", "A limit out of range", { url: "/points/u-42/history?limit=0", caller: customer("u-42") });
    await ask("history", "invalid_cursor", "A cursor this API did not hand out", {
      url: "/points/u-42/history?cursor=bm90LWEtY3Vyc29y",
      caller: customer("u-42"),
    });

    await ask("erase", "erased", "The customer erased, with the outstanding points removed", {
      url: "/points/u-99",
      method: "DELETE",
      caller: ADMIN,
    });
    await ask("erase", "forbidden", "A customer may not erase", { url: "/points/u-99", method: "DELETE", caller: customer("u-99") });
    await ask("adjust", "customer_erased", "An erased customer gets nothing again", {
      url: "/points/u-99/adjustments",
      body: json({ adjustmentId: "adj-6", points: 5, reason: "Goodwill" }),
      caller: ADMIN,
    });

    // The backends' tree: the same functions, for a listed SigV4 signer; nobody else.
    const underAdmin = (path: string) => `${ADMIN_PREFIX}${path}`;
    await ask("balance", "backend_reads", "A listed backend reads any customer's balance", {
      url: underAdmin("/points/u-42"),
      caller: BACKEND,
    });
    await ask("history", "backend_reads", "A listed backend reads any customer's history", {
      url: underAdmin("/points/u-42/history?limit=2"),
      caller: BACKEND,
    });
    const backendGrant = { adjustmentId: "adj-backend-1", points: 40, reason: "Order o-1002 arrived late" };
    await ask("adjust", "backend_grants", "A listed backend grants points; the adjustment names its role", {
      url: underAdmin(adjustments),
      body: json(backendGrant),
      caller: BACKEND,
    });
    const backendRedemption = { redemptionId: "rd-backend-1", rewardId: "tote" };
    await ask("redeem", "backend_redeems", "A listed backend spends for a customer", {
      url: underAdmin(redeem),
      body: json(backendRedemption),
      caller: BACKEND,
    });
    await ask("redeem", "reward_limit_reached", "A reward the customer has had as often as it allows", {
      url: redeem,
      body: json({ redemptionId: "rd-11", rewardId: "tote" }),
      caller: customer("u-42"),
    });
    await ask("cancelRedemption", "backend_cancels", "A listed backend gives the points back", {
      url: underAdmin("/points/u-42/redemptions/rd-backend-1/cancel"),
      caller: BACKEND,
    });
    await ask("putReward", "backend_puts", "A listed backend changes the catalogue", {
      url: underAdmin(putReward("tote")),
      body: json({ title: "Otrium tote bag", pointsCost: 25, kind: "product", stock: 500, perCustomerLimit: 1 }),
      caller: BACKEND,
    });
    await ask("erase", "backend_erases", "A listed backend erases a customer", {
      url: underAdmin("/points/u-55"),
      method: "DELETE",
      caller: BACKEND,
    });
    const refused = "A signer not listed in the stack's adminPrincipals (API Gateway's resource policy refuses it first)";
    await ask("balance", "not_listed", refused, { url: underAdmin("/points/u-42"), caller: NOT_LISTED });
    await ask("history", "not_listed", refused, { url: underAdmin("/points/u-42/history"), caller: NOT_LISTED });
    await ask("adjust", "not_listed", refused, {
      url: underAdmin(adjustments),
      body: json({ ...backendGrant, adjustmentId: "adj-backend-2" }),
      caller: NOT_LISTED,
    });
    await ask("redeem", "not_listed", refused, {
      url: underAdmin(redeem),
      body: json({ ...backendRedemption, redemptionId: "rd-backend-2" }),
      caller: NOT_LISTED,
    });
    await ask("cancelRedemption", "not_listed", refused, {
      url: underAdmin("/points/u-42/redemptions/rd-backend-1/cancel"),
      caller: NOT_LISTED,
    });
    await ask("erase", "not_listed", refused, { url: underAdmin("/points/u-42"), method: "DELETE", caller: NOT_LISTED });

    // The answers to failures DynamoDB Local does not make on its own: a ledger that cannot be
    // read (a table that is not there), and a balance that kept changing for every attempt.
    class BusyRedemptions extends DynamoRedemptions {
      override redeem(): never {
        throw new LedgerBusyError("the balance kept changing");
      }
      override cancel(): never {
        throw new LedgerBusyError("the balance kept changing");
      }
    }
    const missingTable = `${tableName}-missing`;
    const broken = askOf({
      reader: createReadApi({
        ...common,
        ledger: new DynamoLedger(documents, missingTable),
        rewards: new DynamoRewards(documents, missingTable),
      }),
      redeemer: createRedeemApi({ ...common, redemptions: new DynamoRedemptions(documents, missingTable) }),
      admin: admin(missingTable),
    });
    const internal = "An unexpected failure: the request id to report, nothing internal";
    await broken("balance", "internal_error", internal, { url: "/points/u-42", caller: customer("u-42") });
    await broken("history", "internal_error", internal, { url: "/points/u-42/history", caller: customer("u-42") });
    await broken("redeem", "internal_error", internal, {
      url: redeem,
      body: json({ ...redemption, redemptionId: "rd-5" }),
      caller: customer("u-42"),
    });
    await broken("cancelRedemption", "internal_error", internal, { url: "/points/u-42/redemptions/rd-1/cancel", caller: ADMIN });
    await broken("adjust", "internal_error", internal, {
      url: adjustments,
      body: json({ ...grant, adjustmentId: "adj-7" }),
      caller: ADMIN,
    });
    await broken("erase", "internal_error", internal, { url: "/points/u-42", method: "DELETE", caller: ADMIN });
    await broken("listRewards", "internal_error", internal, { url: "/rewards", caller: customer("u-42") });
    await broken("getReward", "internal_error", internal, { url: "/rewards/voucher-5", caller: customer("u-42") });
    await broken("putReward", "internal_error", internal, { url: "/rewards/voucher-5", body: json(voucher), caller: ADMIN });
    await broken("uploadCodes", "internal_error", internal, {
      url: "/rewards/voucher-5/codes",
      body: json({ codes: ["V5-1"] }),
      caller: ADMIN,
    });
    const busy = askOf({ ...functions, redeemer: createRedeemApi({ ...common, redemptions: new BusyRedemptions(documents, tableName) }) });
    const retry = "The balance kept changing: retry with the same redemptionId";
    await busy("redeem", "busy", retry, { url: redeem, body: json({ ...redemption, redemptionId: "rd-5" }), caller: customer("u-42") });
    await busy("cancelRedemption", "busy", retry, { url: "/points/u-42/redemptions/rd-1/cancel", caller: ADMIN });
    class BusyAdjustments extends DynamoAdjustments {
      override adjust(): never {
        throw new LedgerBusyError("the balance kept changing");
      }
    }
    class BusyRewards extends DynamoRewards {
      override uploadCodes(): never {
        throw new LedgerBusyError("uploading codes met concurrent redemptions");
      }
    }
    const busyAdmin = askOf({
      ...functions,
      admin: createAdminApi({
        ...common,
        adjustments: new BusyAdjustments(documents, tableName, LIFECYCLE),
        erasure: new DynamoErasure(documents, tableName),
        rewards: new BusyRewards(documents, tableName, PINNED),
      }),
    });
    await busyAdmin("adjust", "busy", "The balance kept changing: retry with the same adjustmentId", {
      url: adjustments,
      body: json({ ...grant, adjustmentId: "adj-8" }),
      caller: ADMIN,
    });
    await busyAdmin("uploadCodes", "busy", "Redemptions of the reward kept writing the same items: upload again", {
      url: "/rewards/voucher-5/codes",
      body: json({ codes: ["V5-1"] }),
      caller: ADMIN,
    });
    return recorded;
  } finally {
    if (listed === undefined) delete process.env.ADMIN_PRINCIPALS;
    else process.env.ADMIN_PRINCIPALS = listed;
    dynamo.destroy();
  }
}
