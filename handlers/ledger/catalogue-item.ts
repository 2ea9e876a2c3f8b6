/**
 * A reward's catalogue item as stored: its definition nested under `definition`, beside the key,
 * `rewardId` and its times. Nested, because a top-level `kind` is what marks a ledger entry or
 * notice on the table's stream, and a reward's kind (`voucher`, …) must not read as one.
 */
import * as v from "valibot";
import { RewardSchema, type Reward, type RewardDefinition } from "../domain/rewards";

/** The attribute the definition is stored under. */
export const DEFINITION_ATTRIBUTE = "definition";

const CatalogueItemSchema = v.looseObject({
  rewardId: v.string(),
  [DEFINITION_ATTRIBUTE]: v.looseObject({}),
  createdAt: v.string(),
  updatedAt: v.string(),
});

/** The reward a catalogue item holds; an item that is none is damage, and throws. */
export function rewardOf(item: Record<string, unknown>): Reward {
  const { rewardId, definition, createdAt, updatedAt } = v.parse(CatalogueItemSchema, item);
  return v.parse(RewardSchema, { ...definition, rewardId, createdAt, updatedAt });
}

/** The definition as stored: without the fields a PUT left out (DynamoDB stores no `undefined`). */
export const storedDefinition = (definition: RewardDefinition): Record<string, unknown> =>
  Object.fromEntries(Object.entries(definition).filter(([, value]) => value !== undefined));
