/**
 * A hot reward on DynamoDB Local: thousands of customers redeem one voucher whose codes were
 * uploaded by the thousand, many at once, through several redeemers (as many Lambda instances,
 * each with its own cache of free codes), with the reward's units in 1 shard and in the stores'
 * shard count. Measures redemptions/s, the requests and write units each success cost, and the
 * transactions tried per success (a claim lost to another redeemer is tried again). Fails, rather
 * than reporting, if a code went out twice or the codes handed out are not exactly the redemptions.
 *
 * DynamoDB Local runs one transaction at a time, so it never shows DynamoDB's TransactionConflict
 * on a shared item: what the shards remove in AWS (transactions on one counter item queueing and
 * conflicting) does not show here; what shows is how often redeemers pick a code another took.
 */
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { userPk } from "../handlers/domain/ledger-keys";
import { REWARD_SHARDS } from "../handlers/domain/reward-keys";
import { DynamoRedemptions } from "../handlers/ledger/dynamo-redemptions";
import { DynamoRewards } from "../handlers/ledger/dynamo-rewards";
import { createTableInput } from "../handlers/ledger/table";
import { createDocumentClient } from "../handlers/runtime/dynamo-client";
import { forEachLimited } from "../handlers/runtime/limited-concurrency";
import { startDynamoLocal } from "../local/dynamo-local";
import { instrumentedClient, resetTotals } from "./capacity-client";
import { QUICK } from "./scale";

export interface HotRewardFigures {
  shards: number;
  codes: number;
  customers: number;
  inFlight: number;
  redeemers: number;
  redeemed: number;
  unavailable: number;
  seconds: number;
  perSecond: number;
  requestsPerRedemption: number;
  transactionsPerRedemption: number;
  queriesPerRedemption: number;
  writeUnitsPerRedemption: number;
}

export interface HotRewardOptions {
  codes: number;
  /** Customers, one redemption each: more than the codes, so the last ones find none. */
  customers: number;
  inFlight: number;
  redeemers: number;
}

const NOW = new Date("2026-11-24T12:00:00.000Z");

export async function measureHotReward(endpoint: string, shards: number, options: HotRewardOptions): Promise<HotRewardFigures> {
  const { client, totals } = instrumentedClient(endpoint);
  const documents = createDocumentClient(client);
  const tableName = `hot-reward-${randomUUID()}`;
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    const rewards = new DynamoRewards(documents, tableName, { shards });
    const voucher = { title: "€5 off", pointsCost: 50, kind: "voucher", value: { amount: 500, currency: "EUR" }, codes: "pool" } as const;
    await rewards.put("hot", voucher, NOW);
    const codes = Array.from({ length: options.codes }, (_, i) => `HOT-${String(i).padStart(6, "0")}`);
    for (let start = 0; start < codes.length; start += 1_000) await rewards.uploadCodes("hot", codes.slice(start, start + 1_000), NOW);
    // Each customer holds 100 points (a balance item as the ledger keeps one without lots).
    const customers = Array.from({ length: options.customers }, (_, i) => `hot-${i}`);
    for (let start = 0; start < customers.length; start += 25) {
      const items = customers.slice(start, start + 25).map((userId) => ({
        PutRequest: { Item: { pk: userPk(userId), sk: "BALANCE", balance: 100, lifetimeEarned: 100, updatedAt: NOW.toISOString() } },
      }));
      await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
    }

    const redeemers = Array.from({ length: options.redeemers }, () => new DynamoRedemptions(documents, tableName, { shards }));
    resetTotals(totals);
    const outcomes: string[] = [];
    const handedOut: string[] = [];
    const started = process.hrtime.bigint();
    await forEachLimited(
      customers.map((userId, i) => ({ userId, i })),
      options.inFlight,
      async ({ userId, i }) => {
        const redeemer = redeemers[i % redeemers.length];
        if (!redeemer) throw new Error("no redeemer");
        const result = await redeemer.redeem(userId, { redemptionId: "r-1", rewardId: "hot" }, () => NOW);
        outcomes.push(result.outcome);
        if (result.outcome === "redeemed" && result.entry.code !== undefined) handedOut.push(result.entry.code);
      },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const redeemed = outcomes.filter((outcome) => outcome === "redeemed").length;
    const unavailable = outcomes.filter((outcome) => outcome === "unavailable").length;
    if (new Set(handedOut).size !== handedOut.length) throw new Error("a code was handed out twice");
    if (redeemed !== Math.min(options.codes, options.customers) || handedOut.length !== redeemed) {
      throw new Error(
        `${redeemed} redemptions for ${options.codes} codes and ${options.customers} customers, ${handedOut.length} codes out`,
      );
    }
    if (redeemed + unavailable !== outcomes.length) throw new Error(`unexpected outcomes: ${[...new Set(outcomes)].join(", ")}`);
    const per = (count: number | undefined) => (count ?? 0) / redeemed;
    return {
      shards,
      ...options,
      redeemed,
      unavailable,
      seconds,
      perSecond: redeemed / seconds,
      // Every request of the run, the refusals' reads included, per success.
      requestsPerRedemption: per(totals.requests),
      transactionsPerRedemption: per(totals.byOperation.TransactWriteItems),
      queriesPerRedemption: per(totals.byOperation.Query),
      writeUnitsPerRedemption: per(totals.writeUnits),
    };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  }
}

/** The shard counts compared: one (every redemption on one counter item) and the stores' own. */
export const HOT_REWARD_SHARDS = [1, REWARD_SHARDS] as const;

/** The full-size run: thousands of codes, more customers than codes, many redemptions at once. */
export const HOT_REWARD_RUN: HotRewardOptions = { codes: 2_000, customers: 2_200, inFlight: 32, redeemers: 8 };

/**
 * Both shard counts, each on a DynamoDB Local of its own: both in one JVM did not end within 500 s
 * (over 5 minutes of DynamoDB Local's own CPU, 16 s of ours) where each alone in a fresh one takes
 * under one minute, and the figures would measure DynamoDB Local, not the store.
 */
export async function measureHotRewards(): Promise<HotRewardFigures[]> {
  const options = QUICK ? { codes: 300, customers: 330, inFlight: 16, redeemers: 4 } : HOT_REWARD_RUN;
  const figures: HotRewardFigures[] = [];
  for (const shards of HOT_REWARD_SHARDS) {
    const dynamo = await startDynamoLocal();
    try {
      figures.push(await measureHotReward(dynamo.endpoint, shards, options));
    } finally {
      await dynamo.stop();
    }
  }
  return figures;
}

/** The section of the results: one row per shard count, and what the stores' count gains over one. */
export function hotRewardMarkdown(figures: readonly HotRewardFigures[]): string[] {
  const [first] = figures;
  if (!first) return [];
  const rows = figures.map(
    (f) =>
      `| ${f.shards} | ${Math.round(f.perSecond)} | ${f.requestsPerRedemption.toFixed(2)} | ${f.transactionsPerRedemption.toFixed(2)} | ${f.queriesPerRedemption.toFixed(3)} | ${f.writeUnitsPerRedemption.toFixed(1)} | ${f.redeemed} | ${f.unavailable} | ${f.seconds.toFixed(1)} s |`,
  );
  const one = figures.find((f) => f.shards === 1);
  const most = figures.at(-1);
  return [
    `${first.codes.toLocaleString("en")} single-use codes of one voucher, ${first.customers.toLocaleString("en")} customers redeeming it once each, ${first.inFlight} at a time through ${first.redeemers} redeemers (as many Lambda instances, each caching free codes). Every code went out once; the customers past the codes got \`reward_unavailable\`. Requests, transactions, queries and write units are per successful redemption, counting every request of the run (refusals' reads, retries, cache loads). DynamoDB Local runs one transaction at a time: it shows lost claims, never DynamoDB's TransactionConflict on a shared item, which is what the shards spread in AWS.`,
    "",
    "| shards | redemptions/s | requests / redemption | transactions / redemption | queries / redemption | write units / redemption | redeemed | reward_unavailable | time |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    ...(one && most && most !== one
      ? [
          `${most.shards} shards / 1 shard: redemptions/s ${(most.perSecond / one.perSecond).toFixed(2)}×, transactions per redemption ${(most.transactionsPerRedemption / one.transactionsPerRedemption).toFixed(2)}×`,
          "",
        ]
      : []),
  ];
}
