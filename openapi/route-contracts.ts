/**
 * Each route of `API_ROUTES` as the API's document describes it: what it takes (query, body) and
 * every answer its function gives, with the schemas the handlers themselves parse and answer
 * with. A route added to `API_ROUTES` without its contract here fails the type check, so the
 * document can never leave one out.
 */
import type * as v from "valibot";
import { AdjustmentAnswerSchema, ErasureAnswerSchema } from "../handlers/admin/answers";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";
import { CodesUploadSchema, RewardDefinitionSchema } from "../handlers/domain/rewards";
import { CodesUploadAnswerSchema, RewardAnswerSchema, RewardListAnswerSchema } from "../handlers/http/reward-answers";
import type { ErrorCode } from "../handlers/http/responses";
import type { API_ROUTES } from "../handlers/http/routes";
import { BalanceAnswerSchema, HistoryPageSchema } from "../handlers/reader/answers";
import { HistoryQuerySchema } from "../handlers/reader/history-query";
import { CancelAnswerSchema, RedemptionAnswerSchema } from "../handlers/redeemer/answers";

export type RouteName = keyof typeof API_ROUTES;

export interface SuccessAnswer {
  /** When the route answers with it. */
  description: string;
  schema: v.GenericSchema;
}

export interface RouteContract {
  /** The route's heading in the API reference. */
  summary: string;
  /** What it does and who may call it, for the app teams. */
  description: string;
  /** The query parameters, as the handler parses them: one entry each. */
  query?: v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;
  /** The JSON body, as the handler parses it (and API Gateway's validator checks it). */
  body?: v.GenericSchema;
  /** Its successful answers, by status. */
  answers: Record<number, SuccessAnswer>;
  /** The error codes it answers with besides the router's own (`ROUTER_ERRORS`), by status. */
  errors: Record<number, readonly ErrorCode[]>;
}

export const ROUTE_CONTRACTS: { [name in RouteName]: RouteContract } = {
  balance: {
    summary: "Read a customer's balance",
    description:
      "Spendable, pending and lifetime points, and the next release and expiry, exact at the instant of the read. " +
      "A customer with no entries has 0 and nulls. A customer reads their own points; the admin group and listed IAM principals anyone's.",
    answers: { 200: { description: "The balance.", schema: BalanceAnswerSchema } },
    errors: {},
  },
  history: {
    summary: "Page through a customer's history",
    description:
      "Ledger entries newest first: earned, refunded, expired, redeemed and cancelled points, each signed by what it did to the balance. " +
      "Pass `nextCursor` back as `cursor` for the next page; the last page has `nextCursor: null`.",
    query: HistoryQuerySchema,
    answers: { 200: { description: "One page of entries.", schema: HistoryPageSchema } },
    errors: { 400: ["invalid_query", "invalid_cursor"] },
  },
  redeem: {
    summary: "Spend points on a reward",
    description:
      "The points spent are the reward's `pointsCost`. Send `points` (the price the app showed) to be refused with `409 price_changed` (carrying the current `pointsCost`) " +
      "rather than charged another price. A pool reward's answer carries its single-use `code`. " +
      "`404 reward_not_found` for a reward the catalogue does not know (the apps' old request, `points` with a reward of their own, gets this); " +
      "`409 reward_unavailable` outside the reward's window or when it has no code or stock left; `409 reward_limit_reached` when the customer has had its `perCustomerLimit`; " +
      "`409 insufficient_points` when the balance does not cover it. A refused redemption spends nothing. " +
      "`redemptionId` is the client's idempotency key: the same request again gets the first answer (200, the same code), " +
      "a different request with the same id `409 idempotency_conflict`. `503 busy` when the balance kept changing: retry with the same `redemptionId`.",
    body: RedemptionRequestSchema,
    answers: {
      201: { description: "Redeemed: the points are spent.", schema: RedemptionAnswerSchema },
      200: { description: "A retry of a redemption already made: its first answer.", schema: RedemptionAnswerSchema },
    },
    errors: {
      400: ["invalid_request"],
      404: ["reward_not_found"],
      409: ["idempotency_conflict", "price_changed", "reward_unavailable", "reward_limit_reached", "insufficient_points"],
      503: ["busy"],
    },
  },
  cancelRedemption: {
    summary: "Cancel a redemption",
    description:
      "Gives the redemption's points back, once: a second cancel answers the same and changes nothing. " +
      "A pool reward's code is voided: it is never handed out again (`Redemption Cancelled` names it, so the checkout refuses it). " +
      "The reward's unit (code or stock) and the customer's count towards `perCustomerLimit` are not returned. " +
      "Only the admin group and listed IAM principals may cancel.",
    answers: { 200: { description: "Cancelled (now or before).", schema: CancelAnswerSchema } },
    errors: { 400: ["invalid_request"], 404: ["redemption_not_found"], 503: ["busy"] },
  },
  adjust: {
    summary: "Adjust a customer's points",
    description:
      "Customer service grants (positive `points`) or takes (negative) points by hand, with a `reason` (1–500 characters) that the customer's history shows; " +
      "the entry records who made it. A grant is spendable at once and expires by the stack's lifecycle; a take spends the earliest-expiring points first, " +
      "and is refused with `409 insufficient_points` when it would leave the spendable balance below zero, unless `allowNegative` is true (the rest is then owed). " +
      "`adjustmentId` is the idempotency key, as a redemption's. `409 customer_erased` for an erased customer. Admins only.",
    body: AdjustmentRequestSchema,
    answers: {
      201: { description: "Adjusted.", schema: AdjustmentAnswerSchema },
      200: { description: "A retry of an adjustment already made: its first answer.", schema: AdjustmentAnswerSchema },
    },
    errors: { 400: ["invalid_request"], 409: ["idempotency_conflict", "insufficient_points", "customer_erased"], 503: ["busy"] },
  },
  erase: {
    summary: "Erase a customer",
    description:
      "Deletes everything the ledger holds about the customer — balance, entries, lots, parked refunds, expiry index — and keeps only a tombstone keyed by a digest of the id, " +
      "so the customer's later events are dropped. Reports the outstanding points removed. Idempotent: asking again answers the same; an erasure that failed half-way finishes. " +
      "The platform's `Customer Deleted` event does the same. Admins only.",
    answers: { 200: { description: "Erased (now or before).", schema: ErasureAnswerSchema } },
    errors: {},
  },
  listRewards: {
    summary: "List the rewards",
    description:
      "The catalogue, by `rewardId`, each with what it has `available`. Customers see the rewards they can redeem now (in their window, with a unit left); " +
      "the admin group and listed IAM principals see every reward, with `active` saying which.",
    answers: { 200: { description: "The rewards.", schema: RewardListAnswerSchema } },
    errors: {},
  },
  getReward: {
    summary: "Read a reward",
    description: "One reward of the catalogue with what it has `available` and whether it is `active`. Any caller.",
    answers: { 200: { description: "The reward.", schema: RewardAnswerSchema } },
    errors: { 400: ["invalid_request"], 404: ["reward_not_found"] },
  },
  putReward: {
    summary: "Create or replace a reward",
    description:
      "The whole definition: `title`, `pointsCost` (a whole number ≥ 1), `kind` (`voucher` needs `value` in minor units), an optional window (`activeFrom` included, `activeUntil` excluded and after `activeFrom`), " +
      "`stock` (caps redemptions of a reward without codes), `perCustomerLimit`, and `codes`: `pool` hands out one uploaded single-use code per redemption, `none` (the default) nothing. " +
      "`codes` is fixed once the reward exists (`400 invalid_request` otherwise). A new `stock` counts what was redeemed already. Admins only.",
    body: RewardDefinitionSchema,
    answers: {
      201: { description: "Created.", schema: RewardAnswerSchema },
      200: { description: "Replaced.", schema: RewardAnswerSchema },
    },
    errors: { 400: ["invalid_request"] },
  },
  uploadCodes: {
    summary: "Upload a reward's codes",
    description:
      "1 to 1,000 single-use codes (1–64 letters, digits, `-` or `_`) for a `codes: pool` reward. Idempotent: a code the reward knows already — free, handed out or voided — " +
      "is counted in `duplicates` and never added twice, so an upload can be repeated safely. `503 busy` when redemptions of the reward kept writing the same items: upload again. Admins only.",
    body: CodesUploadSchema,
    answers: { 200: { description: "What was added.", schema: CodesUploadAnswerSchema } },
    errors: { 400: ["invalid_request"], 404: ["reward_not_found"], 503: ["busy"] },
  },
};
