/**
 * What `npm start` is given (arguments, `PORT`) and what can go wrong before it is up, each
 * turned into one line that says what to do — never a stack trace for a user's mistake.
 */
import type { Lifecycle } from "../handlers/domain/lifecycle";
import type { Tiers } from "../handlers/domain/tier-settings";
import { expiringSoonDaysOf, InvalidEnvironmentError, pointsLifecycleOf, tiersOf } from "../handlers/runtime/env";
import { UsageError } from "../cli/usage-error";
import { DynamoUnreachableError } from "./dynamo-unreachable-error";
import { JavaMissingError } from "./java-missing-error";

export const USAGE =
  "usage: npm start [-- --data-dir <dir>]   (PORT=<port> to change the port, 3000 by default;\n" +
  `       POINTS_LIFECYCLE='{"pendingDays":2,"expiryDays":3}' to hold and expire points, the dev stack's by default;\n` +
  "       EXPIRING_SOON_DAYS=<days> to warn of expiries that many days ahead, the dev stack's 30 by default;\n" +
  `       TIERS='{"levels":[{"name":"Member","threshold":0},{"name":"Gold","threshold":100,"multiplier":2}]}' for other tiers, the dev stack's by default;\n` +
  "       DYNAMODB_ENDPOINT=http://127.0.0.1:<port> to use a DynamoDB Local already running instead of starting one,\n" +
  "       DYNAMODB_TABLE=<name> for a ledger table other than loyalty-ledger)";

/**
 * npm takes flags written before `--` as its own settings and hands them to the script as
 * `npm_config_<name>`: `npm start --data-dir x` would silently keep nothing. Refuse it.
 */
export function assertNoMisplacedOptions(env: NodeJS.ProcessEnv = process.env): void {
  if (env.npm_config_data_dir !== undefined) {
    throw new UsageError("npm start takes its options after `--`: npm start -- --data-dir <dir>");
  }
}

/** `PORT` as a port number: a whole number from 0 (any free port) to 65535; 3000 when unset. */
export function parsePort(value: string | undefined): number {
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`PORT must be a whole number from 0 to 65535 (found ${JSON.stringify(value)})`);
  }
  return port;
}

/** A handler's own check of a variable, its failure turned into a usage error. */
function checkedAs<T>(read: (env: NodeJS.ProcessEnv) => T, env: NodeJS.ProcessEnv): T {
  try {
    return read(env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `POINTS_LIFECYCLE`, when given, replaces the dev stack's lifecycle (immediate), so points can
 * be seen pending and expiring locally; checked with the writer's own rules and messages.
 */
export function parseLifecycle(env: NodeJS.ProcessEnv = process.env): Lifecycle | undefined {
  return env.POINTS_LIFECYCLE === undefined ? undefined : checkedAs(pointsLifecycleOf, env);
}

/**
 * `TIERS`, when given, replaces the dev stack's tiers, so levels can be tried locally with small
 * thresholds or a short window; checked with the handlers' own rules and messages.
 */
export function parseTiers(env: NodeJS.ProcessEnv = process.env): Tiers | undefined {
  return env.TIERS === undefined ? undefined : checkedAs(tiersOf, env);
}

/**
 * `EXPIRING_SOON_DAYS`, when given, replaces the dev stack's (30): with a short local lifecycle,
 * a day or two shows the warnings; checked with the settle's own rules and messages.
 */
export function parseExpiringSoonDays(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env.EXPIRING_SOON_DAYS === undefined ? undefined : checkedAs(expiringSoonDaysOf, env);
}

/** DynamoDB's rule for a table's name. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Where the runtime's ledger table lives, when `npm start` is told. */
export interface DynamoChoice {
  /** A DynamoDB Local already running, whose origin the runtime uses instead of starting its own. */
  dynamoEndpoint?: string;
  tableName?: string;
}

/**
 * `DYNAMODB_ENDPOINT` names a DynamoDB Local already running (one kept for the machine, or a test
 * run's), which the runtime uses and neither starts nor stops: no JVM of its own. `DYNAMODB_TABLE`
 * names the ledger table, so that runtimes sharing one DynamoDB Local keep their data apart.
 */
export function parseDynamoChoice(env: NodeJS.ProcessEnv = process.env): DynamoChoice {
  const choice: DynamoChoice = {};
  const endpoint = env.DYNAMODB_ENDPOINT;
  if (endpoint !== undefined && endpoint !== "") {
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.pathname !== "/" || url.search !== "") {
      throw new UsageError(`DYNAMODB_ENDPOINT must be a URL like http://127.0.0.1:8000 (found ${JSON.stringify(endpoint)})`);
    }
    choice.dynamoEndpoint = url.origin;
  }
  const table = env.DYNAMODB_TABLE;
  if (table !== undefined && table !== "") {
    if (!TABLE_NAME.test(table)) {
      throw new UsageError(`DYNAMODB_TABLE must be 3 to 255 letters, digits, '_', '-' or '.' (found ${JSON.stringify(table)})`);
    }
    choice.tableName = table;
  }
  return choice;
}

/** The one line for a start-up failure the user can fix; undefined for anything else (a bug). */
export function describeStartFailure(error: unknown): string | undefined {
  if (error instanceof UsageError || error instanceof JavaMissingError || error instanceof DynamoUnreachableError) return error.message;
  const { code, port } = error as { code?: unknown; port?: unknown };
  if (code === "EADDRINUSE") {
    return `Port ${String(port)} on 127.0.0.1 is already in use (another npm start?). Stop it, or choose another port: PORT=3001 npm start`;
  }
  if (code === "EACCES") {
    return `Port ${String(port)} on 127.0.0.1 may not be opened by this user. Choose a port above 1023: PORT=3001 npm start`;
  }
  return undefined;
}
