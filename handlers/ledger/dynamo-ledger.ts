/**
 * The ledger on DynamoDB. Every event is one `TransactWriteItems` that writes its entry
 * (guarded by `attribute_not_exists`) together with the balance change, so a redelivered or
 * re-published event changes nothing and costs one request. A refund reads its order first.
 * The balance change comes from `balance-updates`, guarded so no total leaves the safe integers:
 * when its guard fails, the event is refused as invalid.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import type { OrderRefunded } from "../domain/contract";
import { OrderNotYetCreditedError } from "../domain/errors";
import {
  EarnEntrySchema,
  LedgerEntrySchema,
  planReversal,
  type EarnEntry,
  type LedgerEntry,
  type Provenance,
} from "../domain/ledger-entries";
import { orderSk, userPk } from "../domain/ledger-keys";
import { balanceKey, balanceState, type BalanceState } from "./balance-item";
import { balanceUpdates, type BalanceUpdates } from "./balance-updates";
import { decodeCursor, encodeCursor } from "./history-cursor";
import { LEDGER_TABLE } from "./table";
import { failedAt, putNewEntry, transactWrite } from "./transactions";

/** What writing one event did: changed the balance by `points`, or nothing (seen before). */
export type WriteResult =
  | { outcome: "credited" | "reversed"; points: number }
  | { outcome: "duplicate"; points: 0 };

export type Balance = { userId: string } & BalanceState;

export interface HistoryPage {
  entries: LedgerEntry[];
  /** Opaque; `null` on the last page. */
  nextCursor: string | null;
}

/** How often a refund re-reads its order when a concurrent refund of it wins the race. */
const REFUND_ATTEMPTS = 3;

const DUPLICATE: WriteResult = { outcome: "duplicate", points: 0 };

export class DynamoLedger {
  private readonly balances: BalanceUpdates;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.balances = balanceUpdates(tableName);
  }

  /** Credits an order's earn entry and its points to the balance, once. One request. */
  async creditOrder(entry: EarnEntry): Promise<WriteResult> {
    const credit = this.balances.creditOrder(entry);
    const result = await transactWrite(this.client, [putNewEntry(this.tableName, entry), credit.action]);
    if (result.written) return { outcome: "credited", points: entry.points };
    if (failedAt(result, 0)) return DUPLICATE;
    if (failedAt(result, 1)) throw credit.refusal();
    throw new Error(`order ${entry.orderId}: transaction cancelled unexpectedly`);
  }

  /**
   * Reverses a refund's points, once: reads the order (strongly consistent), then writes the
   * reversal entry, the order's new running totals (conditioned on the totals it read, so
   * concurrent refunds of one order cannot both apply against the same state) and the balance.
   */
  async reverseRefund(refund: OrderRefunded, provenance: Provenance): Promise<WriteResult> {
    for (let attempt = 1; attempt <= REFUND_ATTEMPTS; attempt++) {
      const order = await this.readOrder(refund.userId, refund.orderId);
      if (!order) {
        throw new OrderNotYetCreditedError(`order ${refund.orderId} is not credited yet`);
      }
      const plan = planReversal(order, refund, provenance);
      const reversal = this.balances.reverseRefund(plan.entry);
      const result = await transactWrite(this.client, [
        putNewEntry(this.tableName, plan.entry),
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: order.pk, sk: order.sk },
            UpdateExpression: "SET refundedAmount = :amount, reversedPoints = :reversed",
            ConditionExpression: "refundedAmount = :readAmount",
            ExpressionAttributeValues: {
              ":amount": plan.refundedAmount,
              ":reversed": plan.reversedPoints,
              ":readAmount": order.refundedAmount,
            },
          },
        },
        reversal.action,
      ]);
      if (result.written) return { outcome: "reversed", points: plan.entry.points };
      if (failedAt(result, 0)) return DUPLICATE;
      if (failedAt(result, 2)) throw reversal.refusal();
      // Only the order's guard failed: another refund of this order landed first; re-read.
    }
    throw new Error(`order ${refund.orderId} kept changing under ${REFUND_ATTEMPTS} refund attempts`);
  }

  /** A user's balance; a user with no entries has zero. One eventually consistent read. */
  async getBalance(userId: string): Promise<Balance> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: balanceKey(userPk(userId)) }),
    );
    return { userId, ...balanceState(Item) };
  }

  /**
   * One page of a user's entries, newest first. Reads one entry more than it returns, so the
   * last page carries no cursor and a client never fetches an empty page.
   */
  async getHistory(userId: string, limit: number, cursor?: string): Promise<HistoryPage> {
    const start = cursor === undefined ? undefined : decodeCursor(cursor);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LEDGER_TABLE.historyIndex.name,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": userPk(userId) },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: start && { pk: userPk(userId), sk: start.sk, entryAt: start.at },
      }),
    );
    const page = Items.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map((item) => v.parse(LedgerEntrySchema, item)),
      nextCursor: Items.length > limit && last ? encodeCursor(last) : null,
    };
  }

  private async readOrder(userId: string, orderId: string): Promise<EarnEntry | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: userPk(userId), sk: orderSk(orderId) },
        ConsistentRead: true,
      }),
    );
    return Item && v.parse(EarnEntrySchema, Item);
  }
}
