/**
 * The ledger's transactions are read by the names of their items: a failed guard is found by
 * its name wherever the item stands, so an item added to a transaction changes no other's meaning.
 * Against DynamoDB Local.
 */
import test from "ava";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  failed,
  failedAmong,
  failedOnly,
  named,
  oldItemOf,
  putNewEntry,
  transactWrite,
  type NamedItem,
} from "../handlers/ledger/transactions";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

const absent = (tableName: string, pk: string): NamedItem<"absent"> => ({
  name: "absent",
  item: { ConditionCheck: { TableName: tableName, Key: { pk, sk: "X" }, ConditionExpression: "attribute_not_exists(pk)" } },
});

test("a failed guard is read by its item's name, wherever the item stands", async (t) => {
  const { tableName, documents } = await createHarness(dynamo);
  const taken = { pk: "USER#u-1", sk: "ORDER#o-1", points: 7 };
  await transactWrite(documents, [{ name: "seed", item: putNewEntry(tableName, taken) }]);

  const entry: NamedItem<"entry"> = { name: "entry", item: putNewEntry(tableName, taken, true) };
  const fresh: NamedItem<"fresh"> = { name: "fresh", item: putNewEntry(tableName, { pk: "USER#u-1", sk: "ORDER#o-2" }) };
  for (const items of [
    [entry, fresh],
    [fresh, entry],
    [absent(tableName, "USER#u-9"), fresh, entry],
  ]) {
    const result = await transactWrite(documents, items);
    t.false(result.written);
    t.true(failed(result, "entry"));
    t.false(failed(result, "fresh"));
    t.true(failedOnly(result, "entry"));
    t.deepEqual(oldItemOf(result, "entry"), taken, "the item as it stood, asked for by its guard");
    t.is(oldItemOf(result, "fresh"), undefined);
  }
  // Nothing of the cancelled transactions was written.
  t.is((await documents.send(new GetCommand({ TableName: tableName, Key: { pk: "USER#u-1", sk: "ORDER#o-2" } }))).Item, undefined);
});

test("a group of items shares a name: which of them failed is told by their order within the group", async (t) => {
  const { tableName, documents } = await createHarness(dynamo);
  await transactWrite(documents, [{ name: "seed", item: putNewEntry(tableName, { pk: "USER#u-2", sk: "DAY#2" }) }]);
  const days = ["DAY#1", "DAY#2", "DAY#3"].map((sk) => putNewEntry(tableName, { pk: "USER#u-2", sk }));
  const result = await transactWrite(documents, [absent(tableName, "USER#u-8"), ...named("days", days)]);
  t.deepEqual(failedAmong(result, "days"), [1]);
  t.false(failed(result, "absent"));
  t.true(failedOnly(result, "days"));
});

test("a transaction that writes is written, and no guard of it failed", async (t) => {
  const { tableName, documents } = await createHarness(dynamo);
  const result = await transactWrite(documents, [
    { name: "entry", item: putNewEntry(tableName, { pk: "USER#u-3", sk: "ORDER#o-1" }) },
    absent(tableName, "USER#u-3"),
  ]);
  t.true(result.written);
  t.false(failed(result, "entry"));
  t.false(failedOnly(result, "entry"));
  t.deepEqual(failedAmong(result, "absent"), []);
});
