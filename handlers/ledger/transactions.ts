/**
 * `TransactWriteItems` as the ledger uses it: every item guarded by a condition, and when the
 * transaction is cancelled only because conditions failed, which ones did (with the item as
 * it stood, for the guards that asked for it). Any other cancellation — `TransactionConflict`,
 * throttling — is rethrown: the caller's request fails and is retried by whoever sent it.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type TransactItems = NonNullable<TransactWriteCommand["input"]["TransactItems"]>;

/** One action of a transaction: a put, an update, a condition check. */
export type TransactItem = TransactItems[number];

/** Why one item of a cancelled transaction failed. */
export interface Cancellation {
  /** `ConditionalCheckFailed`, or `None` for the items that were fine. */
  code: string;
  /** The item as it stood, when its guard asked for `ALL_OLD`. */
  item?: Record<string, unknown>;
}

export type TransactionResult = { written: true } | { written: false; reasons: Cancellation[] };

export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItems): Promise<TransactionResult> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return { written: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = (error.CancellationReasons ?? []).map((reason) => ({
      code: reason.Code ?? "None",
      ...(reason.Item ? { item: unmarshall(reason.Item) } : {}),
    }));
    const onlyConditions = reasons.every((r) => r.code === "None" || r.code === "ConditionalCheckFailed");
    if (!onlyConditions || reasons.length === 0) throw error;
    return { written: false, reasons };
  }
}

/** Whether the item at `index` is the one whose condition failed. */
export const failedAt = (result: TransactionResult, index: number): boolean =>
  !result.written && result.reasons[index]?.code === "ConditionalCheckFailed";

/**
 * Puts an entry that must not exist yet: the guard that makes every event, redemption and
 * cancel happen once. `returnExisting` asks for the entry that is there when the guard fails.
 */
export function putNewEntry(tableName: string, entry: Record<string, unknown>, returnExisting = false): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: entry,
      ConditionExpression: "attribute_not_exists(pk)",
      ...(returnExisting ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {}),
    },
  };
}

/** The item at `index` as it stood when its guard failed, when the guard asked for `ALL_OLD`. */
export const oldItemAt = (result: TransactionResult, index: number): Record<string, unknown> | undefined =>
  result.written ? undefined : result.reasons[index]?.item;
