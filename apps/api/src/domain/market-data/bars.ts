/**
 * The bars a run consumes, with their content hash, for backtests and anything else that runs the
 * engine over a stored range (parameter sweeps): `loadBars`. The most recent read is kept in the
 * isolate, keyed by the range and the series' version stamp (`seriesRevisions`: it moves with every
 * write to those bars), so running the same range again (a rerun, the next point of a sweep) skips
 * the read and the hash and gets the very same bars.
 */
import {
  baseTimeframe,
  type ColumnarResult,
  readBarsColumnar,
  seriesRevisions,
  type Timeframe,
} from "@quantago/market-data";
import type { BarColumns } from "@quantago/strategies";
import { toHex } from "../../lib/hex.ts";
import type { Services } from "../../services.ts";

export interface BarRange {
  symbol: string;
  timeframe: Timeframe;
  from: Date;
  to: Date;
}

export interface LoadedBars {
  bars: ColumnarResult;
  /** SHA-256 of the bars ({@link hashBars}); settles after the bars, or at once when they were cached. */
  hash: Promise<string>;
  /** True when the bars came from the isolate's cache. */
  cached: boolean;
}

/**
 * Concurrent slices of a long bar read (ranges under 100,000 buckets a slice are read in fewer). The
 * SMAX-1M bars straight from the dev stack's ClickHouse (`bench/market-data/slices.ts --symbol SMAX-1M
 * --from 2020-01-01 --to 2022-01-01 --slices 1,2,4,8`), p50 of 10 reads in two runs: 1 slice 640–683 ms,
 * 2 slices 364–427, 4 slices 337–412, 8 slices 287–301. Through the Worker, eight lost in two of
 * three alternated rounds: uncached loads of a million bars (a backtest over a range not read before)
 * had round medians of 498, 466 and 446 ms with four slices against 642, 418 and 741 ms with eight. On
 * 2 cores the Worker receiving eight responses competes with the server still producing them.
 */
const BAR_READ_SLICES = 4;

/**
 * Largest read kept (48 bytes a bar: 96 MB). One entry only, dropped before any other read starts, so
 * the cache never makes an isolate hold two ranges at once.
 */
const MAX_CACHED_BARS = 2_000_000;

let cached: { key: string; bars: ColumnarResult; hash: Promise<string> } | null = null;

/** SHA-256 (hex) over the six bar columns' bytes in order: equal hash, equal bars. */
export async function hashBars(bars: BarColumns): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    await writer.write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  await writer.close();
  return toHex(new Uint8Array(await digest.digest));
}

/**
 * The bars of `range` through the columnar read path (zero bars when the symbol has none there), from
 * the isolate's cache when the same range of the same stored bars was the last one read. The arrays
 * may be shared with other runs: treat them as read-only.
 *
 * @throws TimeframeTooFineError when `timeframe` is finer than the stored base timeframe
 */
export async function loadBars(
  { clickhouse, config }: Pick<Services, "clickhouse" | "config">,
  range: BarRange,
): Promise<LoadedBars> {
  const database = config.CLICKHOUSE_DB;
  const fromMs = range.from.getTime();
  const toMs = range.to.getTime();
  // The base timeframe and the version stamps of every base, side by side: one round trip, not two.
  const [base, stamps] = await Promise.all([
    baseTimeframe(clickhouse, range.symbol, { database }),
    seriesRevisions(clickhouse, { symbol: range.symbol, fromMs, toMs }, database),
  ]);
  const stamp = base === null ? null : (stamps.get(base) ?? null);
  const key = JSON.stringify([database, range.symbol, range.timeframe, base, fromMs, toMs, stamp]);
  if (stamp !== null && cached?.key === key) return { bars: cached.bars, hash: cached.hash, cached: true };
  cached = null;
  const bars = await readBarsColumnar(
    clickhouse,
    {
      symbol: range.symbol,
      timeframe: range.timeframe,
      from: range.from,
      to: range.to,
      database,
      ...(base === null ? {} : { base }),
    },
    // Long ranges are read as a few concurrent, bucket-aligned slices: the same bars, sooner.
    { slices: BAR_READ_SLICES },
  );
  const hash = hashBars(bars);
  if (stamp !== null && bars.count > 0 && bars.count <= MAX_CACHED_BARS) {
    cached = { key, bars, hash };
    // A failed hash is the caller's to see; the entry must not keep serving it.
    hash.catch(() => {
      if (cached?.key === key) cached = null;
    });
  }
  return { bars, hash, cached: false };
}
