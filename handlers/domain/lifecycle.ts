/**
 * The points lifecycle's settings and the dates of a lot. An order's points form a lot whose
 * dates are fixed when it is earned (a later change of settings never rewrites history):
 * available at a UTC midnight after a pending period, expiring a whole number of days later.
 * Lots of the same dates merge, so a customer holds at most about `pendingDays + expiryDays`
 * of them however many orders they place.
 */
import * as v from "valibot";
import { InvalidEventError } from "./errors";

export const DAY_MS = 86_400_000;

/** `POINTS_LIFECYCLE` / the stack's `lifecycle`: whole days; 0 means "at once" and "never". */
export const LifecycleSchema = v.object({
  pendingDays: v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number of days"),
    v.minValue(0, "must be at least 0"),
    v.maxValue(365, "must be at most 365"),
  ),
  expiryDays: v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number of days"),
    v.minValue(0, "must be at least 0"),
    v.maxValue(3650, "must be at most 3650"),
  ),
});

export type Lifecycle = v.InferOutput<typeof LifecycleSchema>;

/** Today's behaviour: points are spendable at once and never expire. */
export const IMMEDIATE: Lifecycle = { pendingDays: 0, expiryDays: 0 };

/**
 * Days before their expiry that a customer is told their points expire (`Points Expiring Soon`),
 * once per expiry day; 0 tells nobody. A setting of the daily settle alone: lots carry their
 * dates, so changing it never rewrites a lot.
 */
export const ExpiringSoonDaysSchema = v.pipe(
  v.number("must be a number"),
  v.integer("must be a whole number of days"),
  v.minValue(0, "must be at least 0"),
  v.maxValue(3650, "must be at most 3650"),
);

/** A month's notice: time to spend the points before they go. */
export const EXPIRING_SOON_DAYS_DEFAULT = 30;

/**
 * Days before today that each run of the daily settle covers too, so a missed or failed run is
 * made up by the next; an index item of a day older than that waits for a run by hand.
 */
export const CATCH_UP_DAYS = 2;

/** A UTC day as `YYYY-MM-DD`. */
export const dayOf = (instant: number): string => new Date(instant).toISOString().slice(0, 10);

/** The instant a day starts (its UTC midnight). */
export const midnightOf = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

/** The first UTC midnight at or after `instant`. */
export const midnightFrom = (instant: number): number => Math.ceil(instant / DAY_MS) * DAY_MS;

/** The first UTC midnight strictly after `instant`: a window closing at 10:00 releases at 00:00 next. */
export const midnightAfter = (instant: number): number => Math.floor(instant / DAY_MS) * DAY_MS + DAY_MS;

/** The last midnight the ledger's four-digit-year timestamps can name. */
const LAST_MIDNIGHT = Date.parse("9999-12-31T00:00:00.000Z");

/**
 * A lot: the days its points become spendable and stop being so (`null`: never). A lot that is
 * available at once and never expires is the one lot `-/-`: its release day is of no interest,
 * so all such points merge into it and a customer on today's settings keeps a single lot.
 */
export interface LotDates {
  availableDay: string | null;
  expiresDay: string | null;
}

/** The dates of the lot an order completed at `completedAt` earns into. */
export function lotDatesFor(completedAt: string, lifecycle: Lifecycle): LotDates {
  if (lifecycle.pendingDays === 0 && lifecycle.expiryDays === 0) return { availableDay: null, expiresDay: null };
  // Pending 0 means "at once": the lot counts from the midnight that starts the order's day.
  const completed = Date.parse(completedAt);
  const available =
    lifecycle.pendingDays === 0 ? Math.floor(completed / DAY_MS) * DAY_MS : midnightFrom(completed + lifecycle.pendingDays * DAY_MS);
  const expires = lifecycle.expiryDays === 0 ? null : available + lifecycle.expiryDays * DAY_MS;
  if (Math.max(available, expires ?? 0) > LAST_MIDNIGHT) {
    throw new InvalidEventError(`the lot of an order completed at ${completedAt} would fall after the year 9999`);
  }
  return { availableDay: dayOf(available), expiresDay: expires === null ? null : dayOf(expires) };
}

/** A lot's key, `<availableDay>/<expiresDay>` with `-` for none. */
export const lotKey = ({ availableDay, expiresDay }: LotDates): string => `${availableDay ?? "-"}/${expiresDay ?? "-"}`;

/**
 * The balance item's attribute that holds a lot (`lot_2026-01-16_2027-01-16`): a top-level
 * number, so crediting is a plain `ADD` that needs no read and no map that must exist first.
 */
export const lotAttribute = ({ availableDay, expiresDay }: LotDates): string => `lot_${availableDay ?? "-"}_${expiresDay ?? "-"}`;

const LOT_ATTRIBUTE = /^lot_(\d{4}-\d{2}-\d{2}|-)_(\d{4}-\d{2}-\d{2}|-)$/u;

/** The dates a lot attribute names, or `undefined` for any other attribute. */
export function lotDatesOf(attribute: string): LotDates | undefined {
  const parts = LOT_ATTRIBUTE.exec(attribute);
  if (!parts) return undefined;
  const [, available = "-", expires = "-"] = parts;
  return { availableDay: available === "-" ? null : available, expiresDay: expires === "-" ? null : expires };
}

/** The instants of a lot's dates: `-Infinity` for "always available", `Infinity` for "never expires". */
export function lotInstants({ availableDay, expiresDay }: LotDates): { availableAt: number; expiresAt: number } {
  return {
    availableAt: availableDay === null ? -Infinity : midnightOf(availableDay),
    expiresAt: expiresDay === null ? Infinity : midnightOf(expiresDay),
  };
}

/**
 * The lot an order's remaining points move to when its return window closes at `closedAt`: the
 * midnight after it, when that is earlier than the lot's own release. Only the release moves:
 * the points keep the expiry their order earned (the `expiresAt` its `Points Earned` announced),
 * so a close never shortens their life, and an order and its close give the same lot whichever is
 * processed first. `undefined` when the window closes too late to change anything.
 */
export function earlyReleaseOf(lot: LotDates, closedAt: string): LotDates | undefined {
  if (lot.availableDay === null) return undefined;
  const released = midnightAfter(Date.parse(closedAt));
  if (released >= midnightOf(lot.availableDay)) return undefined;
  return { availableDay: dayOf(released), expiresDay: lot.expiresDay };
}
