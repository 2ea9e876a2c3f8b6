/**
 * A lot the settle has taken off the balance item still counts for its orders' refunds: the
 * points it held when it expired are on its expiry entries (`lots`), and what refunds of its
 * orders have treated as expired is added up on the same entries (`matched_<lot>`). An order
 * processed after its lot expired has an expiry entry of its own, which only its refunds match. A
 * refund reads them only when its order's lot is gone (one Query), and matches what it treats
 * as expired in its own transaction, conditioned on what it read — so two refunds never treat
 * the same expired points as theirs.
 */
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expirySk, orderExpirySk, orderSk } from "../domain/ledger-keys";
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

/**
 * The expired points of `lot` its refunds can match: the lot's expiry entries of its day, or, for
 * an order processed after its lot had expired (`lateOrderId`), that order's own expiry entry
 * alone — its points never joined the lot's, either way.
 */
export async function settledLotOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  lot: Lot,
  lateOrderId?: string,
): Promise<SettledLot> {
  if (lot.expiresDay === null) return { left: 0, match: () => [] };
  const own = lateOrderId === undefined ? undefined : orderExpirySk(lot.expiresDay, lateOrderId);
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :day)",
      ExpressionAttributeValues: { ":pk": pk, ":day": own ?? expirySk(lot.expiresDay) },
      ConsistentRead: true,
    }),
  );
  const lateOrders = `${expirySk(lot.expiresDay)}#${orderSk("")}`;
  const ofLot = Items.filter((item) => (own === undefined ? !String(item.sk).startsWith(lateOrders) : item.sk === own));
  const entries = ofLot.map((item) => {
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
