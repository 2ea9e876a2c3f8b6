/**
 * Redemptions on DynamoDB. One consistent read (`TransactGetItems`: the balance and the
 * redemption entry, and its cancel entry for a cancel) answers retries and refusals at once;
 * a new redemption or cancel is then one transaction: the entry (guarded by
 * `attribute_not_exists`, and holding which lots it drew from), the lots' change, guarded by
 * the balance item's version just read, so two concurrent redemptions can never both spend the
 * same points, and the check that the customer was not erased (an erasure deletes the partition
 * page by page, so without it an entry written behind the paging would outlive the erasure). A
 * lost race re-reads and tries again.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import { CorruptLedgerItemError } from "../domain/errors";
import {
  RedemptionCancelEntrySchema,
  RedemptionEntrySchema,
  type RedemptionCancelEntry,
  type RedemptionEntry,
} from "../domain/ledger-entries";
import { BALANCE_SK, redemptionCancelSk, redemptionSk, userPk } from "../domain/ledger-keys";
import { planReturn, planSpending } from "../domain/lot-plans";
import { spendable } from "../domain/lots";
import { fingerprintOf, redemptionCancelEntry, redemptionEntry, type RedemptionRequest } from "../domain/redemption";
import { AGAIN, retrying } from "../runtime/retry";
import { balanceState, legacyLot } from "./balance-item";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { BUSY_RETRY, busyBalance } from "./busy-retry";
import { notErasedCheck } from "./tombstones";
import { failed, oldItemOf, putNewEntry, transactWrite } from "./transactions";
import { readUserItems } from "./user-items";

export type RedeemResult =
  /** Spent now: answer 201. */
  | { outcome: "redeemed"; entry: RedemptionEntry }
  /** The same request was spent before: answer its first result again, 200. */
  | { outcome: "replayed"; entry: RedemptionEntry }
  /** The id was used for another request: 409. */
  | { outcome: "conflict" }
  /** The balance does not cover it: 409 with the balance. */
  | { outcome: "insufficient"; balance: number }
  /** The customer was erased (during this request): nothing is written for them again. */
  | { outcome: "erased" };

export type CancelResult =
  | { outcome: "cancelled"; entry: RedemptionCancelEntry }
  | { outcome: "already-cancelled"; entry: RedemptionCancelEntry }
  | { outcome: "not-found" }
  /** The customer was erased (during this request): nothing is written for them again. */
  | { outcome: "erased" };

/**
 * Lots that expire within this margin are not spent: DynamoDB cannot compare with its own clock,
 * so the margin keeps a write that lands a moment after it was planned from spending a lot that
 * expired in between. A request that takes longer than this fails its attempt, never overspends.
 */
export const SPEND_MARGIN_MS = 30_000;

export class DynamoRedemptions {
  private readonly balances: BalanceUpdates;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.balances = balanceUpdates(tableName);
  }

  redeem(userId: string, request: RedemptionRequest, now: () => Date): Promise<RedeemResult> {
    return retrying<RedeemResult>(
      BUSY_RETRY,
      async () => {
        const [balanceItem, existingItem] = await readUserItems(this.client, this.tableName, userId, [
          BALANCE_SK,
          redemptionSk(request.redemptionId),
        ]);
        if (existingItem) return this.retryOf(v.parse(RedemptionEntrySchema, existingItem), request);
        const read = balanceState(balanceItem);
        const at = now().getTime();
        const balance = spendable(read.holding, at);
        const plan = planSpending(read.holding, request.points, at, at + SPEND_MARGIN_MS);
        // Refused: what this request could have spent, without the points about to expire.
        if (!plan) return { outcome: "insufficient", balance: spendable(read.holding, at, at + SPEND_MARGIN_MS) };

        const entry = redemptionEntry(userId, request, balance, plan.draws, new Date(at).toISOString());
        const spend = this.balances.applyPlan(entry.pk, read, plan.deltas, entry.recordedAt, `spending ${entry.points} points`);
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry, true) },
          { name: "balance", item: spend.action },
          { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
        ]);
        if (result.written) return { outcome: "redeemed", entry };
        if (failed(result, "notErased")) return { outcome: "erased" };
        // The same id landed concurrently: its entry came back with the cancellation.
        const winner = oldItemOf(result, "entry");
        if (winner) return this.retryOf(v.parse(RedemptionEntrySchema, winner), request);
        return AGAIN; // the balance moved since it was read
      },
      busyBalance(userId),
    );
  }

  cancel(userId: string, redemptionId: string, now: () => Date): Promise<CancelResult> {
    return retrying<CancelResult>(
      BUSY_RETRY,
      async () => {
        const [balanceItem, redemptionItem, cancelItem] = await readUserItems(this.client, this.tableName, userId, [
          BALANCE_SK,
          redemptionSk(redemptionId),
          redemptionCancelSk(redemptionId),
        ]);
        if (!redemptionItem) return { outcome: "not-found" };
        if (cancelItem) return { outcome: "already-cancelled", entry: v.parse(RedemptionCancelEntrySchema, cancelItem) };
        // A redemption is always written with its balance item, so a missing one is damage, not zero.
        if (!balanceItem) throw new CorruptLedgerItemError(`${userPk(userId)} has redemption ${redemptionId} but no balance item`);
        const read = balanceState(balanceItem);
        const redemption = v.parse(RedemptionEntrySchema, redemptionItem);
        const at = now().getTime();
        // A redemption from before lots took its points from `balance`.
        const back = planReturn(redemption.draws ?? { [legacyLot(0).attribute]: redemption.points }, at);
        const entry = redemptionCancelEntry(redemption, spendable(read.holding, at), back.expired, new Date(at).toISOString());
        const change = this.balances.applyPlan(entry.pk, read, back.deltas, entry.recordedAt, `returning ${entry.points} points`);
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry) },
          { name: "balance", item: change.action },
          { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
        ]);
        if (result.written) return { outcome: "cancelled", entry };
        if (failed(result, "notErased")) return { outcome: "erased" };
        return AGAIN; // cancelled concurrently (the next read says so) or the balance moved
      },
      busyBalance(userId),
    );
  }

  private retryOf(existing: RedemptionEntry, request: RedemptionRequest): RedeemResult {
    return existing.fingerprint === fingerprintOf(request) ? { outcome: "replayed", entry: existing } : { outcome: "conflict" };
  }
}
