/**
 * ISO 8601 timestamps that name a real instant. `Date.parse` rolls impossible dates over
 * (`2026-02-30` becomes 2 March) and `v.isoTimestamp` only checks the shape (any month has a
 * day 31), so a timestamp is checked here field by field against the calendar, then normalised
 * to UTC with milliseconds so it sorts as text. Every schema with a timestamp uses this one.
 */
import * as v from "valibot";

/** The parts of a timestamp `v.isoTimestamp` accepts: `T` or a space, 1–9 fraction digits,
 * `Z` or an offset of `±hh`, `±hhmm` or `±hh:mm` (optionally after a space). */
const PARTS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z| ?([+-])(\d{2})(?::?(\d{2}))?)$/u;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The UTC form every timestamp is stored in: 24 characters, so text order is time order. */
const NORMALISED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;

export type TimestampReading = { ok: true; utc: string } | { ok: false; problem: string };

/**
 * Reads an ISO 8601 timestamp with a zone into its UTC form (`2026-11-01T10:00:00.000Z`), or
 * says which part does not exist. Fractions below a millisecond are dropped, as `Date` would.
 */
export function readIsoTimestamp(text: string): TimestampReading {
  const parts = PARTS.exec(text);
  if (!parts) return { ok: false, problem: "must be an ISO 8601 timestamp with a time zone" };
  const [, y, mo, d, h, mi, s, fraction = "", sign, offsetH = "00", offsetM = "00"] = parts;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return { ok: false, problem: `has no month ${month}` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, problem: `has no day ${day}: ${y}-${mo} has ${daysInMonth(year, month)} days` };
  }
  // No 24:00 and no leap second: the ledger's clock, like `Date`'s, has neither.
  if (hour > 23) return { ok: false, problem: `has no hour ${hour}` };
  if (minute > 59) return { ok: false, problem: `has no minute ${minute}` };
  if (second > 59) return { ok: false, problem: `has no second ${second}` };
  const offsetHours = Number(offsetH);
  const offsetMinutes = Number(offsetM);
  if (offsetHours > 23 || offsetMinutes > 59) return { ok: false, problem: `has no time zone offset ${sign}${offsetH}:${offsetM}` };

  // `Date.UTC` would read years 0–99 as 1900–1999; `setUTCFullYear` takes the year as written.
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, "0")));
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const utc = new Date(instant.getTime() - offset * 60_000).toISOString();
  // An offset can push 0000-01-01 or 9999-12-31 outside four-digit years, where the text
  // order of stored times would no longer be their time order.
  if (!NORMALISED.test(utc)) return { ok: false, problem: "must fall between the years 0000 and 9999 in UTC" };
  return { ok: true, utc };
}

/**
 * An ISO 8601 time with a zone that exists on the calendar, normalised to UTC with
 * milliseconds. `v.isoTimestamp` stays first so the published JSON Schema says `date-time`.
 */
export const TimestampSchema = v.pipe(
  v.string(),
  v.isoTimestamp("must be an ISO 8601 timestamp with a time zone"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const reading = readIsoTimestamp(dataset.value);
    if (reading.ok) return reading.utc;
    addIssue({ message: `must be a real date and time: ${reading.problem}` });
    return NEVER;
  }),
);

/** An instant (epoch milliseconds) in the form every timestamp is stored in. */
export const isoAt = (instant: number): string => new Date(instant).toISOString();
