/**
 * Adjustments on DynamoDB, built like redemptions: one consistent read (the balance, the
 * adjustment's entry and the customer's tombstone) answers retries, refusals and erased
 * customers; a new adjustment is then one transaction —
 * the entry (guarded by `attribute_not_exists`), the lots' change (guarded by the version just
 * read), the check that the customer was not erased, and for a grant that expires, its expiry
 * index item. A lost race re-reads and tries again.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import {
  adjustmentEntry,
  adjustmentFingerprint,
  grantedLotFields,
  type AdjustmentMove,
  type AdjustmentRequest,
} from "../domain/adjustment";
import { AdjustmentEntrySchema, type AdjustmentEntry } from "../domain/ledger-entries";
import { adjustmentSk, BALANCE_SK } from "../domain/ledger-keys";
import type { Lifecycle } from "../domain/lifecycle";
import { planDebit, planSpending, type Delta } from "../domain/lot-plans";
import { spendable } from "../domain/lots";
import { AGAIN, retrying } from "../runtime/retry";
import { BALANCE_ATTRIBUTES, balanceState } from "./balance-item";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { BUSY_RETRY, busyBalance } from "./busy-retry";
import { SPEND_MARGIN_MS } from "./dynamo-redemptions";
import { expiryIndexPut } from "./day-indexes";
import { notErasedCheck } from "./tombstones";
import { failed, named, oldItemOf, putNewEntry, transactWrite } from "./transactions";
import { readUserItemsUnlessErased, refusedAtVersion } from "./user-items";

export type AdjustResult =
  /** Made now: answer 201. */
  | { outcome: "adjusted"; entry: AdjustmentEntry }
  /** The same request was made before: its first answer again, 200. */
  | { outcome: "replayed"; entry: AdjustmentEntry }
  /** The id was used for another request: 409. */
  | { outcome: "conflict" }
  /** A take the spendable balance does not cover, without `allowNegative`: 409 with the balance. */
  | { outcome: "insufficient"; balance: number }
  /** The customer was erased: nothing is written for them again. */
  | { outcome: "erased" };

/** What an adjustment does to the lots, planned from one read; `undefined` when a take is refused. */
interface Planned {
  move: AdjustmentMove;
  deltas: Delta[];
}

export class DynamoAdjustments {
  private readonly balances: BalanceUpdates;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The lifecycle a granted lot's expiry follows. */
    private readonly lifecycle: Lifecycle,
  ) {
    this.balances = balanceUpdates(tableName);
  }

  adjust(userId: string, request: AdjustmentRequest, actor: string, now: () => Date): Promise<AdjustResult> {
    return retrying<AdjustResult>(
      BUSY_RETRY,
      async () => {
        const found = await readUserItemsUnlessErased(this.client, this.tableName, userId, [
          BALANCE_SK,
          adjustmentSk(request.adjustmentId),
        ]);
        // Before a refusal or a replay: an erased customer's balance reads as nothing, and their entries may be half deleted.
        if (found.erased) return { outcome: "erased" };
        const [balanceItem, existingItem] = found.items;
        if (existingItem) return this.retryOf(v.parse(AdjustmentEntrySchema, existingItem), request);
        const read = balanceState(balanceItem);
        const at = now().getTime();
        const iso = new Date(at).toISOString();
        const balance = spendable(read.holding, at);
        const planned = this.plan(read.holding, request, at, iso);
        // Refused: what this take could have spent, without the points about to expire.
        if (!planned) return { outcome: "insufficient", balance: spendable(read.holding, at, at + SPEND_MARGIN_MS) };

        const entry = adjustmentEntry(userId, request, actor, planned.move, balance + request.points, iso);
        const change = this.balances.applyPlan(entry.pk, read, planned.deltas, iso, `adjusting by ${request.points} points`);
        const result = await transactWrite(this.client, [
          { name: "entry", item: putNewEntry(this.tableName, entry, true) },
          { name: "balance", item: change.action },
          { name: "notErased", item: notErasedCheck(this.tableName, entry.pk) },
          ...named(
            "forSettle",
            planned.move.direction === "grant"
              ? expiryIndexPut(this.tableName, { pk: entry.pk, ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}) }, iso)
              : [],
          ),
        ]);
        if (result.written) return { outcome: "adjusted", entry };
        if (failed(result, "notErased")) return { outcome: "erased" };
        // The same id landed concurrently: its entry came back with the cancellation.
        const winner = oldItemOf(result, "entry");
        if (winner) return this.retryOf(v.parse(AdjustmentEntrySchema, winner), request);
        if (refusedAtVersion(result, "balance", read.version)) throw change.refusal();
        return AGAIN; // the balance moved since it was read
      },
      busyBalance(userId),
    );
  }

  /** A grant credits a lot of its own dates; a take spends earliest expiry first, into debt only when allowed. */
  private plan(holding: Parameters<typeof spendable>[0], request: AdjustmentRequest, at: number, iso: string): Planned | undefined {
    if (request.points > 0) {
      const fields = grantedLotFields(iso, this.lifecycle);
      return {
        move: { direction: "grant", lot: fields.lot, ...(fields.expiresAt === undefined ? {} : { expiresAt: fields.expiresAt }) },
        deltas: [
          [fields.lot, request.points],
          [BALANCE_ATTRIBUTES.lifetimeEarned, request.points],
        ],
      };
    }
    const points = -request.points;
    const spending = planSpending(holding, points, at, at + SPEND_MARGIN_MS);
    if (spending) return { move: { direction: "take", draws: spending.draws, toDebt: 0 }, deltas: spending.deltas };
    if (request.allowNegative !== true) return undefined;
    const debit = planDebit(holding, points, at, at + SPEND_MARGIN_MS);
    return { move: { direction: "take", draws: debit.draws, toDebt: debit.toDebt }, deltas: debit.deltas };
  }

  private retryOf(existing: AdjustmentEntry, request: AdjustmentRequest): AdjustResult {
    return existing.fingerprint === adjustmentFingerprint(request) ? { outcome: "replayed", entry: existing } : { outcome: "conflict" };
  }
}
