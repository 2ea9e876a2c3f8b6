/**
 * The README's worked example of tiers is what the code answers: each row of its table is
 * replayed at its instant through the real writer (orders and refunds) and the reader's route on
 * DynamoDB Local, with prod's lifecycle and tiers, and every figure of the row is compared.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import test from "ava";
import * as v from "valibot";
import { parseStackConfig } from "../config/stack-config";
import { readStackFile } from "../config/stack-file";
import { EarnEntrySchema } from "../handlers/domain/ledger-entries";
import { orderSk, userPk } from "../handlers/domain/ledger-keys";
import { createReadApi } from "../handlers/reader/read-api";
import { createLogger } from "../handlers/runtime/log";
import { required } from "../harness/required";
import { balanceRequest } from "./support/api-events";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { createLifecycleRig } from "./support/lifecycle-harness";

const dynamo = useDynamoLocal();
const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const PROD = parseStackConfig(readStackFile("prod"));
const USER = "readme-ana";

/** The README's section `heading`, up to the next one. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf("\n## ", start + 1);
  return start === -1 ? "" : readme.slice(start, end === -1 ? undefined : end);
}

/** `1,187` → 1187; `−500` → -500. */
const count = (text: string): number => Number(text.replace(/,/g, "").replace("−", "-"));
/** `€950.00` → 95000 cents. */
const cents = (text: string): number => Math.round(Number(text.replace(/[€,]/g, "")) * 100);
const instant = (when: string): string => new Date(`${when.replace(" ", "T")}:00.000Z`).toISOString();
const midnight = (day: string): string => `${day}T00:00:00.000Z`;

interface Row {
  when: string;
  what: string;
  earned: string;
  level: string;
  qualifying: string;
  next: string;
  keep: string;
}

/** The worked example's rows (the table whose header starts `| when (UTC) |`). */
function exampleRows(): Row[] {
  const lines = section("Tiers")
    .split("\n")
    .filter((line) => line.startsWith("| "));
  const header = lines.findIndex((line) => line.startsWith("| when (UTC) |"));
  return lines.slice(header + 2).map((line) => {
    const [when = "", what = "", earned = "", level = "", qualifying = "", next = "", keep = ""] = line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim());
    return { when, what, earned, level, qualifying, next, keep };
  });
}

test("the README's worked example of tiers is what the writer and the reader do, figure by figure", async (t) => {
  const rows = exampleRows();
  t.true(rows.length >= 10, `${rows.length} rows`);
  const harness = await createHarness(dynamo);
  const rig = createLifecycleRig(harness, PROD.lifecycle, "2026-01-01T00:00:00.000Z", { tiers: required(PROD.tiers, "prod's tiers") });
  const read = createReadApi({
    ledger: rig.ledger,
    rewards: harness.catalogue,
    logger: createLogger("error", () => {}),
    allowedOrigins: [],
    now: rig.now,
  });
  const earnEntry = async (orderId: string) => {
    const key = { pk: userPk(USER), sk: orderSk(orderId) };
    return v.parse(EarnEntrySchema, (await harness.documents.send(new GetCommand({ TableName: harness.tableName, Key: key }))).Item);
  };

  for (const row of rows) {
    const at = instant(row.when);
    rig.at(at);
    const order = /^order ([A-Z]), (€[\d,]+\.\d\d), completed$/.exec(row.what);
    const refund = /^(€[\d,]+\.\d\d) of ([A-Z]) refunded$/.exec(row.what);
    const released = /^([A-Z])'s points released$/.exec(row.what);
    const earned = /^(−?[\d,]+) \(×([\d.]+)\)$/.exec(row.earned);
    if (order) {
      const [, orderId = "", amount = ""] = order;
      t.deepEqual(await rig.order({ orderId, userId: USER, amount: cents(amount), completedAt: at }), [], row.when);
      const entry = await earnEntry(orderId);
      t.deepEqual([entry.points, entry.multiplier], [count(earned?.[1] ?? "NaN"), Number(earned?.[2])], `${row.when}: earned`);
    } else if (refund) {
      const [, amount = "", orderId = ""] = refund;
      const refundId = `r-${row.when.replace(/\D/g, "")}`;
      t.deepEqual(await rig.refund({ orderId, userId: USER, refundId, amount: cents(amount), refundedAt: at }), [], row.when);
      t.deepEqual(rig.outcomes().at(-1), ["reversed", -count(earned?.[1] ?? "NaN")], `${row.when}: taken back`);
      t.is((await earnEntry(orderId)).multiplier, Number(earned?.[2]), `${row.when}: at the order's multiplier`);
    } else {
      t.is(row.earned, "", `${row.when}: nothing earned`);
      // A release row is the instant its order's base points count from.
      if (released) t.is((await earnEntry(released[1] ?? "")).qualifiesFrom, at, `${row.when}: ${row.what}`);
    }

    const response = await read(balanceRequest(USER, { claims: { sub: USER } }));
    const { tier } = JSON.parse(response.body) as { tier?: Record<string, unknown> };
    const [name = "", since, until] = /^(\w+)(?:, (\d{4}-\d\d-\d\d) → (\d{4}-\d\d-\d\d))?$/.exec(row.level)?.slice(1) ?? [];
    const next = /^(\w+): ([\d,]+) more$/.exec(row.next);
    t.deepEqual(
      tier,
      {
        name,
        since: since === undefined ? null : midnight(since),
        until: until === undefined ? null : midnight(until),
        qualifyingPoints: count(row.qualifying),
        next: next ? { name: next[1], pointsNeeded: count(next[2] ?? "") } : row.next === "none" ? null : `unreadable: ${row.next}`,
        pointsToKeep: count(row.keep),
      },
      `${row.when}: ${row.what}`,
    );
  }
});
