/**
 * What a function may do with the ledger, least privilege, for a `LoyaltyStore` or any
 * existing ledger table. DynamoDB authorizes each item of a transaction by its own action
 * (`Put` → PutItem, `ConditionCheck` → ConditionCheckItem, a transactional read → GetItem); a
 * test holds each role to the actions its function's code sends.
 */
import type * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { ERASED_PK_PREFIX, EXPIRY_INDEX_PK_PREFIX, RELEASE_INDEX_PK_PREFIX, USER_PK_PREFIX } from "../handlers/domain/ledger-keys";
import { LEDGER_TABLE } from "../handlers/ledger/table";

/** A ledger table: a `LoyaltyStore`, or the plain identifiers of one created elsewhere. */
export interface LedgerTableRef {
  /** The table's name, given to the handlers as `TABLE_NAME`. */
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  /** The customer-managed KMS key that encrypts the table. */
  kmsKeyArn: pulumi.Input<string>;
}

/** A ledger table with its stream (`NEW_AND_OLD_IMAGES`): a `LoyaltyStore`, or one created elsewhere. */
export interface LedgerStreamRef extends LedgerTableRef {
  streamArn: pulumi.Input<string>;
}

/**
 * Read the table's one stream, as Lambda's event source mapping does for the function, and
 * decrypt its records (they are encrypted with the table's key). No table access at all.
 */
export function ledgerStreamStatements(table: LedgerStreamRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "ReadLedgerStream",
      Effect: "Allow",
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      Resource: table.streamArn,
    },
    // ListStreams names the table's streams; it is authorized on the table's stream ARNs.
    { Sid: "ListLedgerStreams", Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: pulumi.interpolate`${table.tableArn}/stream/*` },
    { Sid: "DecryptLedgerStream", Effect: "Allow", Action: ["kms:Decrypt"], Resource: table.kmsKeyArn },
  ];
}

/** Read a balance (GetItem) and page a history (Query on the history index). No writes. */
export function ledgerReadStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "ReadLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query"],
      Resource: [
        table.tableArn,
        pulumi.interpolate`${table.tableArn}/index/${LEDGER_TABLE.historyIndex.name}`,
      ],
    },
    { Sid: "DecryptLedger", Effect: "Allow", Action: ["kms:Decrypt"], Resource: table.kmsKeyArn },
  ];
}

/** Writing to the table needs its key for data keys as well as for reading. */
const encryptLedger = (table: LedgerTableRef): iam.PolicyStatement => ({
  Sid: "EncryptLedger",
  Effect: "Allow",
  Action: ["kms:Decrypt", "kms:GenerateDataKey"],
  Resource: table.kmsKeyArn,
});

/** Limits a statement to items whose partition key starts with one of `prefixes`. */
const leadingKeysLike = (...prefixes: string[]) => ({ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": prefixes.map((prefix) => `${prefix}*`) } });

/**
 * Write ledger entries and balances in transactions, read what a write depends on (a balance
 * before a redemption), and check, in the same transaction, that the customer has no erasure
 * tombstone — a `ConditionCheck` on tombstones only. The redeemer needs exactly this; no Scan, no
 * Query, no Delete, and no other access to tombstones.
 */
export function ledgerWriteStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "WriteLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: table.tableArn,
    },
    {
      Sid: "CheckTombstones",
      Effect: "Allow",
      Action: ["dynamodb:ConditionCheckItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(ERASED_PK_PREFIX),
    },
    encryptLedger(table),
  ];
}

/**
 * Erasing a customer deletes, in batches, the items of their partition and their day-index
 * items — nothing else (a batch may hold all of them, so one statement names every prefix).
 */
const eraseCustomers = (table: LedgerTableRef): iam.PolicyStatement => ({
  Sid: "EraseCustomers",
  Effect: "Allow",
  Action: ["dynamodb:BatchWriteItem"],
  Resource: table.tableArn,
  Condition: leadingKeysLike(USER_PK_PREFIX, EXPIRY_INDEX_PK_PREFIX, RELEASE_INDEX_PK_PREFIX),
});

/**
 * The writer: the redeemer's writes and its tombstone check, plus what events arriving in any
 * order need — a `ConditionCheck` that an order is still absent (a refund or a close before it),
 * on the customer's partition, so `ConditionCheckItem` is granted on the table, tombstones
 * included, and `Query` on the customer's own partition (the refunds parked before their order;
 * the expiry entries of a lot the settle took off, for its order's refund; the keys to erase) —
 * and the platform's `Customer Deleted`: batch deletes of that customer's items only. No Scan, no
 * DeleteItem.
 */
export function ledgerIngestStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "WriteLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"],
      Resource: table.tableArn,
    },
    eraseCustomers(table),
    encryptLedger(table),
  ];
}

/**
 * The admin function: adjustments read and write customers' partitions (and index a granted
 * lot's expiry), erasure checks that a customer's balance is as it read it when the tombstone
 * goes in, queries their partition and deletes it in batches, and both read and write
 * tombstones. Each statement is limited to its partitions by their leading keys.
 */
export function ledgerAdminStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "AdjustCustomers",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(USER_PK_PREFIX),
    },
    {
      Sid: "IndexGrantedExpiries",
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX),
    },
    eraseCustomers(table),
    {
      Sid: "KeepTombstones",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(ERASED_PK_PREFIX),
    },
    encryptLedger(table),
  ];
}

/**
 * The daily settle: walk a day's indexes (Query their partitions, delete each item once visited;
 * mark an expiry index item whose customer was warned, since the expiry still needs it) and
 * settle each customer found there (read the balance, write the expiry entry and the balance in
 * one transaction with the check that the customer was not erased, or put a notice). Each part is
 * limited to its own partitions by their leading keys, so the settle can neither delete a
 * customer's item nor touch anything else.
 */
export function ledgerSettleStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "WalkDayIndexes",
      Effect: "Allow",
      Action: ["dynamodb:Query", "dynamodb:DeleteItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX, RELEASE_INDEX_PK_PREFIX),
    },
    {
      Sid: "MarkWarnedExpiries",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX),
    },
    {
      Sid: "SettleBalances",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(USER_PK_PREFIX),
    },
    {
      Sid: "CheckTombstones",
      Effect: "Allow",
      Action: ["dynamodb:ConditionCheckItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(ERASED_PK_PREFIX),
    },
    encryptLedger(table),
  ];
}
