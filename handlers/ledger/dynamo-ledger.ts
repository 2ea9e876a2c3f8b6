/**
 * The ledger on DynamoDB. Every event is one `TransactWriteItems` that writes its entry
 * (guarded by `attribute_not_exists`) together with the balance change, so a redelivered or
 * re-published event changes nothing and costs one request. A refund reads its order first.
 * The balance change is guarded too: DynamoDB holds numbers of 38 digits, but a total beyond
 * Number.MAX_SAFE_INTEGER can no longer be read as a number, so a write that would leave one
 * fails its transaction instead, in the same request, and the event is refused as invalid.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as v from "valibot";
import type { OrderRefunded } from "../domain/contract";
import { LedgerLimitError, OrderNotYetCreditedError } from "../domain/errors";
import {
  EarnEntrySchema,
  LedgerEntrySchema,
  planReversal,
  type EarnEntry,
  type LedgerEntry,
  type Provenance,
  parseBalanceItem,
} from "../domain/ledger-entries";
import { BALANCE_SK, orderSk, userPk } from "../domain/ledger-keys";
import { decodeCursor, encodeCursor } from "./history-cursor";
import { LEDGER_TABLE } from "./table";
import { failedAt, transactWrite } from "./transactions";

/** What writing one event did: changed the balance by `points`, or nothing (seen before). */
export type WriteResult =
  | { outcome: "credited" | "reversed"; points: number }
  | { outcome: "duplicate"; points: 0 };

export interface Balance {
  userId: string;
  balance: number;
  lifetimeEarned: number;
  /** When the balance last changed; `null` for a user with no entries. */
  updatedAt: string | null;
}

export interface HistoryPage {
  entries: LedgerEntry[];
  /** Opaque; `null` on the last page. */
  nextCursor: string | null;
}

/** How often a refund re-reads its order when a concurrent refund of it wins the race. */
const REFUND_ATTEMPTS = 3;

const DUPLICATE: WriteResult = { outcome: "duplicate", points: 0 };

/** The limit as the refusals name it. */
const LIMIT = `${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER)`;

/**
 * The condition under which `ADD attribute delta` leaves a safe integer: the attribute is
 * absent (it starts at zero) or far enough from the limit on the side the delta moves it.
 * Nothing for a zero delta, which cannot move a total out of range.
 */
function staysSafe(attribute: string, delta: number, placeholder: string) {
  if (delta === 0) return undefined;
  const bound = delta > 0 ? Number.MAX_SAFE_INTEGER - delta : Number.MIN_SAFE_INTEGER - delta;
  return {
    expression: `(attribute_not_exists(${attribute}) OR ${attribute} ${delta > 0 ? "<=" : ">="} ${placeholder})`,
    values: { [placeholder]: bound },
  };
}

export class DynamoLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Credits an order's earn entry and its points to the balance, once. One request. */
  async creditOrder(entry: EarnEntry): Promise<WriteResult> {
    const result = await transactWrite(this.client, [
      this.putEntry(entry),
      this.addToBalance(entry.pk, entry.points, entry.points, entry.recordedAt),
    ]);
    if (result.written) return { outcome: "credited", points: entry.points };
    if (failedAt(result, 0)) return DUPLICATE;
    if (failedAt(result, 1)) {
      throw new LedgerLimitError(
        `crediting ${entry.points} points would take the balance or lifetimeEarned beyond ${LIMIT}`,
      );
    }
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
      const result = await transactWrite(this.client, [
        this.putEntry(plan.entry),
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
        this.addToBalance(order.pk, -plan.entry.points, 0, provenance.recordedAt),
      ]);
      if (result.written) return { outcome: "reversed", points: plan.entry.points };
      if (failedAt(result, 0)) return DUPLICATE;
      if (failedAt(result, 2)) {
        throw new LedgerLimitError(
          `reversing ${plan.entry.points} points would take the balance below -${LIMIT}`,
        );
      }
      // Only the order's guard failed: another refund of this order landed first; re-read.
    }
    throw new Error(`order ${refund.orderId} kept changing under ${REFUND_ATTEMPTS} refund attempts`);
  }

  /** A user's balance; a user with no entries has zero. One eventually consistent read. */
  async getBalance(userId: string): Promise<Balance> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: userPk(userId), sk: BALANCE_SK } }),
    );
    if (!Item) return { userId, balance: 0, lifetimeEarned: 0, updatedAt: null };
    const item = parseBalanceItem(Item);
    return {
      userId,
      balance: item.balance,
      lifetimeEarned: item.lifetimeEarned,
      updatedAt: item.updatedAt,
    };
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

  private putEntry(entry: LedgerEntry) {
    return {
      Put: {
        TableName: this.tableName,
        Item: entry,
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
  }

  /**
   * Moves the balance by `points` and `lifetimeEarned` by `earned`, guarded so neither leaves
   * the safe integers. The balance never exceeds `lifetimeEarned` (redemptions and refunds only
   * take back what was credited), so guarding these two ADDs keeps every balance write safe.
   */
  private addToBalance(pk: string, points: number, earned: number, at: string) {
    const guards = [staysSafe("balance", points, ":balanceBound"), staysSafe("lifetimeEarned", earned, ":earnedBound")]
      .filter((guard) => guard !== undefined);
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk, sk: BALANCE_SK },
        UpdateExpression: "ADD balance :points, lifetimeEarned :earned SET updatedAt = :at",
        ...(guards.length > 0 ? { ConditionExpression: guards.map((guard) => guard.expression).join(" AND ") } : {}),
        ExpressionAttributeValues: Object.assign(
          { ":points": points, ":earned": earned, ":at": at },
          ...guards.map((guard) => guard.values),
        ),
      },
    };
  }
}
