/**
 * The tiers on the balance item, on a real DynamoDB (DynamoDB Local): what a write moves (`ADD`
 * to buckets, `REMOVE` of the ones the window passed, `SET` of the state) read back by one
 * `GetItem` is the book the domain computed, beside the lots, which read as before; past a whole
 * window the item stops growing.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import test from "ava";
import { BALANCE_SK, userPk } from "../handlers/domain/ledger-keys";
import { DAY_MS, dayOf, lotDatesFor, midnightOf } from "../handlers/domain/lifecycle";
import { bucketAttribute, tierReleaseOf } from "../handlers/domain/tier-buckets";
import { creditOrder, NEW_TIER_BOOK, refundOrder, type TierBook } from "../handlers/domain/tier-state";
import { CorruptLedgerItemError } from "../handlers/domain/errors";
import { balanceState } from "../handlers/ledger/balance-item";
import { itemBytes } from "../handlers/ledger/item-size";
import { TIER_STATE_ATTRIBUTE, tierBookOf, tierItemChange } from "../handlers/ledger/tier-item";
import { createHarness, type Harness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";
import { otriumTiers } from "./support/otrium-tiers";

const dynamo = useDynamoLocal();

const TIERS = otriumTiers();
const PROD = { pendingDays: 30, expiryDays: 365 };

/** Sends what turns `before` into `after` as one `UpdateItem`, as a planned write of the ledger would. */
async function write(harness: Harness, userId: string, before: TierBook, after: TierBook): Promise<void> {
  const change = tierItemChange(before, after);
  const names: Record<string, string> = { "#state": TIER_STATE_ATTRIBUTE };
  const values: Record<string, unknown> = { ":state": change.state };
  const adds = change.deltas.map(([attribute, delta], index) => {
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = delta;
    return `#a${index} :a${index}`;
  });
  const removes = change.remove.map((attribute, index) => {
    names[`#r${index}`] = attribute;
    return `#r${index}`;
  });
  await harness.documents.send(
    new UpdateCommand({
      TableName: harness.tableName,
      Key: { pk: userPk(userId), sk: BALANCE_SK },
      UpdateExpression: [
        "SET #state = :state",
        adds.length > 0 ? `ADD ${adds.join(", ")}` : "",
        removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
      ].join(" "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

const read = async (harness: Harness, userId: string) =>
  (await harness.documents.send(new GetCommand({ TableName: harness.tableName, Key: { pk: userPk(userId), sk: BALANCE_SK } }))).Item;

const sorted = (book: TierBook): TierBook => ({
  state: book.state,
  buckets: [...book.buckets].sort((a, b) => bucketAttribute(a).localeCompare(bucketAttribute(b))),
});

test("an item without tiers reads as a customer at the first level from the start; a broken state names the item", async (t) => {
  const harness = await createHarness(dynamo);
  t.deepEqual(tierBookOf(undefined), NEW_TIER_BOOK);
  await harness.documents.send(
    new PutCommand({ TableName: harness.tableName, Item: { pk: userPk("u-1"), sk: BALANCE_SK, lifetimeEarned: 5, "lot_-_-": 5 } }),
  );
  t.deepEqual(tierBookOf(await read(harness, "u-1")), NEW_TIER_BOOK);
  const broken = { pk: userPk("u-2"), sk: BALANCE_SK, lifetimeEarned: 0, [TIER_STATE_ATTRIBUTE]: { asOf: 1, periods: [], changes: [] } };
  t.throws(() => tierBookOf(broken), {
    instanceOf: CorruptLedgerItemError,
    message: /USER#u-2 BALANCE cannot be read: tierState\.periods/,
  });
});

test("500 days of daily orders and refunds, past a whole window: what the writes leave on the item, read by one GetItem, is the domain's book, beside untouched lots", async (t) => {
  const harness = await createHarness(dynamo);
  await harness.documents.send(
    new PutCommand({
      TableName: harness.tableName,
      Item: { pk: userPk("u-1"), sk: BALANCE_SK, lifetimeEarned: 40, "lot_2026-01-01_2027-01-01": 40, version: 3 },
    }),
  );
  let book: TierBook = NEW_TIER_BOOK;
  const start = Date.parse("2026-01-01T10:00:00Z");
  const released: Array<{ completedDay: string; releasedAt: number }> = [];
  let largest = 0;
  const DAYS = 500;
  for (let day = 0; day < DAYS; day += 1) {
    const now = start + day * DAY_MS;
    const lot = lotDatesFor(new Date(now).toISOString(), PROD);
    const order = { completedDay: dayOf(now), completedAt: now, releasedAt: tierReleaseOf(midnightOf(lot.availableDay ?? ""), now) };
    released.push(order);
    const credited = creditOrder(TIERS, book, { ...order, basePoints: 3 + (day % 5) }, now).book;
    await write(harness, "u-1", book, credited);
    book = credited;
    if (day % 4 === 0 && day >= 10) {
      const refunded = refundOrder(TIERS, book, { ...(released[day - 10] ?? order), basePoints: 1 }, now + 3600_000);
      await write(harness, "u-1", book, refunded);
      book = refunded;
    }
    if (day % 25 === 0 || day === DAYS - 1) {
      const item = await read(harness, "u-1");
      largest = Math.max(largest, item ? itemBytes(item) : 0);
      t.deepEqual(sorted(tierBookOf(item)), sorted(book), `day ${day}`);
    }
  }
  const item = await read(harness, "u-1");
  t.deepEqual(balanceState(item).holding.lots, [
    { attribute: "lot_2026-01-01_2027-01-01", availableDay: "2026-01-01", expiresDay: "2027-01-01", points: 40 },
  ]);
  t.true(book.buckets.length <= 366, `${book.buckets.length} buckets`);
  t.log(`${book.buckets.length} buckets, ${book.state.changes.length} changes kept; largest item ${largest} bytes`);
  t.true(largest < 12_000, `${largest} bytes`);
});
