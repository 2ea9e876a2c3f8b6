/**
 * `TransactWriteItems` as the ledger uses it: every item guarded by a condition, and when the
 * transaction is cancelled only because conditions failed, which ones did (with the item as
 * it stood, for the guards that asked for it). Any other cancellation — `TransactionConflict`,
 * throttling — is rethrown: the caller's request fails and is retried by whoever sent it.
 *
 * Each item is named where the transaction is built, and its outcome is read by that name, never
 * by its position: an item added to a transaction cannot change what another one's failure means,
 * and a name the transaction does not hold is a type error.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type TransactItems = NonNullable<TransactWriteCommand["input"]["TransactItems"]>;

/** One action of a transaction: a put, an update, a condition check. */
export type TransactItem = TransactItems[number];

/**
 * An action with the name its outcome is read by. Several items may share a name (the day
 * indexes of a lot, the entries of a settle): their outcomes are read together.
 */
export interface NamedItem<Name extends string = string> {
  name: Name;
  item: TransactItem;
}

/** Why one item of a cancelled transaction failed. */
export interface Cancellation<Name extends string = string> {
  name: Name;
  /** `ConditionalCheckFailed`, or `None` for the items that were fine. */
  code: string;
  /** The item as it stood, when its guard asked for `ALL_OLD`. */
  item?: Record<string, unknown>;
}

export type TransactionResult<Name extends string = string> = { written: true } | { written: false; reasons: Cancellation<Name>[] };

/** Each of `items` under one `name`: a group whose outcomes are read together. */
export const named = <Name extends string>(name: Name, items: readonly TransactItem[]): NamedItem<Name>[] =>
  items.map((item) => ({ name, item }));

export async function transactWrite<Name extends string>(
  client: DynamoDBDocumentClient,
  items: readonly NamedItem<Name>[],
): Promise<TransactionResult<Name>> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
    return { written: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = (error.CancellationReasons ?? []).flatMap((reason, i): Cancellation<Name>[] => {
      const name = items[i]?.name;
      if (name === undefined) return [];
      return [{ name, code: reason.Code ?? "None", ...(reason.Item ? { item: unmarshall(reason.Item) } : {}) }];
    });
    const onlyConditions = reasons.every((r) => r.code === "None" || r.code === "ConditionalCheckFailed");
    // One reason per item, or the answer cannot be read by name.
    if (!onlyConditions || reasons.length !== items.length) throw error;
    return { written: false, reasons };
  }
}

/**
 * Whether a transaction was cancelled because another one was writing one of its items at that
 * moment (`TransactionConflict`): none of it was written, so the same items can be sent again.
 */
export const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === "TransactionConflict");

const failures = <Name extends string>(result: TransactionResult<Name>): Cancellation<Name>[] =>
  result.written ? [] : result.reasons.filter((reason) => reason.code === "ConditionalCheckFailed");

/** Whether an item named `name` is one whose condition failed. */
export const failed = <Name extends string>(result: TransactionResult<Name>, name: NoInfer<Name>): boolean =>
  failures(result).some((reason) => reason.name === name);

/** Whether the items named `name` are the only ones whose condition failed (and one did). */
export const failedOnly = <Name extends string>(result: TransactionResult<Name>, name: NoInfer<Name>): boolean => {
  const failing = failures(result);
  return failing.length > 0 && failing.every((reason) => reason.name === name);
};

/** Which of the items named `name` failed their condition: their positions among those items, in the order given. */
export function failedAmong<Name extends string>(result: TransactionResult<Name>, name: NoInfer<Name>): number[] {
  if (result.written) return [];
  return result.reasons
    .filter((reason) => reason.name === name)
    .flatMap((reason, i) => (reason.code === "ConditionalCheckFailed" ? [i] : []));
}

/** The item named `name` as it stood when its guard failed, when the guard asked for `ALL_OLD`. */
export const oldItemOf = <Name extends string>(result: TransactionResult<Name>, name: NoInfer<Name>): Record<string, unknown> | undefined =>
  failures(result).find((reason) => reason.name === name)?.item;

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
