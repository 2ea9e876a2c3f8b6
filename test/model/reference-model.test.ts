/**
 * The reference model held to the README's own invariant, with no DynamoDB: once the settle has
 * run for every past day, the signed points of the history add up to balance + pending. A model
 * that broke it would judge the ledger by rules the README does not have.
 */
import { testProp } from "@fast-check/ava";
import { steps } from "./arbitraries";
import { LedgerModel } from "./reference-model";
import { DAY_MS, START } from "./steps";

testProp(
  "the model's history adds up to balance + pending once every past day is settled",
  [steps],
  (t, sequence) => {
    const model = new LedgerModel(Date.parse(START));
    for (const step of sequence) model.apply(step);
    const daysSinceStart = Math.ceil((model.clock - Date.parse(START)) / DAY_MS) + 5;
    model.apply({ kind: "settle", daysBack: Array.from({ length: daysSinceStart }, (_, k) => k) });
    const { balance, pending, history } = model.view();
    t.is(
      history.reduce((sum, item) => sum + item.points, 0),
      balance + pending,
    );
  },
  { numRuns: 2_000 },
);
