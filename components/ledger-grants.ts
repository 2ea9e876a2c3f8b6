/**
 * What a function may do with the ledger, least privilege, for a `LoyaltyStore` or any
 * existing ledger table. DynamoDB authorizes each item of a `TransactWriteItems` by its own
 * action, so the writer needs exactly PutItem and UpdateItem, and GetItem for a refund's read.
 */
import type * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { LEDGER_TABLE } from "../handlers/ledger/table";

/** A ledger table: a `LoyaltyStore`, or the plain identifiers of one created elsewhere. */
export interface LedgerTableRef {
  /** The table's name, given to the handlers as `TABLE_NAME`. */
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  /** The customer-managed KMS key that encrypts the table. */
  kmsKeyArn: pulumi.Input<string>;
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

/**
 * Write ledger entries and balances in transactions, and read what a write depends on (an order
 * before its refund, a balance before a redemption). The writer and the redeemer need exactly
 * this; no Scan, no Query, no Delete.
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
      Sid: "EncryptLedger",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: table.kmsKeyArn,
    },
  ];
}
