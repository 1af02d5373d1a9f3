/**
 * Checkpoints of a remote strategy's answers, so a retried workflow step resumes a long remote run
 * instead of calling the strategy again from the first candle. The engine is deterministic: replaying
 * the recorded answers for the candles already decided rebuilds exactly the same portfolio, so the
 * next call sees exactly the input it would have seen without the interruption.
 *
 * Stored in R2 as append-only JSON parts (`<prefix>/<seq>.json`, each `[[index, answer], ...]`), one
 * part per save, so a save costs what was decided since the last one, not the whole history.
 */

export interface DecisionCheckpoint {
  /** Answers recorded by earlier attempts, by candle index. */
  load(): Promise<Map<number, unknown>>;
  /** Appends answers recorded since the last save. */
  save(entries: ReadonlyArray<readonly [number, unknown]>): Promise<void>;
  /** Removes every part (after the results are committed). */
  clear(): Promise<void>;
}

/** Parts are numbered with fixed width so R2's lexicographic listing is their order. */
const partKey = (prefix: string, seq: number) => `${prefix}/${String(seq).padStart(8, "0")}.json`;

async function listKeys(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `${prefix}/`, ...(cursor ? { cursor } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys.sort();
}

export function r2Checkpoint(bucket: R2Bucket, prefix: string): DecisionCheckpoint {
  let next = 0;
  return {
    async load() {
      const recorded = new Map<number, unknown>();
      const keys = await listKeys(bucket, prefix);
      for (const key of keys) {
        const object = await bucket.get(key);
        if (!object) continue;
        for (const [index, answer] of (await object.json()) as Array<[number, unknown]>)
          recorded.set(index, answer);
      }
      next = keys.length;
      return recorded;
    },
    async save(entries) {
      if (entries.length === 0) return;
      await bucket.put(partKey(prefix, next), JSON.stringify(entries));
      next += 1;
    },
    async clear() {
      const keys = await listKeys(bucket, prefix);
      for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
      next = 0;
    },
  };
}
