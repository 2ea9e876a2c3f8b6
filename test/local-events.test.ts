/**
 * The local runtime's EventBridge: the pattern operators the stack's rule uses, and PutEvents'
 * per-entry and request-level validation.
 */
import test from "ava";
import { loyaltyEventPattern } from "../handlers/domain/event-pattern";
import { matchesPattern } from "../local/event-pattern-matcher";
import { MAX_ENTRY_BYTES, putEvents, type PutEventsTarget } from "../local/put-events";

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
        entry({ Detail: JSON.stringify({ blob: "x".repeat(MAX_ENTRY_BYTES) }) }),
        entry({ EventBusName: "unknown-bus" }),
        entry({ Source: "otrium.marketing" }),
      ],
    }),
    put,
  );
  t.is(response.status, 200);
  const body = JSON.parse(response.body) as { FailedEntryCount: number; Entries: Array<Record<string, string>> };
  t.is(body.FailedEntryCount, 7);
  t.deepEqual(body.Entries.map((e) => e.ErrorCode ?? "ok"), [
    "ok",
    "InvalidArgument",
    "InvalidArgument",
    "InvalidArgument",
    "MalformedDetail",
    "MalformedDetail",
    "InvalidArgument",
    "ResourceNotFoundException",
    "ok",
  ]);
  t.regex(body.Entries[1]?.ErrorMessage ?? "", /Parameter Source is not valid/);
  t.is(delivered.length, 1, "the non-matching source is accepted but dropped");
  t.like(delivered[0], { version: "0", source: "otrium.ecommerce", "detail-type": "Order Completed", account: "000000000000", region: "eu-west-1", detail: { orderId: "o-1" } });
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
