/**
 * `npm run api:proxy-check`: the live API held to its document by a tool nobody here wrote.
 * Starts `npm start` and Stoplight Prism as a validating proxy in front of it, sends every route
 * its answers and its refusals through the proxy, and reads Prism's verdict on each exchange
 * (`sl-violations`). The document and the server disagree when an answer breaks the document,
 * when the server takes a request the document refuses, or when it refuses as malformed (400,
 * 415) a request the document admits. Prints every exchange; exits 1 on any disagreement.
 *
 * The requests are built per route from what the route takes (its body schema, its query
 * schema), so every route of `API_ROUTES` is asked, whatever its path.
 */
import "../cli/quiet-sdk-warning";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type * as v from "valibot";
import { DETAIL_TYPES } from "../handlers/domain/contract";
import { AdjustmentRequestSchema } from "../handlers/domain/adjustment";
import { RedemptionRequestSchema } from "../handlers/domain/redemption";
import { CodesUploadSchema, RewardDefinitionSchema } from "../handlers/domain/rewards";
import { API_ROUTES, resourceIn, type RouteTree } from "../handlers/http/routes";
import { HistoryQuerySchema } from "../handlers/reader/history-query";
import { freePort, LOCAL_AWS } from "../local/dynamo-local";
import { CLAIMS_HEADER } from "../local/local-caller";
import { watchdogFor } from "../local/watchdog";
import { OPENAPI_FILE } from "./generate";
import { ROUTE_CONTRACTS, type RouteName } from "./route-contracts";

const ROOT = path.resolve(__dirname, "..");
const USER = "proxy-ana";
/** The reward the run creates, stocks with codes and redeems. */
const REWARD = "proxy-voucher";

export interface Exchange {
  label: string;
  method: string;
  /** Path and query. */
  target: string;
  headers: Record<string, string>;
  /** Sent as bytes: no client adds a Content-Type the exchange does not name. */
  body?: string;
  /**
   * Why only the server refuses it: a rule across two fields that JSON Schema cannot state (the
   * route's description says it in words). Such a refusal is expected, not a disagreement.
   */
  acrossFields?: string;
}

interface Violation {
  location: (string | number)[];
  severity: string;
  message: string;
}

export interface Verdict {
  exchange: Exchange;
  status: number;
  code: string | undefined;
  violations: Violation[];
  /** Why the document and the server disagree here; none when they agree. */
  disagreement?: string;
}

/** The refusals that say a request is malformed: the document should have refused it too. */
const MALFORMED = new Set(["invalid_request", "invalid_query", "invalid_user_id", "unsupported_media_type"]);

/** A route's requests: what it serves, and what its caller can get wrong. */
function exchangesOf(name: RouteName, tree: RouteTree): Exchange[] {
  const route = API_ROUTES[name];
  const resource = resourceIn(tree, route);
  const contract = ROUTE_CONTRACTS[name];
  const ids: Record<string, string> = { userId: USER, redemptionId: "proxy-r-1", rewardId: REWARD };
  const pathFor = (overrides: Record<string, string> = {}) =>
    resource.replace(/\{(\w+)\}/g, (_, id: string) => encodeURIComponent(overrides[id] ?? ids[id] ?? id));
  // The local runtime has no authorizer; the document asks for credentials, so every request carries some.
  const headers = { Authorization: "local" };
  const json = { ...headers, "Content-Type": "application/json" };
  const base = { method: route.method, headers };
  const exchanges: Exchange[] = [];
  const add = (label: string, exchange: Partial<Exchange>) =>
    exchanges.push({ label: `${name}${tree === "admin" ? " (/admin)" : ""}: ${label}`, ...base, target: pathFor(), ...exchange });

  const samples = contract.body ? BODIES.get(contract.body) : undefined;
  if (contract.body && !samples) throw new Error(`${name}: no sample bodies for its body schema; add them to BODIES`);
  if (samples) {
    for (const [label, body] of Object.entries(samples.valid)) add(label, { headers: json, body: JSON.stringify(body) });
    add("the first again (a replay)", { headers: json, body: JSON.stringify(Object.values(samples.valid)[0]) });
    for (const [label, body] of Object.entries(samples.invalid)) add(label, { headers: json, body: JSON.stringify(body) });
    for (const [label, { body, rule }] of Object.entries(samples.acrossFields ?? {}))
      add(label, { headers: json, body: JSON.stringify(body), acrossFields: rule });
    const first = JSON.stringify(Object.values(samples.valid)[0]);
    add("JSON with a charset", { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" }, body: first });
    add("sent as text/plain", { headers: { ...headers, "Content-Type": "text/plain" }, body: first });
    add("sent as a form (curl -d)", { headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: first });
    // A body that is no JSON never reaches the API: Prism's own parser answers it.
    add("sent with no Content-Type", { body: first });
  } else {
    add("as asked", {});
  }
  const queries = contract.query ? QUERIES.get(contract.query) : undefined;
  if (contract.query && !queries) throw new Error(`${name}: no sample queries for its query schema; add them to QUERIES`);
  for (const query of queries ?? []) add(`?${query}`, { target: `${pathFor()}?${query}` });
  add("an id that is no id", {
    target: pathFor({ userId: "no id!" }),
    ...(samples ? { headers: json, body: JSON.stringify(Object.values(samples.valid)[0]) } : {}),
  });
  // Under /admin, any claims are a Cognito user, whom the resource policy refuses.
  add(tree === "admin" ? "a Cognito user" : "someone else's claims", {
    headers: { ...(samples ? json : headers), [CLAIMS_HEADER]: JSON.stringify({ sub: "proxy-bob" }) },
    ...(samples ? { body: JSON.stringify(Object.values(samples.valid)[0]) } : {}),
  });
  return exchanges;
}

interface Samples {
  valid: Record<string, unknown>;
  invalid: Record<string, unknown>;
  /** Invalid by a rule across fields, which only the server can check: the body, and the rule. */
  acrossFields?: Record<string, { body: unknown; rule: string }>;
}

/** Bodies for each body schema a route takes. */
const BODIES = new Map<v.GenericSchema, Samples>([
  [
    RedemptionRequestSchema,
    {
      valid: { "a redemption": { redemptionId: "proxy-r-1", points: 10, rewardId: REWARD } },
      invalid: {
        "0 points": { redemptionId: "proxy-r-2", points: 0, rewardId: REWARD },
        "a fraction of a point": { redemptionId: "proxy-r-2", points: 1.5, rewardId: REWARD },
        "2^53 points": { redemptionId: "proxy-r-2", points: 2 ** 53, rewardId: REWARD },
        "no rewardId": { redemptionId: "proxy-r-2", points: 1 },
        "an id that is no id": { redemptionId: "proxy r 2", points: 1, rewardId: REWARD },
      },
    },
  ],
  [
    RewardDefinitionSchema,
    {
      // One codes mode for every valid body: a reward's mode is fixed once it exists.
      valid: {
        "a voucher with a pool of codes": {
          title: "€5 off",
          pointsCost: 10,
          kind: "voucher",
          value: { amount: 500, currency: "EUR" },
          codes: "pool",
        },
        "the same, with a window and a limit": {
          title: "€5 off",
          pointsCost: 10,
          kind: "voucher",
          value: { amount: 500, currency: "EUR" },
          codes: "pool",
          activeFrom: "2026-01-01T00:00:00Z",
          activeUntil: "2099-01-01T00:00:00Z",
          perCustomerLimit: 3,
        },
      },
      invalid: {
        "0 points": { title: "x", pointsCost: 0, kind: "free_shipping" },
        "a kind that is none": { title: "x", pointsCost: 10, kind: "coupon" },
        "an empty title": { title: "", pointsCost: 10, kind: "free_shipping" },
      },
      acrossFields: {
        "a voucher with no value": {
          body: { title: "x", pointsCost: 10, kind: "voucher" },
          rule: "`value` is required when `kind` is `voucher`",
        },
        "a window that ends before it starts": {
          body: {
            title: "x",
            pointsCost: 10,
            kind: "free_shipping",
            activeFrom: "2027-01-01T00:00:00Z",
            activeUntil: "2026-01-01T00:00:00Z",
          },
          rule: "`activeUntil` must be after `activeFrom`",
        },
      },
    },
  ],
  [
    CodesUploadSchema,
    {
      valid: { "two codes": { codes: ["PROXY-1", "PROXY-2"] } },
      invalid: {
        "no codes": { codes: [] },
        "a code with a space": { codes: ["PROXY 3"] },
        "a code that is no string": { codes: [3] },
        "1,001 codes": { codes: Array.from({ length: 1_001 }, (_, i) => `PROXY-X${i}`) },
      },
    },
  ],
  [
    AdjustmentRequestSchema,
    {
      valid: {
        "a grant whose reason is 500 emoji": { adjustmentId: "proxy-a-1", points: 25, reason: "🎁".repeat(500) },
        "a take": { adjustmentId: "proxy-a-2", points: -5, reason: "credited twice" },
      },
      invalid: {
        "a reason of 501 emoji": { adjustmentId: "proxy-a-3", points: 5, reason: "🎁".repeat(501) },
        "an empty reason": { adjustmentId: "proxy-a-3", points: 5, reason: "" },
        "0 points": { adjustmentId: "proxy-a-3", points: 0, reason: "nothing" },
        "2^53 points": { adjustmentId: "proxy-a-3", points: 2 ** 53, reason: "too many" },
        "allowNegative that is no boolean": { adjustmentId: "proxy-a-3", points: -5, reason: "x", allowNegative: "yes" },
      },
    },
  ],
]);

/** Query strings for each query schema a route takes. */
const QUERIES = new Map<v.GenericSchema, string[]>([
  [
    HistoryQuerySchema,
    [
      "limit=1",
      "limit=100",
      "limit=0100",
      "limit=0",
      "limit=101",
      "limit=1000",
      "limit=-1",
      "limit=1.5",
      "limit=ten",
      "cursor=bm90LWEtY3Vyc29y",
      "cursor=not%20a%20cursor",
      `cursor=${"a".repeat(1025)}`,
    ],
  ],
]);

/** The order a run asks the routes in: spending before cancelling, erasing last. */
const ORDER: Record<string, number> = { POST: 0, GET: 1, DELETE: 2 };
/** Asked before every other route: the reward the redemptions spend on, and its codes. */
const STOCKING: readonly RouteName[] = ["putReward", "uploadCodes"];

export function allExchanges(): Exchange[] {
  const names = Object.keys(ROUTE_CONTRACTS)
    .filter((name): name is RouteName => name in API_ROUTES)
    .sort((a, b) => {
      const rank = (name: RouteName) =>
        STOCKING.includes(name)
          ? STOCKING.indexOf(name) - STOCKING.length
          : (ORDER[API_ROUTES[name].method] ?? 1) * 10 + (ROUTE_CONTRACTS[name].body ? 0 : 1);
      return rank(a) - rank(b);
    });
  // Each route in the customer tree, then under /admin, before the next route.
  return names.flatMap((name) => [...exchangesOf(name, "customer"), ...exchangesOf(name, "admin")]);
}

/** `value[key]` when `value` is an object that has it. */
function field(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const found: unknown = Reflect.get(value, key);
  return found;
}

function violationsOf(header: string | null): Violation[] {
  if (header === null) return [];
  const parsed: unknown = JSON.parse(header);
  if (!Array.isArray(parsed)) return [];
  return parsed.map((violation: unknown) => {
    const location = field(violation, "location");
    return {
      location: Array.isArray(location) ? location.map(String) : [],
      severity: String(field(violation, "severity")),
      message: String(field(violation, "message")),
    };
  });
}

/** Sends `exchange` through Prism at `proxy` and judges it. */
async function judge(proxy: string, exchange: Exchange): Promise<Verdict> {
  const response = await fetch(`${proxy}${exchange.target}`, {
    method: exchange.method,
    headers: exchange.headers,
    ...(exchange.body === undefined ? {} : { body: new TextEncoder().encode(exchange.body) }),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    const error = field(field(JSON.parse(text), "error"), "code");
    code = typeof error === "string" ? error : undefined;
  } catch {
    code = undefined;
  }
  const violations = violationsOf(response.headers.get("sl-violations"));
  const ofRequest = violations.filter((violation) => violation.location[0] === "request");
  const ofResponse = violations.filter((violation) => violation.location[0] === "response");
  const verdict: Verdict = { exchange, status: response.status, code, violations };
  // Every answer of the API says no-store; one that does not is Prism's own, and judges nothing.
  if (response.headers.get("cache-control") !== "no-store") verdict.disagreement = "Prism answered itself: the API was not asked";
  else if (ofResponse.length > 0) verdict.disagreement = "the answer breaks the document";
  else if (ofRequest.length > 0 && response.status < 300) verdict.disagreement = "the server took a request the document refuses";
  else if (ofRequest.length === 0 && code !== undefined && MALFORMED.has(code) && exchange.acrossFields === undefined)
    verdict.disagreement = "the server refused as malformed a request the document admits";
  else if (exchange.acrossFields !== undefined && response.status !== 400)
    verdict.disagreement = `the server took a request that breaks a rule across fields: ${exchange.acrossFields}`;
  return verdict;
}

/** A child in a process group of its own, stopped with its whole tree whatever happens to this process. */
function startGroup(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} did not start`);
  const watchdog = watchdogFor(pid, { group: true });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {
          // already gone
        }
        const late = setTimeout(() => {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            // already gone
          }
        }, 10_000);
        await exited;
        clearTimeout(late);
      }
      watchdog.release();
    },
  };
}

async function waitFor(what: string, output: () => string, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const found = pattern.exec(output());
    if (found) return found;
  }
  throw new Error(`${what} did not start in ${timeoutMs} ms:\n${output()}`);
}

/** Runs every exchange through Prism in front of a fresh `npm start`; both are stopped whatever happens. */
export async function proxyCheck(): Promise<Verdict[]> {
  const runtime = startGroup(process.platform === "win32" ? "npm.cmd" : "npm", ["start"], { PORT: "0" });
  let prism: ReturnType<typeof startGroup> | undefined;
  try {
    const [, port] = await waitFor("npm start", runtime.output, /API \+ EventBridge PutEvents\s+http:\/\/127\.0\.0\.1:(\d+)/);
    await waitFor("npm start", runtime.output, /stops it cleanly/);
    const api = `http://127.0.0.1:${port}`;
    const proxyPort = await freePort();
    prism = startGroup(
      path.join(ROOT, "node_modules/.bin/prism"),
      ["proxy", OPENAPI_FILE, api, "--host", "127.0.0.1", "--port", String(proxyPort)],
      {},
    );
    await waitFor("prism", prism.output, /Prism is listening/);

    // Points to spend and take, through the platform's own door.
    const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: api });
    try {
      await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: "otrium.ecommerce",
              DetailType: DETAIL_TYPES.orderCompleted,
              Detail: JSON.stringify({
                orderId: "proxy-o-1",
                userId: USER,
                total: { amount: 5000, currency: "EUR" },
                completedAt: "2026-11-24T10:00:00Z",
              }),
            },
          ],
        }),
      );
    } finally {
      eventBridge.destroy();
    }
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      const balance: unknown = await (await fetch(`${api}/points/${USER}`)).json();
      if (field(balance, "balance") === 50) break;
    }

    const proxy = `http://127.0.0.1:${proxyPort}`;
    const verdicts: Verdict[] = [];
    for (const exchange of allExchanges()) verdicts.push(await judge(proxy, exchange));
    return verdicts;
  } finally {
    await prism?.stop();
    await runtime.stop();
  }
}

if (require.main === module) {
  proxyCheck()
    .then((verdicts) => {
      for (const { exchange, status, code, violations, disagreement } of verdicts) {
        const said = [
          ...violations.map((violation) => `prism: ${violation.location.join(".")}: ${violation.message}`),
          ...(exchange.acrossFields ? [`server only: ${exchange.acrossFields}`] : []),
        ].join("; ");
        console.log(
          `${disagreement ? "DISAGREE" : "agree   "} ${exchange.method} ${exchange.target.slice(0, 60)} (${exchange.label.slice(0, 60)}) → ${status}${code ? ` ${code}` : ""}${said ? ` | ${said}` : ""}${disagreement ? ` | ${disagreement}` : ""}`,
        );
      }
      const disagreements = verdicts.filter((verdict) => verdict.disagreement !== undefined).length;
      console.log(`api:proxy-check: ${verdicts.length} exchanges through Prism, ${disagreements} disagreements`);
      process.exitCode = disagreements === 0 ? 0 : 1;
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
