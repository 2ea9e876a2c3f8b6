/**
 * How big a benchmark run is. `npm run bench` measures at full size; `BENCH_QUICK=1` shrinks
 * event counts, durations and repetitions so that a change to the benchmarks themselves can be
 * tried in seconds on a shared machine. Quick figures are for checking the code, never to quote:
 * the results file says which size produced it.
 */
export const QUICK = process.env.BENCH_QUICK === "1";

export const SCALE = {
  /** Order events per writer run. */
  writerEvents: QUICK ? 200 : 1_000,
  /** Seconds per load row (reader, its floors). */
  loadSeconds: QUICK ? 1 : 5,
  /** Fresh processes per cold `require` median. */
  coldRequireRuns: QUICK ? 3 : 15,
  /** Order events pushed through the whole local runtime. */
  localRuntimeEvents: QUICK ? 200 : 1_000,
  /** Orders of the heavy customer over three years (the lifecycle issue asks for 10,000). */
  heavyCustomerOrders: QUICK ? 1_500 : 10_000,
  /** Ledger entries of the customer the erasure is measured on (the erasure issue asks for 10,000). */
  erasureEntries: QUICK ? 1_000 : 10_000,
  /** Historic orders in the backfill file published through the local runtime (and published again). */
  backfillOrders: QUICK ? 200 : 2_000,
  /** Customers with a lot expiring on the day the settle is measured on. */
  settleCustomers: QUICK ? 100 : 1_000,
  /** Stacks run under mocks, in order (each twice at full size: the second run is warm). */
  programStacks: QUICK ? ["dev", "prod"] : ["dev", "prod", "dev", "prod"],
} as const;
