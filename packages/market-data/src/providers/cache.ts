export interface RequestCacheOptions {
  /** How long a successful result is served from memory; default 30 s. */
  ttlMs?: number;
  /** Most results kept; the least recently used is dropped first. Default 200. */
  maxEntries?: number;
  /**
   * How long a caller waits for an identical request already in flight before running its own;
   * default 30 s. See {@link RequestCache.getOrLoad} for why waiting is bounded.
   */
  inFlightWaitMs?: number;
  /** Clock (Unix ms); injectable for tests. */
  now?: () => number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

const TIMED_OUT = Symbol("timed out");

/**
 * A small in-memory LRU with TTL for provider responses, plus de-duplication of identical requests in
 * flight. Only successes are cached: an error is retried by the next caller. Values are shared between
 * callers, so store immutable values (the providers freeze their candles).
 *
 * Lives as long as whoever holds it: in a Worker, create the provider (and so its cache) once per
 * isolate, outside the request handler, to get hits across requests.
 *
 * @example
 * const cache = new RequestCache({ ttlMs: 30_000, maxEntries: 100 });
 * const bars = await cache.getOrLoad("binance|BTCUSDT|1m|0|60000", () => download());
 */
export class RequestCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly inFlightWaitMs: number;
  private readonly now: () => number;

  constructor(options: RequestCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 200);
    this.inFlightWaitMs = options.inFlightWaitMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Entries currently stored (expired ones included until touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }

  /**
   * The cached value for `key`, or the result of an identical `load` already running, or a fresh
   * `load()` whose success is cached for the TTL.
   *
   * Waiting on another caller's in-flight promise is bounded by `inFlightWaitMs`, after which this
   * caller loads on its own. On Workers a promise started by one request never settles if that request
   * is cancelled (client gone), and a later request awaiting it would hang until the isolate dies.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.lookup(key);
    if (hit !== undefined) return hit.value as T;
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      const shared = await this.waitBounded(running as Promise<T>);
      if (shared !== TIMED_OUT) return shared;
    }
    const started = load();
    this.inFlight.set(key, started);
    try {
      const value = await started;
      this.store(key, value);
      return value;
    } finally {
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    }
  }

  private lookup(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used: Map iterates in insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private store(key: string, value: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  private waitBounded<T>(promise: Promise<T>): Promise<T | typeof TIMED_OUT> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.inFlightWaitMs);
    });
    // The guard keeps this valid under the Workers' `clearTimeout(number | null)` as well as Node's.
    return Promise.race([promise, timeout]).finally(() => {
      if (timer !== undefined) clearTimeout(timer);
    });
  }
}
