/**
 * The balance item's tier state against a from-scratch recomputation (`tier-reference.ts`):
 * random histories of orders (pending or not, backfilled), refunds in pieces, return windows
 * closing, the clock moving across releases, window exits and period ends, and reads at random
 * instants ahead. After every step the level each credit earned at and the answer agree, and the
 * item stays within its bounds. Seeded: every run replays the same histories (`MODEL_SEED`,
 * `MODEL_TIER_RUNS` to explore).
 */
import { fc, testProp } from "@fast-check/ava";
import { DAY_MS, dayOf, lotDatesFor, midnightOf } from "../../handlers/domain/lifecycle";
import { tierAnswer } from "../../handlers/domain/tier-answer";
import { exitOf, tierReleaseAfterClose, tierReleaseOf } from "../../handlers/domain/tier-buckets";
import { creditOrder, moveRelease, NEW_TIER_BOOK, refundOrder, type TierBook } from "../../handlers/domain/tier-state";
import type { Tiers } from "../../handlers/domain/tier-settings";
import { recompute, type TierWrite } from "./tier-reference";

const HOUR = 3_600_000;
const START = Date.parse("2026-03-01T10:00:00.000Z");

type TierStep =
  | { kind: "wait"; hours: number }
  | { kind: "order"; ageHours: number; basePoints: number }
  | { kind: "refund"; order: number; percent: number }
  | { kind: "close"; order: number; hoursAgo: number }
  | { kind: "read"; aheadHours: number };

interface History {
  tiers: Tiers;
  pendingDays: number;
  steps: TierStep[];
}

const history: fc.Arbitrary<History> = fc.record({
  tiers: fc
    .record({
      steps: fc.array(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 3 }),
      windowDays: fc.constantFrom(2, 4, 9, 20),
    })
    .map(({ steps, windowDays }) => ({
      levels: [0, ...steps].map((_, index, all) => ({
        name: `L${index}`,
        threshold: all.slice(1, index + 1).reduce((sum, step) => sum + step, 0),
        multiplier: 1 + index / 4,
      })),
      windowDays,
    })),
  pendingDays: fc.constantFrom(0, 1, 3),
  steps: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant("wait" as const), hours: fc.integer({ min: 0, max: 24 * 5 }) }) },
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant("order" as const),
          ageHours: fc.constantFrom(0, 0, 3, 30, 24 * 25),
          basePoints: fc.integer({ min: 0, max: 150 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("refund" as const),
          order: fc.nat(20),
          percent: fc.constantFrom(10, 50, 100),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("close" as const), order: fc.nat(20), hoursAgo: fc.constantFrom(0, 5, 30) }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("read" as const), aheadHours: fc.integer({ min: 0, max: 24 * 25 }) }) },
    ),
    { minLength: 10, maxLength: 60, size: "max" },
  ),
});

interface OrderSeen {
  id: string;
  completedAt: number;
  releasedAt: number;
  net: number;
}

/** The first disagreement or broken bound of a history, described; `undefined` when none. */
function disagreement({ tiers, pendingDays, steps }: History): string | undefined {
  let book: TierBook = NEW_TIER_BOOK;
  let now = START;
  const writes: TierWrite[] = [];
  const orders: OrderSeen[] = [];
  const levels: number[] = [];
  const compare = (at: number, index: number): string | undefined => {
    const expected = recompute(tiers, writes, at);
    const found = tierAnswer(tiers, book, at);
    const where = `step ${index} (${JSON.stringify(steps[index])}), at ${new Date(at).toISOString()}`;
    if (JSON.stringify(found) !== JSON.stringify(expected.answer)) {
      return `${where}: answered ${JSON.stringify(found)}, from scratch ${JSON.stringify(expected.answer)}`;
    }
    if (JSON.stringify(levels) !== JSON.stringify(expected.creditLevels)) {
      return `${where}: credits earned at levels ${levels}, from scratch ${expected.creditLevels}`;
    }
    if (found.next !== null && found.next.pointsNeeded <= 0) return `${where}: a level the points reach is not held`;
    return undefined;
  };
  const bounded = (index: number): string | undefined => {
    const { state, buckets } = book;
    const ascending = state.periods.every((period, at) => at === 0 || period.level > (state.periods[at - 1]?.level ?? 0));
    if (!ascending || state.periods.length > tiers.levels.length) return `step ${index}: periods ${JSON.stringify(state.periods)}`;
    const stale = buckets.filter((bucket) => bucket.points === 0 || exitOf(bucket.completedDay, tiers.windowDays) <= now);
    if (stale.length > 0) return `step ${index}: buckets kept past their window ${JSON.stringify(stale)}`;
    const horizon = now - tiers.windowDays * DAY_MS;
    if (state.changes.filter((change) => change.at <= horizon).length > 1) return `step ${index}: changes kept past the window`;
    return undefined;
  };
  for (const [index, step] of steps.entries()) {
    const written = writes.length;
    if (step.kind === "wait") now += step.hours * HOUR;
    if (step.kind === "read") {
      const found = compare(now + step.aheadHours * HOUR, index);
      if (found) return found;
      continue;
    }
    if (step.kind === "order") {
      const completedAt = now - step.ageHours * HOUR;
      const lot = lotDatesFor(new Date(completedAt).toISOString(), { pendingDays, expiryDays: 0 });
      const releasedAt = tierReleaseOf(lot.availableDay === null ? null : midnightOf(lot.availableDay), now);
      const id = `o-${orders.length}`;
      const credited = creditOrder(
        tiers,
        book,
        { completedDay: dayOf(completedAt), completedAt, releasedAt, basePoints: step.basePoints },
        now,
      );
      book = credited.book;
      levels.push(credited.level);
      orders.push({ id, completedAt, releasedAt, net: step.basePoints });
      writes.push({ kind: "credit", at: now, order: id, completedAt, basePoints: step.basePoints, releasedAt });
    }
    const order = orders[(step.kind === "refund" || step.kind === "close" ? step.order : 0) % Math.max(1, orders.length)];
    if (step.kind === "refund" && order) {
      const basePoints = Math.floor((order.net * step.percent) / 100);
      book = refundOrder(tiers, book, { completedDay: dayOf(order.completedAt), releasedAt: order.releasedAt, basePoints }, now);
      order.net -= basePoints;
      writes.push({ kind: "refund", at: now, order: order.id, basePoints });
    }
    if (step.kind === "close" && order) {
      const to = tierReleaseAfterClose(order.releasedAt, Math.max(order.completedAt, now - step.hoursAgo * HOUR), now);
      if (to !== undefined) {
        book = moveRelease(tiers, book, { completedDay: dayOf(order.completedAt), from: order.releasedAt, to, basePoints: order.net }, now);
        order.releasedAt = to;
        writes.push({ kind: "close", at: now, order: order.id, releasedAt: to });
      }
    }
    const found = compare(now, index) ?? (writes.length > written ? bounded(index) : undefined);
    if (found) return found;
  }
  return undefined;
}

const RUNS = Number(process.env.MODEL_TIER_RUNS ?? 400);
const SEED = Number(process.env.MODEL_SEED ?? 20_261_203);

testProp(
  "the balance item's tier state answers what a from-scratch recomputation of the whole history answers, at every instant, within its bounds",
  [history],
  (t, sample) => {
    const found = disagreement(sample);
    if (found) t.fail(found);
    else t.pass();
  },
  { numRuns: RUNS, seed: SEED, endOnFailure: true },
);
