/** What `npm start` prints once it is up: where everything is, and what to try first. */
import type { Lifecycle } from "../handlers/domain/lifecycle";
import type { Tiers } from "../handlers/domain/tier-settings";
import type { LocalRuntime } from "./runtime";

/** The AWS SDK's own warning is silenced in every local command; this says it once, here. */
function nodeVersionNotice(): string {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return "";
  return `\nNote: Node.js ${process.versions.node}. AWS SDK releases after early January 2027 need Node.js 22 or newer;\nthe pinned SDK works on this one.\n`;
}

function lifecycleLine({ pendingDays, expiryDays }: Lifecycle, expiringSoonDays: number): string {
  const pending = pendingDays === 0 ? "spendable at once" : `pending ${pendingDays} days`;
  const expiry =
    expiryDays === 0
      ? "never expire"
      : `expire ${expiryDays} days after release (warned ${expiringSoonDays === 0 ? "never" : `${expiringSoonDays} days ahead`})`;
  return `${pending}, ${expiry}   (POINTS_LIFECYCLE='{"pendingDays":2,"expiryDays":3}' EXPIRING_SOON_DAYS=2 npm start changes it)`;
}

/** The levels, their thresholds and multipliers, and the window; or that the runtime has none. */
function tiersLine(tiers: Tiers | undefined): string {
  const change = `(TIERS='{"levels":[{"name":"Member","threshold":0},{"name":"Gold","threshold":100,"multiplier":2}]}' npm start changes them)`;
  if (tiers === undefined) return `none   ${change}`;
  const levels = tiers.levels.map(
    ({ name, threshold, multiplier }) => `${name} ${threshold.toLocaleString("en")}${multiplier === 1 ? "" : ` ×${multiplier}`}`,
  );
  return `${levels.join(", ")}; qualifying points over ${tiers.windowDays} days   ${change}`;
}

/** The JVM's pid, for a supervisor; or that it is the DYNAMODB_ENDPOINT's, which this runtime neither started nor stops. */
const dynamoOwner = (pid: number | undefined): string =>
  pid === undefined ? "(DYNAMODB_ENDPOINT's: not started, nor stopped, by this runtime)" : `(pid ${pid})`;

export function banner(runtime: LocalRuntime): string {
  const { endpoint, settings } = runtime;
  return `
otrium-loyalty local runtime is up.

  API + EventBridge PutEvents   ${endpoint}
  SQS API (queue and DLQ)       ${runtime.sqsEndpoint}   queue ${runtime.queueUrl}
  DynamoDB Local                ${runtime.dynamoEndpoint}   table ${settings.tableName}   ${dynamoOwner(runtime.dynamoPid)}
  state                         ${settings.dataDir ? `kept in ${settings.dataDir}` : "in memory (npm start -- --data-dir <dir> keeps it)"}
  points lifecycle              ${lifecycleLine(settings.lifecycle, settings.expiringSoonDays)}
  tiers                         ${tiersLine(settings.tiers)}
  daily settle                  at 00:15 UTC; POST ${endpoint}/_local/settle runs it now
  clock                         real time, read by every handler and the settle: GET ${endpoint}/_local/clock shows it,
                                POST ${endpoint}/_local/clock -d '{"now":"2027-01-01T12:00:00Z"}' sets it (it runs on from there),
                                DELETE ${endpoint}/_local/clock returns it to real time
  points events (otrium.loyalty) from the ledger's stream onto the local bus: GET ${endpoint}/_local/events

Auth: none locally (127.0.0.1 only). A request without an X-Local-Claims header acts as an ADMIN
(it may read, spend, cancel, adjust and erase for anyone); -H 'X-Local-Claims: {"sub":"u-42"}' acts as customer
u-42, and "cognito:groups":"${settings.adminGroup ?? ""}" in the claims as the admin group.
${nodeVersionNotice()}
Try it (README, "The local runtime", has every command):
  npm run demo                                  orders, a refund and a redemption, then balances
  curl -s ${endpoint}/points/demo-anna
  npm run local:dlq                             what waits in the DLQ, and why
  npm run local:events                          every event on the local bus, followed live

Ctrl-C (or SIGTERM) stops it cleanly.`;
}
