/**
 * A lot the settle has taken off the balance item still counts for its orders' refunds: the
 * points it held when it expired are on its expiry entries (`lots`), and what refunds of its
 * orders have since treated as expired is added up on the same entries (`matched_<lot>`). A
 * refund reads them only when its order's lot is gone (one Query), and matches what it treats
 * as expired in its own transaction, conditioned on what it read — so two refunds never treat
 * the same expired points as theirs.
 */
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expirySk } from "../domain/ledger-keys";
import type { Lot } from "../domain/lots";
import type { TransactItem } from "./transactions";

export interface SettledLot {
  /** Points of the lot that expired and no refund has matched yet. */
  left: number;
  /** The updates that match `points` of them (at most `left`). */
  match(points: number): TransactItem[];
}

/**
 * What refunds have treated as expired of a lot: on the balance item while the lot is held there
 * (a refund after the lot expired, before the settle ran), then on the lot's expiry entry, where
 * the settle carries it when it takes the lot off.
 */
export const matchedAttribute = (lot: Pick<Lot, "attribute">) => `matched_${lot.attribute}`;

export async function settledLotOf(client: DynamoDBDocumentClient, tableName: string, pk: string, lot: Lot): Promise<SettledLot> {
  if (lot.expiresDay === null) return { left: 0, match: () => [] };
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :day)",
      ExpressionAttributeValues: { ":pk": pk, ":day": expirySk(lot.expiresDay) },
      ConsistentRead: true,
    }),
  );
  const entries = Items.map((item) => {
    const held = Number((item.lots as Record<string, unknown> | undefined)?.[lot.attribute] ?? 0);
    const matched = Number(item[matchedAttribute(lot)] ?? 0);
    return { sk: String(item.sk), matched, left: Math.max(held - matched, 0) };
  });
  return {
    left: entries.reduce((sum, entry) => sum + entry.left, 0),
    match: (points) => {
      const updates: TransactItem[] = [];
      let toMatch = points;
      for (const entry of entries) {
        const matching = Math.min(entry.left, toMatch);
        if (matching <= 0) continue;
        toMatch -= matching;
        updates.push({
          Update: {
            TableName: tableName,
            Key: { pk, sk: entry.sk },
            UpdateExpression: "ADD #matched :points",
            ConditionExpression: entry.matched === 0 ? "attribute_not_exists(#matched)" : "#matched = :read",
            ExpressionAttributeNames: { "#matched": matchedAttribute(lot) },
            ExpressionAttributeValues: { ":points": matching, ...(entry.matched === 0 ? {} : { ":read": entry.matched }) },
          },
        });
      }
      return updates;
    },
  };
}
