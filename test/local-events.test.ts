/**
 * The local runtime's EventBridge: the pattern operators the stack's rule uses, and PutEvents'
 * per-entry and request-level validation.
 */
import test from "ava";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { matchesPattern } from "../local/event-pattern-matcher";
import { putEvents, type PutEventsTarget } from "../local/put-events";
import { entrySize, MAX_REQUEST_ENTRY_BYTES } from "../handlers/domain/put-events-limits";
import { timeError } from "../local/put-events-request";
import { createLocalClock } from "../local/clock";

const event = {
  source: "otrium.ecommerce",
  "detail-type": "Order Completed",
  resources: ["arn:aws:x:1", "arn:aws:x:2"],
  detail: { channel: "web", flags: { vip: true }, total: { amount: 100 } },
};

test("pattern: a field matches when it equals one of the listed values", (t) => {
  t.true(matchesPattern(event, { source: ["otrium.ecommerce"] }));
  t.true(matchesPattern(event, { source: ["otrium.other", "otrium.ecommerce"] }));
  t.false(matchesPattern(event, { source: ["otrium.other"] }));
});

test("pattern: every named field must match, unnamed ones are ignored", (t) => {
  t.true(matchesPattern(event, { source: ["otrium.ecommerce"], "detail-type": ["Order Completed"] }));
  t.false(matchesPattern(event, { source: ["otrium.ecommerce"], "detail-type": ["Order Refunded"] }));
  t.true(matchesPattern(event, {}));
});

test("pattern: nested objects match nested fields; a missing field fails", (t) => {
  t.true(matchesPattern(event, { detail: { channel: ["web"] } }));
  t.true(matchesPattern(event, { detail: { flags: { vip: [true] } } }));
  t.true(matchesPattern(event, { detail: { total: { amount: [100] } } }));
  t.false(matchesPattern(event, { detail: { total: { amount: ["100"] } } }), "no type coercion");
  t.false(matchesPattern(event, { detail: { missing: ["x"] } }));
  t.false(matchesPattern(event, { detail: { channel: { nested: ["x"] } } }));
});

test("pattern: an array field matches when any of its items does", (t) => {
  t.true(matchesPattern(event, { resources: ["arn:aws:x:2"] }));
  t.false(matchesPattern(event, { resources: ["arn:aws:x:3"] }));
});

test("pattern: the stack's own pattern selects exactly the contract's events", (t) => {
  const pattern = loyaltyEventPattern();
  t.true(matchesPattern({ ...event, "detail-type": "Order Completed" }, pattern));
  t.true(matchesPattern({ ...event, "detail-type": "Order Refunded" }, pattern));
  t.false(matchesPattern({ ...event, "detail-type": "Order Shipped" }, pattern));
  t.false(matchesPattern({ ...event, source: "otrium.marketing" }, pattern));
});

function target() {
  const delivered: Array<Record<string, unknown>> = [];
  const put: PutEventsTarget = {
    region: "eu-west-1",
    account: "000000000000",
    eventBusNames: ["default"],
    pattern: loyaltyEventPattern(),
    deliver: async (e) => {
      delivered.push(e);
    },
  };
  return { put, delivered };
}

const entry = (overrides: Record<string, unknown> = {}) => ({
  Source: "otrium.ecommerce",
  DetailType: "Order Completed",
  Detail: JSON.stringify({ orderId: "o-1" }),
  ...overrides,
});

test("PutEvents: bad entries get EventBridge's per-entry errors, good ones in the same request go through", async (t) => {
  const { put, delivered } = target();
  const response = await putEvents(
    JSON.stringify({
      Entries: [
        entry(),
        entry({ Source: undefined }),
        entry({ DetailType: "" }),
        entry({ Detail: undefined }),
        entry({ Detail: "not json" }),
        entry({ Detail: "[1, 2]" }),
        entry({ EventBusName: "unknown-bus" }),
        entry({ Source: "otrium.marketing" }),
      ],
    }),
    put,
  );
  t.is(response.status, 200);
  const body = JSON.parse(response.body) as { FailedEntryCount: number; Entries: Array<Record<string, string>> };
  t.is(body.FailedEntryCount, 6);
  t.deepEqual(
    body.Entries.map((e) => e.ErrorCode ?? "ok"),
    [
      "ok",
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
      "MalformedDetail",
      "MalformedDetail",
      "ResourceNotFoundException",
      "ok",
    ],
  );
  t.regex(body.Entries[1]?.ErrorMessage ?? "", /Parameter Source is not valid/);
  t.is(delivered.length, 1, "the non-matching source is accepted but dropped");
  t.like(delivered[0], {
    version: "0",
    source: "otrium.ecommerce",
    "detail-type": "Order Completed",
    account: "000000000000",
    region: "eu-west-1",
    detail: { orderId: "o-1" },
  });
  t.regex(String(delivered[0]?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(delivered[0]?.id, body.Entries[0]?.EventId);
});

test("PutEvents: request-level errors for more than 10 entries, no entries, or a body that is not JSON", async (t) => {
  const { put, delivered } = target();
  const tooMany = await putEvents(JSON.stringify({ Entries: Array.from({ length: 11 }, () => entry()) }), put);
  t.is(tooMany.status, 400);
  t.like(JSON.parse(tooMany.body), { __type: "ValidationException" });
  t.is(tooMany.headers["x-amzn-ErrorType"], "ValidationException");
  t.is((await putEvents(JSON.stringify({ Entries: [] }), put)).status, 400);
  t.like(JSON.parse((await putEvents("{", put)).body), { __type: "SerializationException" });
  t.is(delivered.length, 0);
});

test("PutEvents: Time given by the SDK (epoch seconds) becomes the event's time", async (t) => {
  const { put, delivered } = target();
  await putEvents(JSON.stringify({ Entries: [entry({ Time: 1_795_000_000 })] }), put);
  t.is(delivered[0]?.time, new Date(1_795_000_000_000).toISOString().replace(".000Z", "Z"));
});

test("PutEvents: an entry without Time gets the bus's clock's time (the local runtime's, which /_local/clock moves)", async (t) => {
  const { put, delivered } = target();
  const clock = createLocalClock();
  await putEvents(JSON.stringify({ Entries: [entry()] }), { ...put, now: clock.now });
  t.true(Math.abs(Date.parse(String(delivered[0]?.time)) - Date.now()) < 60_000, "real time before the clock is set");
  clock.set(new Date("2031-05-06T07:08:09.999Z"));
  await putEvents(JSON.stringify({ Entries: [entry(), entry({ Time: 1_795_000_000 })] }), { ...put, now: clock.now });
  t.regex(String(delivered[1]?.time), /^2031-05-06T07:08:\d\dZ$/);
  t.is(delivered[2]?.time, new Date(1_795_000_000_000).toISOString().replace(".000Z", "Z"), "a Time given is kept");
});

/** A Detail of exactly `bytes` UTF-8 bytes: a JSON object padded with `x`. */
const detailOfBytes = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes - JSON.stringify({ pad: "" }).length) });

test("entry size: Time counts 14 bytes, Source, DetailType, Detail and each resource their UTF-8 bytes, the bus name nothing", (t) => {
  t.is(entrySize({ Source: "abc", DetailType: "de", Detail: "{}" }), 7);
  t.is(entrySize({ Source: "abc", DetailType: "de", Detail: "{}", Time: 1_795_000_000 }), 21);
  t.is(entrySize({ Source: "ü", DetailType: "€", Detail: '{"a":"😀"}' }), 2 + 3 + 12, "bytes, not characters");
  t.is(entrySize({ Source: "a", DetailType: "b", Detail: "{}", Resources: ["arn:1", "arn:22"] }), 4 + 5 + 6);
  t.is(entrySize({ Source: "a", DetailType: "b", Detail: "{}", EventBusName: "a-very-long-bus-name", TraceHeader: "x" }), 4);
});

test("PutEvents: a request whose entries total more than EventBridge's limit is refused whole (ValidationException)", async (t) => {
  const { put, delivered } = target();
  // Ten 250 KB entries, which the local bus used to accept.
  const big = await putEvents(
    JSON.stringify({ Entries: Array.from({ length: 10 }, () => entry({ Detail: detailOfBytes(250 * 1024) })) }),
    put,
  );
  t.is(big.status, 400);
  t.deepEqual(JSON.parse(big.body), {
    __type: "ValidationException",
    message: "Total size of the entries in the request is over the limit.",
  });
  t.is(big.headers["x-amzn-ErrorType"], "ValidationException");
  t.is(delivered.length, 0, "no entry of a refused request is delivered");

  // The limit is on the sum, counted as AWS counts it: exactly the limit passes, one byte more does not.
  const fixed = entrySize(entry({ Detail: "" })) + entrySize({ Time: 0 });
  const exactly = entry({ Time: 1_795_000_000, Detail: detailOfBytes(MAX_REQUEST_ENTRY_BYTES - fixed) });
  t.is(entrySize(exactly), MAX_REQUEST_ENTRY_BYTES);
  t.is((await putEvents(JSON.stringify({ Entries: [exactly] }), put)).status, 200);
  const over = entry({ Time: 1_795_000_000, Detail: detailOfBytes(MAX_REQUEST_ENTRY_BYTES - fixed + 1) });
  t.is((await putEvents(JSON.stringify({ Entries: [over] }), put)).status, 400);
  const split = [entry({ Detail: detailOfBytes(600 * 1024) }), entry({ Detail: detailOfBytes(600 * 1024) })];
  t.like(
    JSON.parse((await putEvents(JSON.stringify({ Entries: split }), put)).body),
    { __type: "ValidationException" },
    "two entries under the limit each, over it together",
  );
  t.is(delivered.length, 1);
});

test("PutEvents: Time must be a timestamp (epoch seconds); anything else refuses the request as AWS does", async (t) => {
  const { put, delivered } = target();
  for (const Time of ["yesterday", "2026-11-25T10:00:00Z", true, { seconds: 1 }, [1]]) {
    const response = await putEvents(JSON.stringify({ Entries: [entry(), entry({ Time })] }), put);
    t.is(response.status, 400, JSON.stringify(Time));
    t.like(JSON.parse(response.body), { __type: "SerializationException" });
    t.is(response.headers["x-amzn-ErrorType"], "SerializationException");
  }
  t.like(JSON.parse((await putEvents(JSON.stringify({ Entries: [entry({ Time: "yesterday" })] }), put)).body), {
    message: "STRING_VALUE cannot be converted to Date",
  });
  t.is(delivered.length, 0, "a request refused for one entry's Time delivers none of its entries");
  t.truthy(timeError(1e300), "a number no date can hold");
  t.is(timeError(null), undefined, "null is no Time");

  // What the SDK sends: `date.getTime() / 1000`, milliseconds as a fraction.
  await putEvents(JSON.stringify({ Entries: [entry({ Time: 1_795_000_000.789 }), entry({ Time: null })] }), put);
  t.is(delivered.length, 2);
  t.is(delivered[0]?.time, "2026-11-18T11:06:40Z", "to the second");
  t.regex(String(delivered[1]?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test("PutEvents: a request without Entries is refused as AWS refuses it", async (t) => {
  const { put } = target();
  const response = await putEvents("{}", put);
  t.is(response.status, 400);
  t.like(JSON.parse(response.body), { __type: "ValidationException" });
  t.regex(JSON.parse(response.body).message as string, /must not be null/);
});
