/**
 * Every retry of the codebase is bounded and jittered: the one helper's rules, and the loop that
 * once retried forever (an erasure's deletes DynamoDB leaves unprocessed), against DynamoDB Local.
 */
import test from "ava";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { erasedPk, TOMBSTONE_SK } from "../handlers/domain/ledger-keys";
import { DynamoErasure } from "../handlers/ledger/dynamo-erasure";
import { AGAIN, pauseMs, retrying, type RetryPolicy, type Try } from "../handlers/runtime/retry";
import { createHarness } from "./support/dynamo-harness";
import { useDynamoLocal } from "./support/dynamo-local-per-file";

const dynamo = useDynamoLocal();

const POLICY: RetryPolicy = { tries: 4, firstPauseMs: 100, maxPauseMs: 300 };

/** Sleeps that only record how long they were asked to be. */
function recordedSleeps() {
  const pauses: number[] = [];
  return { pauses, sleep: async (ms: number) => void pauses.push(ms) };
}

class GaveUp extends Error {}

test("a try that asks again is tried again after a jittered pause, up to the stated tries, then the caller's error", async (t) => {
  const { pauses, sleep } = recordedSleeps();
  const tries: Try[] = [];
  const error = await t.throwsAsync(
    retrying(
      POLICY,
      async (current) => {
        tries.push(current);
        return AGAIN;
      },
      { sleep, random: () => 0.5, exhausted: (count) => new GaveUp(`gave up after ${count} tries`) },
    ),
    { instanceOf: GaveUp },
  );
  t.is(error?.message, "gave up after 4 tries");
  t.deepEqual(tries, [
    { number: 1, last: false },
    { number: 2, last: false },
    { number: 3, last: false },
    { number: 4, last: true },
  ]);
  t.deepEqual(pauses, [50, 100, 150], "half of a ceiling that doubles from 100 ms, capped at 300 ms; no pause before the first try");
});

test("the first answer is returned at once; an error of a try ends the run untried", async (t) => {
  const { pauses, sleep } = recordedSleeps();
  let calls = 0;
  t.is(
    await retrying(
      POLICY,
      async ({ number }) => {
        calls++;
        return number < 3 ? AGAIN : `done at ${number}`;
      },
      { sleep, exhausted: () => new GaveUp() },
    ),
    "done at 3",
  );
  t.is(calls, 3);
  t.is(pauses.length, 2);

  calls = 0;
  await t.throwsAsync(
    retrying(
      POLICY,
      async () => {
        calls++;
        throw new RangeError("broken");
      },
      { sleep, exhausted: () => new GaveUp() },
    ),
    { instanceOf: RangeError },
  );
  t.is(calls, 1);
});

test("pauses are random up to a ceiling that doubles each retry, never beyond the cap", (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 5].map((retry) => pauseMs(POLICY, retry, () => 0.999999)),
    [100, 200, 300, 300, 300],
  );
  t.deepEqual(
    [1, 2, 3].map((retry) => pauseMs(POLICY, retry, () => 0)),
    [0, 0, 0],
  );
});

test("an erasure whose deletes DynamoDB keeps leaving unprocessed stops after its stated tries with an error saying so; the tombstone stands and a retry resumes", async (t) => {
  const { tableName, documents } = await createHarness(dynamo);
  for (const sk of ["BALANCE", "ORDER#o-1", "ORDER#o-2"])
    await documents.send(new PutCommand({ TableName: tableName, Item: { pk: "USER#u-1", sk } }));
  let batchWrites = 0;
  let unprocessedFor = Number.POSITIVE_INFINITY;
  // DynamoDB answering every delete "unprocessed" (throttled throughout), as a batch write may.
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      if (!String(context.commandName).startsWith("BatchWrite") || !("RequestItems" in args.input) || args.input.RequestItems === undefined)
        return next(args);
      batchWrites++;
      if (batchWrites > unprocessedFor) return next(args);
      return { output: { UnprocessedItems: args.input.RequestItems, $metadata: {} }, response: {} };
    },
    { step: "initialize", name: "unprocessedThroughout" },
  );
  const erasure = new DynamoErasure(documents, tableName, 8, { unprocessedRetry: { tries: 3, firstPauseMs: 1, maxPauseMs: 2 } });
  const now = new Date("2026-03-01T10:00:00.000Z");
  const error = await t.throwsAsync(erasure.erase("u-1", now));
  t.regex(error?.message ?? "", /2 deletes .* unprocessed by DynamoDB after 3 tries/);
  t.is(batchWrites, 3);
  t.truthy(
    (await documents.send(new GetCommand({ TableName: tableName, Key: { pk: erasedPk("u-1"), sk: TOMBSTONE_SK } }))).Item,
    "erased already: nothing is written for them again",
  );

  unprocessedFor = batchWrites;
  const report = await erasure.erase("u-1", now);
  t.is(report.itemsDeleted, 3);
});
