/**
 * What a function may do with the ledger, least privilege, for a `LoyaltyStore` or any
 * existing ledger table. DynamoDB authorizes each item of a transaction by its own action
 * (`Put` → PutItem, `ConditionCheck` → ConditionCheckItem, a transactional read → GetItem); a
 * test holds each role to the actions its function's code sends.
 */
import type * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import {
  ERASED_PK_PREFIX,
  EXPIRY_INDEX_PK_PREFIX,
  RELEASE_INDEX_PK_PREFIX,
  TIER_INDEX_PK_PREFIX,
  USER_PK_PREFIX,
} from "../handlers/domain/ledger-keys";
import { CATALOGUE_PK, REWARD_PK_PREFIX } from "../handlers/domain/reward-keys";
import { LEDGER_TABLE } from "../handlers/ledger/table";

/**
 * The points lifecycle of a ledger's new lots, fixed on each lot when it is earned. A named
 * interface of plain numbers: every Pulumi language passes it as a value, checked at once.
 */
export interface LedgerLifecycle {
  /** Days an order's points stay pending before they can be spent (0–365; the return window). */
  pendingDays: number;
  /** Days until released points expire (0–3650; 0: they never expire). */
  expiryDays: number;
}

/** A tier level: a named interface of plain values, as every Pulumi language passes it. */
export interface LedgerTierLevel {
  /** The level's name, as customers read it (1–40 characters). */
  name: string;
  /** The qualifying points that reach it (whole; the first level's is 0, then ascending). */
  threshold: number;
  /**
   * What an order completed at this level earns: `floor(base × multiplier)` (1–10, at most two decimals).
   * @default 1
   */
  multiplier?: number;
}

/** The tiers of a ledger: levels reached by the released base points of a trailing window. */
export interface LedgerTiers {
  /** The levels by ascending threshold, the first at 0 (at most 10). */
  levels: LedgerTierLevel[];
  /**
   * Days of the trailing window qualifying points count over, and the least a level is kept (1–3650).
   * @default 365
   */
  windowDays?: number;
}

/** A ledger table: a `LoyaltyStore`, or the plain identifiers of one created elsewhere. */
export interface LedgerTableRef {
  /** The table's name, given to the handlers as `TABLE_NAME`. */
  tableName: pulumi.Input<string>;
  /** The table's ARN, which the functions' grants name. */
  tableArn: pulumi.Input<string>;
  /** The customer-managed KMS key that encrypts the table. */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * The points lifecycle of the ledger's new lots: days an order's points stay pending (0–365; the
   * return window) and days until lots expire after release (0–3650; 0 never), fixed on each lot
   * when earned; the writer's orders and the admin function's grants follow it alike.
   * @default spendable at once, never expiring (`STORE_DEFAULTS.lifecycle`)
   */
  lifecycle?: LedgerLifecycle;
  /**
   * The ledger's tiers: the writer earns at the level held at an order's completion, the reader
   * answers the level held, the settle finds the period ends.
   * @default no tiers: every order earns its base points
   */
  tiers?: LedgerTiers;
}

/** A ledger table with its stream (`NEW_AND_OLD_IMAGES`): a `LoyaltyStore`, or one created elsewhere. */
export interface LedgerStreamRef extends LedgerTableRef {
  /** The table's stream (new and old images), which the publisher reads. */
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
    // Lambda's mapping lists the streams with the function's role; ListStreams supports no
    // resource-level permission (the Service Authorization Reference lists no resource type for
    // it), so "*" is its only working grant, and it names streams, never items.
    { Sid: "ListLedgerStreams", Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: "*" },
    { Sid: "DecryptLedgerStream", Effect: "Allow", Action: ["kms:Decrypt"], Resource: table.kmsKeyArn },
  ];
}

/**
 * Read a balance (GetItem) and page a history (Query on the history index), of customers'
 * partitions only, and read the rewards catalogue (a reward, the list of them, what their shards
 * have left): no tombstone, no index item, no code, no writes.
 */
export function ledgerReadStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "ReadLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query"],
      Resource: [table.tableArn, pulumi.interpolate`${table.tableArn}/index/${LEDGER_TABLE.historyIndex.name}`],
      Condition: leadingKeysLike(USER_PK_PREFIX),
    },
    {
      Sid: "ReadCatalogue",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(CATALOGUE_PK),
    },
    {
      // What each reward has available: its shards' counters, in one batch read.
      Sid: "ReadRewardUnits",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(REWARD_PK_PREFIX),
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
const leadingKeysLike = (...prefixes: string[]) => ({
  "ForAllValues:StringLike": { "dynamodb:LeadingKeys": prefixes.map((prefix) => `${prefix}*`) },
});

/**
 * Write ledger entries and balances in transactions, read what a write depends on (a balance
 * before a cancel) — in customers' partitions only — and check, in the same transaction, that
 * the customer has no erasure tombstone — a `ConditionCheck` on tombstones only. A redemption
 * reads the customer's items, the reward and its shards in one batch, takes a unit of a shard,
 * claims a free code (a delete) found by a query of its shard, and a cancel voids the code. The
 * redeemer needs exactly this; no Scan, and it can neither read nor write a tombstone nor change
 * the catalogue.
 */
export function ledgerWriteStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "WriteLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(USER_PK_PREFIX),
    },
    {
      // One batch holds the customer's items, the reward and its shards: every key must match one prefix.
      Sid: "ReadForRedemption",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(USER_PK_PREFIX, CATALOGUE_PK, REWARD_PK_PREFIX),
    },
    {
      Sid: "ClaimRewardUnits",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(REWARD_PK_PREFIX),
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
 * items (expiry, release, tier) — nothing else (a batch may hold all of them, so one statement
 * names every prefix).
 */
const eraseCustomers = (table: LedgerTableRef): iam.PolicyStatement => ({
  Sid: "EraseCustomers",
  Effect: "Allow",
  Action: ["dynamodb:BatchWriteItem"],
  Resource: table.tableArn,
  Condition: leadingKeysLike(USER_PK_PREFIX, EXPIRY_INDEX_PK_PREFIX, RELEASE_INDEX_PK_PREFIX, TIER_INDEX_PK_PREFIX),
});

/**
 * The writer, each part limited to its partitions: customers' entries and balances (written in
 * transactions; `ConditionCheck` that an order is still absent or an early note is; `Query` of
 * the customer's own partition for the refunds parked before their order, the expiry entries of a
 * lot the settle took off, and the keys to erase), the day indexes it puts a lot's days in,
 * tombstones it creates on the platform's `Customer Deleted` and checks in every transaction (never
 * updates: a tombstone is written once), and that customer's batch deletes. No Scan, no DeleteItem.
 */
export function ledgerIngestStatements(table: LedgerTableRef): iam.PolicyStatement[] {
  return [
    {
      Sid: "WriteLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(USER_PK_PREFIX),
    },
    {
      // A release index item is put; an expiry index item is updated (it keeps when the customer was first listed).
      Sid: "IndexReleaseDays",
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(RELEASE_INDEX_PK_PREFIX),
    },
    {
      Sid: "IndexExpiryDays",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX),
    },
    {
      // With tiers: a write that starts a period lists its end's day.
      Sid: "IndexTierEnds",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(TIER_INDEX_PK_PREFIX),
    },
    {
      Sid: "CreateAndCheckTombstones",
      Effect: "Allow",
      // GetItem: the standing tombstone, read when a refused put does not return it.
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(ERASED_PK_PREFIX),
    },
    eraseCustomers(table),
    encryptLedger(table),
  ];
}

/**
 * The admin function: adjustments read and write customers' partitions (and index a granted
 * lot's expiry), the catalogue's changes write rewards, their stock and their codes, erasure checks that a customer's balance is as it read it when the tombstone
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
      Action: ["dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX),
    },
    eraseCustomers(table),
    {
      Sid: "ChangeCatalogue",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(CATALOGUE_PK),
    },
    {
      // A reward's stock shares, its codes (put once each) with their shards' counts, and what is left.
      Sid: "StockAndCodes",
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(REWARD_PK_PREFIX),
    },
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
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX, RELEASE_INDEX_PK_PREFIX, TIER_INDEX_PK_PREFIX),
    },
    {
      // An expiry's or a tier period's index item marked warned; with tiers, a new period's end listed.
      Sid: "MarkWarnedExpiries",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem"],
      Resource: table.tableArn,
      Condition: leadingKeysLike(EXPIRY_INDEX_PK_PREFIX, TIER_INDEX_PK_PREFIX),
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
