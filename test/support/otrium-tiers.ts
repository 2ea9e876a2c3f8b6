/**
 * Otrium's levels as a fixture: Member from 0, Silver from 500 (×1.25), Gold from 1,500 (×1.5),
 * as dev and prod carry them (`test/stack-config.test.ts` holds the stacks to these very values),
 * over a window of `windowDays` (the stacks' 365 unless a test needs periods to end within its weeks).
 */
import * as v from "valibot";
import { TiersSchema, type Tiers } from "../../handlers/domain/tier-settings";

export const otriumTiers = (windowDays = 365): Tiers =>
  v.parse(TiersSchema, {
    levels: [
      { name: "Member", threshold: 0 },
      { name: "Silver", threshold: 500, multiplier: 1.25 },
      { name: "Gold", threshold: 1500, multiplier: 1.5 },
    ],
    windowDays,
  });
