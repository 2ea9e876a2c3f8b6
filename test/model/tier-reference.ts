/**
 * The tier rules recomputed from scratch over a customer's whole history, one order at a time:
 * no buckets, no pruning, no stored state rolled forward. It imports nothing from `handlers/`,
 * so the balance item's bounded state (`handlers/domain/tier-state.ts`) can only agree with it
 * by both following the rules (the doc comments of `tier-state.ts` and `tier-buckets.ts`).
 *
 * Where the rules leave an order of things open, the choice made here is marked "Reading:".
 */

const DAY = 86_400_000;

export interface ReferenceTiers {
  levels: ReadonlyArray<{ name: string; threshold: number }>;
  windowDays: number;
}

/** What the ledger was told, at the instant it was told (its clock), in the order it was told. */
export type TierWrite =
  | { kind: "credit"; at: number; order: string; completedAt: number; basePoints: number; releasedAt: number }
  | { kind: "refund"; at: number; order: string; basePoints: number }
  | { kind: "close"; at: number; order: string; releasedAt: number };

export interface ReferenceAnswer {
  name: string;
  since: string | null;
  until: string | null;
  qualifyingPoints: number;
  next: { name: string; pointsNeeded: number } | null;
  pointsToKeep: number;
}

interface Order {
  completedAt: number;
  releasedAt: number;
  net: number;
}

interface Period {
  level: number;
  since: number | null;
  until: number | null;
  /** The orders released at the instant it was reached; `null`: kept or lowered at a period end. */
  promoters: Set<string> | null;
  refunded: boolean;
}

const startOfDay = (instant: number): number => Math.floor(instant / DAY) * DAY;

/** The whole history replayed up to `at`. */
class Replay {
  readonly orders = new Map<string, Order>();
  periods: Period[] = [{ level: 0, since: null, until: null, promoters: null, refunded: false }];
  /** Every change of the level, never pruned. */
  readonly timeline: Array<{ at: number; level: number }> = [];
  clock = Number.NEGATIVE_INFINITY;
  /** The level each credit earned at, in the order of the credits. */
  readonly creditLevels: number[] = [];

  constructor(private readonly tiers: ReferenceTiers) {}

  private exit(order: Order): number {
    return startOfDay(order.completedAt) + this.tiers.windowDays * DAY;
  }

  qualifying(at: number): number {
    let sum = 0;
    for (const order of this.orders.values()) if (order.releasedAt <= at && at < this.exit(order)) sum += order.net;
    return sum;
  }

  private reached(points: number): number {
    return this.tiers.levels.reduce((best, level, index) => (points >= level.threshold ? index : best), 0);
  }

  private threshold(level: number): number {
    return this.tiers.levels[level]?.threshold ?? 0;
  }

  private held(): Period {
    const held = this.periods[this.periods.length - 1];
    if (!held) throw new Error("no period held");
    return held;
  }

  private fresh(level: number, since: number, promoters: Set<string> | null): Period {
    return level === 0
      ? { level, since, until: null, promoters: null, refunded: false }
      : { level, since, until: since + this.tiers.windowDays * DAY, promoters, refunded: false };
  }

  /** The rules at one instant, after what happened by date at it. */
  private decide(at: number): void {
    const before = this.held().level;
    const points = this.qualifying(at);
    for (;;) {
      const held = this.held();
      if (held.until !== null && held.until <= at) {
        this.periods = [this.fresh(Math.min(held.level, this.reached(points)), at, null)];
      } else if (held.refunded && points < this.threshold(held.level) && this.periods.length > 1) {
        this.periods.pop();
      } else break;
    }
    if (this.reached(points) > this.held().level) {
      const released = new Set([...this.orders].filter(([, order]) => order.releasedAt === at).map(([id]) => id));
      this.periods.push(this.fresh(this.reached(points), at, released));
    }
    if (this.held().level !== before) this.timeline.push({ at, level: this.held().level });
  }

  /** Time passes to `at`: every instant something may change at, in order. */
  runTo(at: number): void {
    for (;;) {
      const candidates: number[] = [];
      for (const order of this.orders.values()) candidates.push(order.releasedAt, this.exit(order));
      const until = this.held().until;
      if (until !== null) candidates.push(until);
      const next = Math.min(...candidates.filter((instant) => instant > this.clock && instant <= at));
      if (!Number.isFinite(next)) break;
      this.decide(next);
      this.clock = next;
    }
    this.clock = Math.max(this.clock, at);
  }

  private levelAt(instant: number, creditedAt: number): number {
    // Reading: an order completed more than windowDays before its credit earns at the first level.
    if (instant < creditedAt - this.tiers.windowDays * DAY) return 0;
    let level = 0;
    for (const change of this.timeline) if (change.at <= Math.min(instant, creditedAt)) level = change.level;
    return level;
  }

  apply(write: TierWrite): void {
    // Reading: what happens by date at an instant comes before what the ledger is told at it.
    this.runTo(write.at);
    if (write.kind === "credit") {
      this.creditLevels.push(this.levelAt(write.completedAt, write.at));
      this.orders.set(write.order, { completedAt: write.completedAt, releasedAt: write.releasedAt, net: write.basePoints });
      return;
    }
    const order = this.orders.get(write.order);
    if (!order) throw new Error(`no order ${write.order}`);
    if (write.kind === "close") {
      order.releasedAt = write.releasedAt;
      return;
    }
    order.net -= write.basePoints;
    // Reading: a refund that takes no points (a few cents) changes nothing.
    if (write.basePoints > 0) for (const period of this.periods) if (period.promoters?.has(write.order)) period.refunded = true;
    this.decide(write.at);
  }
}

/** The tier at `at` (not before the last write) and the level of every credit, from the writes alone. */
export function recompute(
  tiers: ReferenceTiers,
  writes: readonly TierWrite[],
  at: number,
): { answer: ReferenceAnswer; creditLevels: number[] } {
  const replay = new Replay(tiers);
  for (const write of writes) replay.apply(write);
  replay.runTo(at);
  const periods = replay.periods;
  const held = periods[periods.length - 1];
  if (!held) throw new Error("no period held");
  const points = replay.qualifying(at);
  const above = tiers.levels[held.level + 1];
  const threshold = tiers.levels[held.level]?.threshold ?? 0;
  return {
    answer: {
      name: tiers.levels[held.level]?.name ?? "",
      since: held.since === null ? null : new Date(held.since).toISOString(),
      until: held.until === null ? null : new Date(held.until).toISOString(),
      qualifyingPoints: points,
      next: above ? { name: above.name, pointsNeeded: above.threshold - points } : null,
      pointsToKeep: held.until === null ? 0 : Math.max(0, threshold - replay.qualifying(held.until)),
    },
    creditLevels: replay.creditLevels,
  };
}
