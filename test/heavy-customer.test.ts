/**
 * The heavy customer: an order every day for well over a year with the production lifecycle (30
 * pending days, 365 expiry days), written through the real writer on DynamoDB Local. The balance item
 * must stay bounded however many orders a customer places: lots are keyed by their release day
 * (a fixed config makes the expiry day follow from it), so the item holds at most one lot per
 * day from the oldest unexpired release (365 days back) to the latest pending one (31 days
 * ahead, midnight rounding included), plus the expired lots the settle has not yet taken off.
 * No return window closes here: a close that releases early adds the lot of its release day and
 * its order's expiry day, which this bound leaves out (see the README's costs).
 * Here the settle runs every SETTLE_EVERY days (it takes every expired lot off when it visits,
 * so running late is correct) rather than daily, to keep the run short; the bound allows for it.
 */
import test from "ava";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { DAY_MS, dayOf, lotDatesOf } from "../handlers/domain/lifecycle";
import { itemBytes } from "../handlers/ledger/item-size";
import { createHarness } from "./support/dynamo-harness";
import { createLifecycleRig } from "./support/lifecycle-harness";
import { orderCompleted, sqsBatch, sqsRecord } from "./support/events";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

const PROD = { pendingDays: 30, expiryDays: 365 };
/**
 * The bound is reached once every release day of the window (31 days ahead, 365 back) holds a
 * lot: after 397 days of daily orders. 450 days of one order each reach it and hold it through
 * two settles; more days only repeat that, and more orders per day only make each lot's number
 * larger (a few digits, a few bytes). `npm run bench` runs the full heavy customer (10,000 orders
 * over three years, settled daily); HEAVY_ORDERS and HEAVY_DAYS run a larger one here.
 */
const DAYS = Number(process.env.HEAVY_DAYS ?? 450);
const ORDERS = Number(process.env.HEAVY_ORDERS ?? DAYS);
const SETTLE_EVERY = 30;

test(`${ORDERS} orders over ${DAYS} days, some every day: the balance item stays bounded, its size and read units measured`, async (t) => {
  t.timeout(600_000);
  const harness = await createHarness(dynamo);
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const rig = createLifecycleRig(harness, PROD, new Date(start).toISOString());
  const read = async () =>
    await harness.documents.send(
      new GetCommand({
        TableName: harness.tableName,
        Key: { pk: "USER#heavy", sk: "BALANCE" },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
  const lotsOf = (item: Record<string, unknown> | undefined) =>
    Object.keys(item ?? {}).filter((name) => lotDatesOf(name) !== undefined).length;
  const bound = PROD.pendingDays + 1 + PROD.expiryDays + 1;

  const began = Date.now();
  let written = 0;
  let mostLots = 0;
  for (let day = 0; day < DAYS && written < ORDERS; day++) {
    // Spread the orders evenly over the days, at various hours of each.
    const upTo = Math.min(ORDERS, Math.round(((day + 1) * ORDERS) / DAYS));
    const records = [];
    for (; written < upTo; written++) {
      const completedAt = new Date(start + day * DAY_MS + ((written * 7919) % DAY_MS)).toISOString();
      records.push(
        sqsRecord(
          orderCompleted({ orderId: `o-${written}`, userId: "heavy", amount: 1_000 + (written % 50) * 100, completedAt }),
          `m-${written}`,
        ),
      );
    }
    rig.at(new Date(start + (day + 1) * DAY_MS - 1).toISOString());
    if (records.length > 0) t.deepEqual((await rig.write(sqsBatch(...records))).batchItemFailures, []);
    if (day % SETTLE_EVERY === SETTLE_EVERY - 1) {
      mostLots = Math.max(mostLots, lotsOf((await read()).Item));
      await rig.settle.settleDay(dayOf(start + day * DAY_MS), rig.now());
    }
  }
  const writing = Date.now() - began;
  t.is(written, ORDERS);
  // The last expiry day of the run, settled: what the item holds with a daily settle.
  await rig.settle.settleDay(dayOf(start + (DAYS - 1) * DAY_MS), rig.now());
  const { Item, ConsumedCapacity } = await read();
  const lots = lotsOf(Item);
  const bytes = itemBytes(Item ?? {});
  t.log(`${ORDERS} orders over ${DAYS} days written in ${(writing / 1000).toFixed(1)} s`);
  t.log(
    `balance item after the settle: ${lots} lots, ${bytes} bytes, consistent GetItem ${String(ConsumedCapacity?.CapacityUnits ?? "n/a")} read units (${Math.ceil(bytes / 4096)} by size)`,
  );
  t.log(`most lots before a settle (settled every ${SETTLE_EVERY} days): ${mostLots}`);
  t.true(mostLots >= bound, `the window filled (${mostLots} lots before a settle): the bound is held, not just never reached`);
  t.true(lots <= bound, `${lots} lots, bound ${bound}`);
  t.true(mostLots <= bound + SETTLE_EVERY, `${mostLots} lots before a settle, bound ${bound + SETTLE_EVERY}`);
  t.true(bytes < 64 * 1024, "far below DynamoDB's 400 KB item limit, and a balance read stays a few read units");
  const balance = await rig.balance("heavy");
  t.true(Number.isSafeInteger(balance.balance) && balance.balance > 0 && balance.pending > 0);
});
