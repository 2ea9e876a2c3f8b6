/**
 * Every change to a user's balance item but its deletion by an erasure, as the
 * `TransactWriteItems` action the ledger sends with the entry that causes it. There are two kinds
 * of change, each with one rule:
 * - An order's credit needs no read: `ADD` its points to its lot (to the expired total, for an
 *   order credited after its lot expired) and to `lifetimeEarned`, without touching `version`, so
 *   a credit can land between any read and any write without invalidating what was planned.
 * - Changes planned from a read (spending, a cancel, a refund, an early release, an adjustment,
 *   an expiry) `ADD` the deltas of their plan, `REMOVE` the lots they drop, and bump `version`,
 *   conditioned on the version read, so two concurrent plans can never both apply, while a
 *   concurrent credit never makes one fail.
 * Every moving attribute is also guarded so that no total leaves the safe integers: DynamoDB
 * holds numbers of 38 digits, but a total beyond Number.MAX_SAFE_INTEGER can no longer be read
 * as a number, so a write that would leave one fails its transaction instead, in the same request
 * (and a planned change whose read already shows it would is refused before any request).
 * Attribute names go through placeholders, so a name an expression cannot spell (a lot's
 * `lot_<day>_<day>`) is just another entry of the list a change moves. A refusal names the totals
 * in words, never by attribute.
 */
import { LedgerLimitError, SAFE_INTEGER_LIMIT } from "../domain/errors";
import type { EarnEntry } from "../domain/ledger-entries";
import type { Delta } from "../domain/lot-plans";
import { BALANCE_ATTRIBUTES, balanceKey, type BalanceState } from "./balance-item";
import type { TierState } from "../domain/tier-state";
import { TIER_ENDS_ATTRIBUTE, TIER_STATE_ATTRIBUTE, TIER_VERSION_ATTRIBUTE, type TierWrite } from "./tier-item";
import { totalName } from "./total-names";
import type { TransactItem } from "./transactions";

/** A move whose failure means either `refusal` or, for a planned change, that the item moved on. */
export interface GuardedMove {
  action: TransactItem;
  /** The error to raise when the move would leave the safe integers. */
  refusal: () => LedgerLimitError;
}

/**
 * "the points owed or the points earned in total beyond …": the limits the moving totals would
 * pass, named for people (see `total-names`).
 */
function limitsPassed(deltas: readonly Delta[]): string {
  const moving = (up: boolean) => deltas.filter(([, delta]) => (up ? delta > 0 : delta < 0)).map(([attribute]) => totalName(attribute));
  return [[moving(true), `beyond ${SAFE_INTEGER_LIMIT}`] as const, [moving(false), `below -${SAFE_INTEGER_LIMIT}`] as const]
    .filter(([totals]) => totals.length > 0)
    .map(([totals, limit]) => `${totals.join(" or ")} ${limit}`)
    .join(" or ");
}

/** What a planned change adds to a plain `ADD`: the version it was planned from, lots to drop. */
interface Planned {
  version: number;
  remove?: readonly string[];
}

export function balanceUpdates(tableName: string) {
  /**
   * Adds each delta to its attribute (an absent one starts at zero) and stamps the time. Each
   * moving attribute is guarded: absent, or far enough from the limit on the side it moves to.
   * A zero delta cannot move a total out of range, so it has no guard.
   */
  function add(pk: string, deltas: readonly Delta[], at: string, what: string, planned?: Planned, tier?: TierWrite): GuardedMove {
    const names: Record<string, string> = { "#at": BALANCE_ATTRIBUTES.updatedAt };
    const values: Record<string, string | number | number[] | TierState> = { ":at": at };
    const guards: string[] = [];
    const sets = ["#at = :at"];
    const adds = [...deltas, ...(tier?.change.deltas ?? [])].map(([attribute, delta], i) => {
      names[`#a${i}`] = attribute;
      values[`:d${i}`] = delta;
      if (delta !== 0) {
        values[`:b${i}`] = delta > 0 ? Number.MAX_SAFE_INTEGER - delta : Number.MIN_SAFE_INTEGER - delta;
        guards.push(`(attribute_not_exists(#a${i}) OR #a${i} ${delta > 0 ? "<=" : ">="} :b${i})`);
      }
      return `#a${i} :d${i}`;
    });
    const removes = [...(planned?.remove ?? []), ...(tier?.change.remove ?? [])].map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    if (planned !== undefined) {
      names["#version"] = BALANCE_ATTRIBUTES.version;
      values[":one"] = 1;
      adds.push("#version :one");
      if (planned.version === 0) guards.unshift("attribute_not_exists(#version)");
      else {
        values[":version"] = planned.version;
        guards.unshift("#version = :version");
      }
    }
    if (tier !== undefined) {
      names["#tierState"] = TIER_STATE_ATTRIBUTE;
      names["#tierVersion"] = TIER_VERSION_ATTRIBUTE;
      values[":tierState"] = tier.change.state;
      values[":one"] = 1;
      sets.push("#tierState = :tierState");
      if (tier.change.ends !== undefined) {
        names["#tierEnds"] = TIER_ENDS_ATTRIBUTE;
        values[":tierEnds"] = tier.change.ends;
        sets.push("#tierEnds = :tierEnds");
      }
      adds.push("#tierVersion :one");
      if (tier.version === 0) guards.unshift("attribute_not_exists(#tierVersion)");
      else {
        values[":tierVersion"] = tier.version;
        guards.unshift("#tierVersion = :tierVersion");
      }
    }
    const expression = [
      `ADD ${adds.join(", ")}`,
      `SET ${sets.join(", ")}`,
      ...(removes.length > 0 ? [`REMOVE ${removes.join(", ")}`] : []),
    ].join(" ");
    return {
      action: {
        Update: {
          TableName: tableName,
          Key: balanceKey(pk),
          UpdateExpression: expression,
          ...(guards.length > 0 ? { ConditionExpression: guards.join(" AND ") } : {}),
          // A planned change that fails says why: the old image tells a moved item from a refusal.
          ...(planned !== undefined || tier !== undefined ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      refusal: () => new LedgerLimitError(`${what} would take ${limitsPassed(deltas)}`),
    };
  }

  return {
    /**
     * A tier write alone (the settle rolling the state forward): the state and the tier version,
     * never `version`, so it neither waits on nor unsettles a spending.
     */
    moveTiers: (pk: string, at: string, tier: TierWrite): GuardedMove => add(pk, [], at, "moving tiers", undefined, tier),

    /**
     * An order's points, to its lot and to `lifetimeEarned` (`lotPoints` less than its points when
     * refunds that arrived first are netted out). A lot never exceeds `lifetimeEarned`, so
     * guarding these ADDs keeps every lot safe.
     */
    creditOrder: (entry: EarnEntry, lot: string, lotPoints: number, tier?: TierWrite): GuardedMove =>
      add(
        entry.pk,
        [
          [lot, lotPoints],
          [BALANCE_ATTRIBUTES.lifetimeEarned, entry.points],
        ],
        entry.recordedAt,
        `crediting ${entry.points} points`,
        undefined,
        tier,
      ),

    /**
     * A change planned from `read`: its deltas, and the lots it drops, if the item is still at the
     * version read. `lifetimeEarned` is added zero, unless the plan moves it, so an item always
     * reads whole.
     */
    applyPlan: (
      pk: string,
      read: BalanceState,
      deltas: readonly Delta[],
      at: string,
      what: string,
      remove: readonly string[] = [],
      tier?: TierWrite,
    ): GuardedMove => {
      for (const [attribute, delta] of deltas) {
        const totals: Record<string, number> = {
          [BALANCE_ATTRIBUTES.expiredTotal]: read.expiredTotal,
          [BALANCE_ATTRIBUTES.lifetimeEarned]: read.lifetimeEarned,
          [BALANCE_ATTRIBUTES.debt]: read.holding.debt,
        };
        const before = totals[attribute] ?? read.holding.lots.find((lot) => lot.attribute === attribute)?.points ?? 0;
        if (!Number.isSafeInteger(before + delta)) throw new LedgerLimitError(`${what} would take ${limitsPassed([[attribute, delta]])}`);
      }
      // A plan that credits (an admin's grant) moves `lifetimeEarned` itself.
      const earned = deltas.some(([attribute]) => attribute === BALANCE_ATTRIBUTES.lifetimeEarned);
      return add(
        pk,
        earned ? deltas : [...deltas, [BALANCE_ATTRIBUTES.lifetimeEarned, 0]],
        at,
        what,
        { version: read.version, remove },
        tier,
      );
    },
  };
}

export type BalanceUpdates = ReturnType<typeof balanceUpdates>;
