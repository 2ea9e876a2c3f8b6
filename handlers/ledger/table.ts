/**
 * The ledger table's shape, declared once: `LoyaltyStore` builds the real table from it, and
 * the tests and the local runtime create the same table in DynamoDB Local from it.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export const LEDGER_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Local secondary index that lists a user's entries by time; the balance item is not in it. */
  historyIndex: { name: "history", sortKey: "entryAt" },
  /**
   * What the table's stream reports on every change, which the points events are published
   * from: the old image tells a parked refund netted into its reversal from other rewrites.
   */
  streamView: "NEW_AND_OLD_IMAGES",
  /**
   * The table's TTL attribute (epoch seconds): only notes of early arrivals carry it, so nothing
   * of a ledger entry ever expires.
   */
  ttlAttribute: "ttl",
} as const;

/** The key attributes, all strings. */
export const LEDGER_KEY_ATTRIBUTES = [LEDGER_TABLE.partitionKey, LEDGER_TABLE.sortKey, LEDGER_TABLE.historyIndex.sortKey] as const;

/**
 * `CreateTable` input for the ledger, on-demand, as DynamoDB Local and the SDK take it. Its
 * stream is what the points events are published from; a measurement or a test that reads no
 * stream may leave it off (`stream: false`), since DynamoDB Local writes stream records in the
 * write's own path, which DynamoDB does not.
 */
export function createTableInput(tableName: string, { stream = true }: { stream?: boolean } = {}): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: LEDGER_KEY_ATTRIBUTES.map((name) => ({
      AttributeName: name,
      AttributeType: "S",
    })),
    KeySchema: [
      { AttributeName: LEDGER_TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: LEDGER_TABLE.sortKey, KeyType: "RANGE" },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: LEDGER_TABLE.historyIndex.name,
        KeySchema: [
          { AttributeName: LEDGER_TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: LEDGER_TABLE.historyIndex.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: LEDGER_TABLE.streamView } } : {}),
  };
}
