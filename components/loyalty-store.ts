/**
 * LoyaltyStore: the points ledger's DynamoDB table, encrypted with a customer-managed KMS key,
 * with point-in-time recovery. Its shape (keys, history index) is the one the handlers use.
 * With deletion protection (the default) the table and its key survive mistakes twice over:
 * DynamoDB refuses to delete the table, and Pulumi refuses to delete or replace either
 * (`protect`) — a `pulumi destroy` or a replacing change stops instead of losing the ledger.
 * The table streams every change (new and old images), which `LoyaltyEvents` publishes from.
 */
import * as dynamodb from "@pulumi/aws/dynamodb";
import type * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { STORE_DEFAULTS } from "../config/defaults/store-defaults";
import { LEDGER_KEY_ATTRIBUTES, LEDGER_TABLE } from "../handlers/ledger/table";
import {
  ledgerIngestStatements,
  ledgerReadStatements,
  type LedgerLifecycle,
  type LedgerStreamRef,
  type LedgerTiers,
} from "./ledger-grants";
import { StoreArgsSchema } from "./store-args";
import { validateArgs } from "./validate-args";

/** Provisioned capacity of the table (and of its history index, which shares it). */
export interface ProvisionedCapacity {
  /** Read capacity units. */
  readCapacity: pulumi.Input<number>;
  /** Write capacity units. */
  writeCapacity: pulumi.Input<number>;
}

/** Arguments of `LoyaltyStore`; its lifecycle is checked in the constructor with the stack config's rules and messages. */
export interface LoyaltyStoreArgs {
  /**
   * An existing customer-managed KMS key to encrypt the table with.
   * @default a new key of this store, with yearly rotation
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Whether DynamoDB refuses to delete the table and Pulumi protects the table and the key this
   * store creates (`protect`). Turn off only for throwaway stacks.
   * @default {@link STORE_DEFAULTS.deletionProtection}
   */
  deletionProtection?: boolean;
  /**
   * Continuous backups, restorable to any second of the last 35 days.
   * @default {@link STORE_DEFAULTS.pointInTimeRecovery}
   */
  pointInTimeRecovery?: pulumi.Input<boolean>;
  /**
   * Provisioned capacity instead of on-demand; the history index shares it.
   * @default on-demand (`PAY_PER_REQUEST`)
   */
  provisioned?: ProvisionedCapacity;
  /**
   * The points lifecycle of the ledger's new lots: days an order's points stay pending (0–365; the
   * return window) and days until lots expire after release (0–3650; 0 never), fixed on each lot
   * when earned. The ingest's writer and the API's admin function both read it from this store.
   * @default {@link STORE_DEFAULTS.lifecycle}
   */
  lifecycle?: LedgerLifecycle;
  /**
   * The ledger's tiers: levels by ascending threshold (the first at 0) reached by the released
   * base points of the trailing `windowDays`, and the multiplier each earns at. The ingest's
   * writer, the API's reader and the settle read them from this store.
   * @default no tiers: every order earns its base points
   */
  tiers?: LedgerTiers;
}

/** The points ledger: the DynamoDB table, its KMS key, point-in-time recovery and stream; the owner of the points lifecycle and the tiers. */
export class LoyaltyStore extends pulumi.ComponentResource implements LedgerStreamRef {
  /** The table's name, for the handlers' `TABLE_NAME`. */
  public readonly tableName: pulumi.Output<string>;
  /** The table's ARN, for IAM grants (see `grantRead`, `grantLedgerWrite`). */
  public readonly tableArn: pulumi.Output<string>;
  /** The KMS key that encrypts the table (created here unless one was given). */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The table's stream, which the points events are published from. */
  public readonly streamArn: pulumi.Output<string>;
  /** The points lifecycle of the ledger's new lots, which the writer and the admin function follow. */
  public readonly lifecycle: LedgerLifecycle;
  /** The ledger's tiers (absent: none), which the writer, the reader and the settle follow. */
  public readonly tiers?: LedgerTiers;

  constructor(name: string, args: LoyaltyStoreArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    // A bad lifecycle or tier fails here, before anything is registered.
    const settings = validateArgs("LoyaltyStore", name, StoreArgsSchema, args);
    super("otrium:loyalty:LoyaltyStore", name, {}, opts);
    this.lifecycle = settings.lifecycle;
    this.tiers = settings.tiers;
    const deletionProtection = args.deletionProtection ?? STORE_DEFAULTS.deletionProtection;
    const stateful = { parent: this, protect: deletionProtection };

    const kmsKeyArn =
      args.kmsKeyArn ??
      new kms.Key(
        name,
        {
          description: "Encrypts the Otrium loyalty points ledger",
          enableKeyRotation: true,
          deletionWindowInDays: 30,
        },
        stateful,
      ).arn;

    const table = new dynamodb.Table(
      name,
      {
        billingMode: args.provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        readCapacity: args.provisioned?.readCapacity,
        writeCapacity: args.provisioned?.writeCapacity,
        hashKey: LEDGER_TABLE.partitionKey,
        rangeKey: LEDGER_TABLE.sortKey,
        attributes: LEDGER_KEY_ATTRIBUTES.map((attribute) => ({ name: attribute, type: "S" })),
        localSecondaryIndexes: [
          {
            name: LEDGER_TABLE.historyIndex.name,
            rangeKey: LEDGER_TABLE.historyIndex.sortKey,
            projectionType: "ALL",
          },
        ],
        serverSideEncryption: { enabled: true, kmsKeyArn },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? STORE_DEFAULTS.pointInTimeRecovery },
        deletionProtectionEnabled: deletionProtection,
        streamEnabled: true,
        streamViewType: LEDGER_TABLE.streamView,
        // Only the notes of early arrivals carry it: orders that never come leave no lasting items.
        ttl: { attributeName: LEDGER_TABLE.ttlAttribute, enabled: true },
      },
      stateful,
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.kmsKeyArn = pulumi.output(kmsKeyArn);
    this.streamArn = table.streamArn;
    this.registerOutputs({
      tableName: this.tableName,
      tableArn: this.tableArn,
      kmsKeyArn: this.kmsKeyArn,
      streamArn: this.streamArn,
    });
  }

  /** Statements that let a role read balances, history and the rewards catalogue (GetItem, Query, BatchGetItem of shards), nothing else. */
  grantRead(): iam.PolicyStatement[] {
    return ledgerReadStatements(this);
  }

  /** Statements that let a role write ledger entries as the writer does (no Scan, no Delete), nothing else. */
  grantLedgerWrite(): iam.PolicyStatement[] {
    return ledgerIngestStatements(this);
  }
}
