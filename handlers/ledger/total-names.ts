/**
 * The totals of a balance item as a person reads them. A refusal reaches a client (an admin's
 * `400`) or a log reader (the writer's `reason`), neither of whom knows the item's attribute
 * names, so a message names what the total means: "the points owed", not `debt`.
 */
import { lotDatesOf } from "../domain/lifecycle";
import { BALANCE_ATTRIBUTES } from "./balance-item";

const NAMED: Readonly<Record<string, string>> = {
  [BALANCE_ATTRIBUTES.lifetimeEarned]: "the points earned in total",
  [BALANCE_ATTRIBUTES.debt]: "the points owed",
  [BALANCE_ATTRIBUTES.expiredTotal]: "the points expired in total",
  [BALANCE_ATTRIBUTES.debtFrom]: "the instant the points owed last grew",
  // Items from before lots: their balance reads as one lot, spendable at once and never expiring.
  [BALANCE_ATTRIBUTES.balance]: "the points available at once and never expiring",
};

/** What the total held in `attribute` is, in words; a lot by its dates. */
export function totalName(attribute: string): string {
  const named = NAMED[attribute];
  if (named !== undefined) return named;
  const lot = lotDatesOf(attribute);
  if (lot === undefined) return "a total of the balance";
  const available = lot.availableDay === null ? "available at once" : `available from ${lot.availableDay}`;
  const expiring = lot.expiresDay === null ? "never expiring" : `expiring on ${lot.expiresDay}`;
  return `the points ${available} and ${expiring}`;
}
