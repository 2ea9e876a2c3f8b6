/**
 * How another Otrium stack reuses the loyalty components: here, the ingest and the API over
 * a ledger table that already exists (named in this stack's config), listening on
 * a custom event bus. No LoyaltyStore is created.
 *
 * In that stack: `npm install otrium-loyalty` (compiled JavaScript with its types and the
 * handlers' bundles: no TypeScript loader or esbuild needed at run time); the import below is then
 * the same. `python/` and `yaml/` compose the same components from other languages.
 */
import * as pulumi from "@pulumi/pulumi";
import { LoyaltyApi, LoyaltyIngest, type LedgerTableRef } from "otrium-loyalty/components";

const config = new pulumi.Config("marketplace");

/** The ledger table that already exists (e.g. the loyalty stack's `tableName`, `tableArn`, `tableKmsKeyArn` outputs). */
const ledger: LedgerTableRef = {
  tableName: config.require("ledgerTableName"),
  tableArn: config.require("ledgerTableArn"),
  kmsKeyArn: config.require("ledgerKmsKeyArn"),
};

const ingest = new LoyaltyIngest("partner-ingest", {
  store: ledger,
  earnRules: { EUR: 2 },
  /** The partner platform's account: the only one whose events may earn points here. */
  publisherAccounts: config.requireObject<string[]>("publisherAccounts"),
  eventBusName: "marketplace-partners",
  eventSource: "otrium.partners",
});

const api = new LoyaltyApi("partner-api", {
  store: ledger,
  auth: { type: "iam" },
  stageName: "partners",
});

export const queueUrl = ingest.queueUrl;
export const apiUrl = api.url;
