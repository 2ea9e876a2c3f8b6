/**
 * The functions' error answers as valibot schemas: `{"error":{"code","message"}}`, and the codes
 * whose answer says more (`insufficient_points` carries the balance, `price_changed` the price). The API's document
 * describes every error with these, for the codes each route can answer.
 */
import * as v from "valibot";
import { PointsSchema } from "./answer-parts";
import type { ErrorCode } from "./responses";

/** `409 insufficient_points`: the balance that did not cover the request, so the app can show it. */
export const InsufficientPointsAnswerSchema = v.object({
  error: v.object({ code: v.literal("insufficient_points"), message: v.string(), balance: PointsSchema }),
});

export type InsufficientPointsAnswer = v.InferOutput<typeof InsufficientPointsAnswerSchema>;

/** `409 price_changed`: the reward's price now, so the app can show it and ask again. */
export const PriceChangedAnswerSchema = v.object({
  error: v.object({ code: v.literal("price_changed"), message: v.string(), pointsCost: PointsSchema }),
});

export type PriceChangedAnswer = v.InferOutput<typeof PriceChangedAnswerSchema>;

/** The codes whose answer carries more than `code` and `message`. */
const DETAILED: Partial<Record<ErrorCode, v.GenericSchema>> = {
  insufficient_points: InsufficientPointsAnswerSchema,
  price_changed: PriceChangedAnswerSchema,
};

/** The answer of any of `codes`: one schema for the plain ones, one more per detailed code. */
export function errorAnswerSchema(codes: readonly ErrorCode[]): v.GenericSchema {
  const plain = codes.filter((code) => DETAILED[code] === undefined);
  const detailed = codes.flatMap((code) => DETAILED[code] ?? []);
  const schemas = [
    ...(plain.length > 0 ? [v.object({ error: v.object({ code: v.picklist(plain), message: v.string() }) })] : []),
    ...detailed,
  ];
  const [only, ...more] = schemas;
  if (only === undefined) throw new Error("an error answer needs at least one code");
  return more.length === 0 ? only : v.union(schemas);
}
