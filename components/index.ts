/**
 * The loyalty components, for this program and for any Otrium stack that reuses them:
 *   import { LoyaltyIngest, LoyaltyApi } from "otrium-loyalty/components";
 */
export { LoyaltyAlerts, type LoyaltyAlertsArgs } from "./loyalty-alerts";
export { LoyaltyApi, type ApiAuth, type LoyaltyApiArgs } from "./loyalty-api";
export { LoyaltyDashboard, type LoyaltyDashboardArgs } from "./loyalty-dashboard";
export { LoyaltyEvents, type LoyaltyEventsArgs } from "./loyalty-events";
export { LoyaltyIngest, type LoyaltyIngestArgs } from "./loyalty-ingest";
export { LoyaltySettle, type LoyaltySettleArgs } from "./loyalty-settle";
export { LoyaltyStore, type LoyaltyStoreArgs } from "./loyalty-store";
export { ledgerIngestStatements, ledgerReadStatements, ledgerSettleStatements, ledgerStreamStatements, ledgerWriteStatements, type LedgerStreamRef, type LedgerTableRef } from "./ledger-grants";
export { InvalidComponentArgsError } from "./validate-args";
