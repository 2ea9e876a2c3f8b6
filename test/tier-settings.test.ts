/**
 * The tiers' settings as the handlers and the local runtime read them (`TIERS`), and the
 * multiplier's rounding: integer hundredths, rounding down, never a float.
 */
import test from "ava";
import { multiplied, TiersSchema } from "../handlers/domain/tier-settings";
import { InvalidEnvironmentError, readEnv, tiersOf } from "../handlers/runtime/env";
import { parseTiers } from "../local/cli-input";
import { devStackSettings } from "../local/settings";
import * as v from "valibot";

const OTRIUM = {
  levels: [
    { name: "Member", threshold: 0, multiplier: 1 },
    { name: "Silver", threshold: 500, multiplier: 1.25 },
    { name: "Gold", threshold: 1500, multiplier: 1.5 },
  ],
  windowDays: 365,
};

test("TIERS is read by the handlers' init: JSON, the same rules, unset means no tiers", (t) => {
  t.deepEqual(readEnv({ TABLE_NAME: "loyalty", TIERS: JSON.stringify(OTRIUM) }).TIERS, OTRIUM);
  t.is(readEnv({ TABLE_NAME: "loyalty" }).TIERS, undefined);
  t.throws(() => readEnv({ TABLE_NAME: "loyalty", TIERS: "Gold at 1500" }), {
    instanceOf: InvalidEnvironmentError,
    message: /TIERS: must be JSON like \{"levels": \[\{"name": "Member", "threshold": 0\}\], "windowDays": 365\}/,
  });
  t.throws(() => tiersOf({ TIERS: '{"levels":[{"name":"Member","threshold":0,"multiplier":11}]}' }), {
    instanceOf: InvalidEnvironmentError,
    message: /TIERS\.levels\.0\.multiplier: must be from 1 to 10 with at most two decimals/,
  });
});

test("the local runtime runs the dev stack's tiers unless TIERS is given to npm start", (t) => {
  t.deepEqual(devStackSettings().tiers, OTRIUM);
  t.is(parseTiers({}), undefined);
  t.deepEqual(
    parseTiers({ TIERS: '{"levels":[{"name":"Member","threshold":0},{"name":"Gold","threshold":50,"multiplier":2}],"windowDays":7}' }),
    {
      levels: [
        { name: "Member", threshold: 0, multiplier: 1 },
        { name: "Gold", threshold: 50, multiplier: 2 },
      ],
      windowDays: 7,
    },
  );
});

test("an order earns floor(base × multiplier), computed in integer hundredths", (t) => {
  const [member, silver, gold] = v.parse(TiersSchema, OTRIUM).levels;
  if (!member || !silver || !gold) throw new Error("three levels");
  t.is(multiplied(123, member), 123);
  t.is(multiplied(123, silver), 153, "153.75 rounds down");
  t.is(multiplied(123, gold), 184, "184.5 rounds down");
  t.is(multiplied(0, gold), 0);
  // 1.15 is 1.149999… as a float: 100 × 1.15 would be 114 points, the hundredths give 115.
  t.is(multiplied(100, { name: "x", threshold: 0, multiplier: 1.15 }), 115);
  t.is(multiplied(Number.MAX_SAFE_INTEGER, member), Number.MAX_SAFE_INTEGER);
});
