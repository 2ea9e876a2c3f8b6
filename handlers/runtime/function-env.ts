/**
 * The environment each function is given, built in one place from its settings: the stack's
 * components (`LoyaltyIngest`, `LoyaltyApi`, `LoyaltySettle`, `LoyaltyEvents`) and the local
 * runtime (every function's but the publisher's, whose transform it runs in-process) call these
 * builders, and `env.ts` reads what they write. A variable is omitted when its setting is absent,
 * so the reader's default applies.
 *
 * Values the builder only passes through (the table name, the log level, the admin group) are
 * of type `V`: plain strings for the local runtime, deploy-time values (e.g. another resource's
 * output) for a component. Values the builder encodes (JSON, lists) are always plain.
 */
import type { Lifecycle } from "../domain/lifecycle";
import type { Tiers } from "../domain/tier-settings";
import type { HandlerEnv } from "./env";

/** What the writer is configured with. */
export interface WriterSettings<V = string> {
  /** The ledger table. */
  tableName: V;
  /** Points per whole currency unit, e.g. `{EUR: 1, GBP: 1.25}`. */
  earnRules: Readonly<Record<string, number>>;
  /** The only `source` whose events may earn points; absent: every source. */
  eventSource?: string;
  /** The accounts whose events may earn points; absent: no account check. */
  publisherAccounts?: readonly string[];
  /** Pending and expiry days of new lots; absent: spendable at once, never expiring. */
  lifecycle?: Lifecycle;
  /** The ledger's tiers, whose multipliers orders earn at; absent: no tiers. */
  tiers?: Tiers;
  /** Its queue's DLQ, for the refunds parked before their order that the order rejects; absent: they are only logged. */
  dlqUrl?: V;
  /** `debug`, `info`, `warn` or `error`. */
  logLevel: V;
}

/** What the reader and the redeemer are configured with. */
export interface ApiFunctionSettings<V = string> {
  /** The ledger table. */
  tableName: V;
  /** `debug`, `info`, `warn` or `error`. */
  logLevel: V;
  /** Origins (or `*`) answered with CORS headers. */
  allowedOrigins: readonly string[];
  /** IAM role or user ARNs whose SigV4 calls are admin calls. */
  adminPrincipals: readonly string[];
  /** The Cognito group whose members act for any user; absent: none. */
  adminGroup?: V;
}

/** What the reader is configured with: the API's settings, and the tiers whose level it answers. */
export interface ReaderFunctionSettings<V = string> extends ApiFunctionSettings<V> {
  /** The ledger's tiers; absent: no tiers. */
  tiers?: Tiers;
}

/** What the admin function is configured with: the API's settings, and the lifecycle a grant's lot follows. */
export interface AdminFunctionSettings<V = string> extends ApiFunctionSettings<V> {
  /** Expiry days of granted lots (a grant is spendable at once); absent: never expiring. */
  lifecycle?: Lifecycle;
}

/** What the daily settle is configured with: it needs no earn rules, lots carry their own dates. */
export interface SettleFunctionSettings<V = string> {
  /** The ledger table. */
  tableName: V;
  /** The ledger's tiers, whose period ends it finds; absent: no tiers. */
  tiers?: Tiers;
  /** Days before an expiry that customers are warned of it (0: never); absent: the settle's default. */
  expiringSoonDays?: number;
  /** `debug`, `info`, `warn` or `error`. */
  logLevel: V;
}

/** What the publisher is configured with. */
export interface PublisherFunctionSettings<V = string> {
  /**
   * The ledger table whose stream it publishes: every function's environment check requires
   * `TABLE_NAME`; the publisher itself only reads the stream its event source mapping hands it.
   */
  tableName: V;
  /** The bus the points events go to. */
  eventBusName: V;
  /** `debug`, `info`, `warn` or `error`. */
  logLevel: V;
}

/** A function's variables: names the handlers read (`HandlerEnv`), each present only when set. */
export type FunctionEnvironment<TName extends keyof HandlerEnv, V> = { [K in TName]: V | string };

type WriterVariable =
  | "TABLE_NAME"
  | "EARN_RULES"
  | "EVENT_SOURCE"
  | "PUBLISHER_ACCOUNTS"
  | "POINTS_LIFECYCLE"
  | "TIERS"
  | "DLQ_URL"
  | "LOG_LEVEL";
type ApiFunctionVariable = "TABLE_NAME" | "LOG_LEVEL" | "ALLOWED_ORIGINS" | "ADMIN_PRINCIPALS" | "ADMIN_GROUP";
type SettleVariable = "TABLE_NAME" | "LOG_LEVEL" | "EXPIRING_SOON_DAYS" | "TIERS";
type PublisherVariable = "TABLE_NAME" | "EVENT_BUS_NAME" | "LOG_LEVEL";

/** `{[name]: value}` when the value is set, nothing otherwise. */
const optional = <TName extends string, T>(name: TName, value: T | undefined): Partial<Record<TName, T>> =>
  value === undefined ? {} : ({ [name]: value } as Record<TName, T>);

function writerEnvironment<V = string>(
  settings: WriterSettings<V>,
): FunctionEnvironment<Exclude<WriterVariable, "EVENT_SOURCE" | "PUBLISHER_ACCOUNTS" | "POINTS_LIFECYCLE" | "TIERS" | "DLQ_URL">, V> &
  Partial<FunctionEnvironment<"EVENT_SOURCE" | "PUBLISHER_ACCOUNTS" | "POINTS_LIFECYCLE" | "TIERS" | "DLQ_URL", V>> {
  return {
    TABLE_NAME: settings.tableName,
    EARN_RULES: JSON.stringify(settings.earnRules),
    ...optional("EVENT_SOURCE", settings.eventSource),
    ...optional("PUBLISHER_ACCOUNTS", settings.publisherAccounts && JSON.stringify(settings.publisherAccounts)),
    ...optional("POINTS_LIFECYCLE", settings.lifecycle && JSON.stringify(settings.lifecycle)),
    ...optional("TIERS", settings.tiers && JSON.stringify(settings.tiers)),
    ...optional("DLQ_URL", settings.dlqUrl),
    LOG_LEVEL: settings.logLevel,
  };
}

function apiFunctionEnvironment<V = string>(
  settings: ApiFunctionSettings<V>,
): FunctionEnvironment<Exclude<ApiFunctionVariable, "ADMIN_GROUP">, V> & Partial<FunctionEnvironment<"ADMIN_GROUP", V>> {
  return {
    TABLE_NAME: settings.tableName,
    LOG_LEVEL: settings.logLevel,
    ALLOWED_ORIGINS: settings.allowedOrigins.join(","),
    ADMIN_PRINCIPALS: JSON.stringify(settings.adminPrincipals),
    ...optional("ADMIN_GROUP", settings.adminGroup),
  };
}

function readerEnvironment<V = string>(
  settings: ReaderFunctionSettings<V>,
): ReturnType<typeof apiFunctionEnvironment<V>> & Partial<FunctionEnvironment<"TIERS", V>> {
  return { ...apiFunctionEnvironment(settings), ...optional("TIERS", settings.tiers && JSON.stringify(settings.tiers)) };
}

function adminEnvironment<V = string>(
  settings: AdminFunctionSettings<V>,
): ReturnType<typeof apiFunctionEnvironment<V>> & Partial<FunctionEnvironment<"POINTS_LIFECYCLE", V>> {
  return { ...apiFunctionEnvironment(settings), ...optional("POINTS_LIFECYCLE", settings.lifecycle && JSON.stringify(settings.lifecycle)) };
}

function settleEnvironment<V = string>(
  settings: SettleFunctionSettings<V>,
): FunctionEnvironment<Exclude<SettleVariable, "EXPIRING_SOON_DAYS" | "TIERS">, V> &
  Partial<FunctionEnvironment<"EXPIRING_SOON_DAYS" | "TIERS", V>> {
  return {
    TABLE_NAME: settings.tableName,
    LOG_LEVEL: settings.logLevel,
    ...optional("EXPIRING_SOON_DAYS", settings.expiringSoonDays === undefined ? undefined : String(settings.expiringSoonDays)),
    ...optional("TIERS", settings.tiers && JSON.stringify(settings.tiers)),
  };
}

function publisherEnvironment<V = string>(settings: PublisherFunctionSettings<V>): FunctionEnvironment<PublisherVariable, V> {
  return { TABLE_NAME: settings.tableName, EVENT_BUS_NAME: settings.eventBusName, LOG_LEVEL: settings.logLevel };
}

/** The builder of each function's environment, by function. */
export const functionEnvironment = {
  writer: writerEnvironment,
  reader: readerEnvironment,
  redeemer: apiFunctionEnvironment,
  admin: adminEnvironment,
  settle: settleEnvironment,
  publisher: publisherEnvironment,
};

/** The functions, as the handler modules are named (`handlers/<name>.ts`). */
export type FunctionName = keyof typeof functionEnvironment;
