/**
 * Runs `work` over `items` with at most `limit` in flight. Resolves once every item is done;
 * rejects with the first failure as soon as it happens, while the other lanes go on with the
 * items left, unawaited: a caller that must know when all have settled catches inside `work`.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every lane: each item is handed out exactly once.
  const queue = items.values();
  const lane = async (): Promise<void> => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
