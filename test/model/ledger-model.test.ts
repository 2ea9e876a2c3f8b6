/**
 * The ledger against its reference model: random sequences of every input, through the real
 * handlers on DynamoDB Local, compared after every step (the answer, the balance, pending,
 * lifetimeEarned, every page of the history and every event published from the table's stream). `npm test` runs a bounded number of sequences,
 * the same ones every time; `npm run test:model -- --runs N` runs more, and `-- --seed S` replays
 * one run's seed.
 */
import { testProp } from "@fast-check/ava";
import { useDynamoLocal } from "../support/dynamo-local-per-file";
import { ADMIN_BACKEND } from "../support/iam-caller";
import { steps } from "./arbitraries";
import { createModelTable, describeDisagreement, run, type ModelTable } from "./driver";

process.env.ADMIN_PRINCIPALS = JSON.stringify([ADMIN_BACKEND]);

const dynamo = useDynamoLocal();

/** `--name N` after ava's `--`, or the environment's `MODEL_<NAME>`. */
function option(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  const text = at >= 0 ? process.argv[at + 1] : process.env[`MODEL_${name.toUpperCase()}`];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be a whole number, not ${text}`);
  return value;
}

const RUNS = option("runs") ?? 30;
/**
 * `npm test` replays the same sequences every time (a fixed seed), so whether a change lands never
 * depends on luck; `npm run test:model -- --runs N` explores with a fresh seed unless given one.
 * A disagreement either finds becomes a named test in `regressions.test.ts`.
 */
const FIXED_SEED = 20_261_203;
const SEED = option("seed") ?? (option("runs") === undefined ? FIXED_SEED : undefined);

/**
 * One table, with its stream, for every run (each run is a fresh customer; fast-check runs them one
 * after another), made by the first run: ava runs before hooks concurrently, so none can wait for
 * DynamoDB Local's.
 */
let table: Promise<ModelTable> | undefined;
const sharedTable = () => (table ??= createModelTable(dynamo));

testProp(
  "every answer, balance, history page and published event agrees with the README's rules, whatever the inputs and their order",
  [steps],
  async (t, sequence) => {
    const found = await run(await sharedTable(), sequence);
    if (found) t.fail(describeDisagreement(sequence, found));
    else t.pass();
  },
  { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: false },
);
