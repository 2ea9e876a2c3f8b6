/**
 * One run of the daily settle: the days it covers and what it did. By default it settles today
 * and the days before it up to `CATCH_UP_DAYS`, so a run that was missed (or failed) is made up
 * by the next one; each day's index items are deleted once visited, so a settled day costs only
 * its shard queries again. A scheduler input `{"days": ["2026-01-16"]}` settles given days.
 */
import * as v from "valibot";
import { CATCH_UP_DAYS, DAY_MS, dayOf, midnightOf } from "../domain/lifecycle";
import type { DynamoSettle, SettleReport } from "../ledger/dynamo-settle";
import { systemClock, type Clock } from "../runtime/clock";
import type { Logger } from "../runtime/log";

const DAY = "must be a day like 2026-01-16";
/** A calendar day that exists (`2026-02-30` does not). */
const DaySchema = v.pipe(
  v.string(DAY),
  v.isoDate(DAY),
  v.check((day) => {
    const midnight = midnightOf(day);
    return Number.isFinite(midnight) && dayOf(midnight) === day;
  }, DAY),
);

/** The scheduler's input: nothing, or the days to settle. */
const SettleInputSchema = v.object({ days: v.optional(v.array(DaySchema, "must be a list of days")) }, "must be an object");

/**
 * The input as of `today`: a day that has not begun yet is refused, because settling it would
 * use up its index items before anything of that day had released or expired.
 */
export const settleInputAsOf = (today: string) =>
  v.pipe(
    SettleInputSchema,
    v.check(
      (input) => (input.days ?? []).every((day) => day <= today),
      (issue) => `days: ${(issue.input.days ?? []).filter((day) => day > today).join(", ")} has not begun (today is ${today})`,
    ),
  );

export interface SettleDeps {
  settle: DynamoSettle;
  logger: Logger;
  /** The clock whose day is settled by default; tests pin it, the local runtime moves it. */
  now?: Clock;
}

export function createSettleRun({ settle, logger, now = systemClock }: SettleDeps) {
  return async (input: unknown): Promise<SettleReport[]> => {
    const at = now();
    const parsed = v.parse(settleInputAsOf(dayOf(at.getTime())), input ?? {});
    const days = parsed.days ?? Array.from({ length: CATCH_UP_DAYS + 1 }, (_, i) => dayOf(at.getTime() - (CATCH_UP_DAYS - i) * DAY_MS));
    const reports: SettleReport[] = [];
    for (const day of days) {
      const report = await settle.settleDay(day, at);
      const { released, expiringSoon, tiers, ...expired } = report;
      logger.log("info", "day settled", {
        ...expired,
        releasedCustomers: released.customers,
        releasedPoints: released.points,
        expiringSoonOf: expiringSoon.expiresDay,
        expiringSoonCustomers: expiringSoon.customers,
        expiringSoonPoints: expiringSoon.points,
        tierChanges: tiers.changes,
        tierExpiringSoonOf: tiers.expiringSoon.untilDay,
        tierExpiringSoonCustomers: tiers.expiringSoon.customers,
      });
      reports.push(report);
    }
    return reports;
  };
}
