/**
 * What `npm run backfill` is given. Every mistake is found at once and reported one line each,
 * naming the flag, before any file is read or anything is sent (exit code 2, with the usage line).
 */
import { parseArgs } from "node:util";
import * as v from "valibot";
import { EventBusNameSchema } from "../../config/ingest-settings";
import { UsageError } from "../../cli/usage-error";

export const USAGE =
  "usage: npm run backfill -- --file <orders.jsonl> [--stack <name>] [--endpoint <url>] [--bus <name|arn>] [--rate <events/s>] [--from-line <n>] [--skip-invalid]";

export interface BackfillOptions {
  file: string;
  /** The stack whose `Pulumi.<stack>.yaml` gives the source, the bus, the region and the earn rules. */
  stack: string;
  /** An EventBridge-compatible endpoint (the local runtime's); AWS's own when absent. */
  endpoint?: string;
  /** A bus name or ARN instead of the stack's `eventBusName`. */
  bus?: string;
  /** Most events per second; as fast as PutEvents answers when absent. */
  rate?: number;
  /** The first line to read: where an interrupted run stopped. */
  fromLine: number;
  /** Send the valid lines even when some are not. */
  skipInvalid: boolean;
}

/** The local runtime runs the dev stack's settings, so they are the default; a deployed stack is named on purpose. */
export const DEFAULT_STACK = "dev";

const OPTIONS = {
  file: { type: "string" },
  stack: { type: "string" },
  endpoint: { type: "string" },
  bus: { type: "string" },
  rate: { type: "string" },
  "from-line": { type: "string" },
  "skip-invalid": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type OptionName = keyof typeof OPTIONS;

const isOptionName = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/** A cross-account publisher names the bus by ARN; PutEvents accepts either. */
const EventBusArnSchema = v.pipe(
  v.string(),
  v.regex(/^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]{1,256}$/, "must be an event bus name or ARN"),
);

const checks: Partial<Record<OptionName, (text: string) => string | undefined>> = {
  file: (text) => (text === "" ? "must be the path of a file of events, one per line" : undefined),
  stack: (text) => (/^[\w.-]+$/.test(text) ? undefined : "must be a stack name like dev or prod"),
  endpoint: (text) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    return url && (url.protocol === "http:" || url.protocol === "https:") ? undefined : "must be an http(s) URL like http://127.0.0.1:3000";
  },
  bus: (text) => (v.is(EventBusNameSchema, text) || v.is(EventBusArnSchema, text) ? undefined : "must be an event bus name or ARN"),
  rate: (text) => (/^\d+(\.\d+)?$/.test(text) && Number(text) > 0 ? undefined : "must be a number of events per second above 0"),
  "from-line": (text) => (/^\d+$/.test(text) && Number(text) >= 1 ? undefined : "must be a line number, 1 or more"),
};

/**
 * The options of one run, `"help"` when asked for it, or a `UsageError` listing every problem.
 * `env` is where npm leaves flags written before `--`, which it keeps for itself.
 */
export function parseBackfillArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): BackfillOptions | "help" {
  // `npm run backfill --help` shows npm's own help and never gets here.
  const misplaced = Object.keys(OPTIONS)
    .filter((name) => name !== "help")
    .filter((name) => env[`npm_config_${name.replace(/-/g, "_")}`] !== undefined);
  if (misplaced.length > 0) {
    throw new UsageError(
      `npm run backfill takes its options after \`--\` (npm kept ${misplaced.map((name) => `--${name}`).join(", ")} for itself): npm run backfill -- --file <orders.jsonl>`,
    );
  }

  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const problems: string[] = [];
  const given = new Map<OptionName, string>();
  for (const token of tokens) {
    if (token.kind === "positional") {
      problems.push(`unexpected argument ${JSON.stringify(token.value)} (every value follows its option, e.g. --file <path>)`);
      continue;
    }
    if (token.kind !== "option") continue;
    if (!isOptionName(token.name)) {
      problems.push(`unknown option ${token.rawName}`);
      continue;
    }
    const name = token.name;
    if (given.has(name)) {
      problems.push(`--${name} is given twice`);
      continue;
    }
    if (OPTIONS[name].type === "boolean") {
      if (token.value !== undefined) problems.push(`--${name} takes no value (found ${JSON.stringify(token.value)})`);
      given.set(name, "");
      continue;
    }
    // `--file --rate 5` would otherwise read "--rate" as the file.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
      problems.push(`--${name} needs a value`);
      continue;
    }
    given.set(name, token.value);
  }
  if (given.has("help")) return "help";

  for (const [name, text] of given) {
    const problem = checks[name]?.(text);
    if (problem) problems.push(`--${name} ${problem} (found ${JSON.stringify(text)})`);
  }
  const file = given.get("file");
  if (file === undefined && !problems.some((problem) => problem.startsWith("--file "))) problems.push("--file is required");
  if (problems.length > 0 || file === undefined) throw new UsageError(problems.join("\n"));

  const rate = given.get("rate");
  const endpoint = given.get("endpoint");
  const bus = given.get("bus");
  return {
    file,
    stack: given.get("stack") ?? DEFAULT_STACK,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(bus === undefined ? {} : { bus }),
    ...(rate === undefined ? {} : { rate: Number(rate) }),
    fromLine: Number(given.get("from-line") ?? 1),
    skipInvalid: given.has("skip-invalid"),
  };
}
