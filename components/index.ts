/**
 * The loyalty components, for this program and for any Otrium stack that reuses them:
 *   import { LoyaltyIngest, LoyaltyApi } from "otrium-loyalty/components";
 */
export { LoyaltyAlerts, type LoyaltyAlertsArgs } from "./loyalty-alerts";
export { ApiAuthType, LoyaltyApi, type ApiAuth, type ApiThrottle, type LoyaltyApiArgs } from "./loyalty-api";
export type { DashboardApi, DashboardEvents, DashboardIngest, DashboardSettle } from "./dashboard-args";
export { LoyaltyDashboard, type LoyaltyDashboardArgs } from "./loyalty-dashboard";
export { LoyaltyEvents, type LoyaltyEventsArgs } from "./loyalty-events";
export { LoyaltyIngest, type LoyaltyIngestArgs } from "./loyalty-ingest";
export { LoyaltySettle, type LoyaltySettleArgs } from "./loyalty-settle";
export { LoyaltyStore, type LoyaltyStoreArgs, type ProvisionedCapacity } from "./loyalty-store";
export {
  ledgerIngestStatements,
  ledgerReadStatements,
  ledgerSettleStatements,
  ledgerStreamStatements,
  ledgerWriteStatements,
  type LedgerLifecycle,
  type LedgerStreamRef,
  type LedgerTableRef,
  type LedgerTierLevel,
  type LedgerTiers,
} from "./ledger-grants";
export { InvalidComponentArgsError } from "./validate-args";
