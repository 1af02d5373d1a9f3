import type { ClickHouseClient } from "@clickhouse/client-web";
import type { CoverageResponse } from "@quantago/contracts";
import { ohlcvTable, TIMEFRAME_MS, type Timeframe } from "@quantago/market-data";

const DAY_MS = 86_400_000;
/** Enough to act on; the largest gaps are the ones an operator backfills first. */
const MAX_GAPS = 50;

async function select<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<T>();
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Coverage of one stored series: first and last bar and bar count over all time, then, over the
 * `days` UTC days ending with the newest bar, the bars per day and the holes longer than one bar.
 * Bars are counted by distinct open time, as the table may hold a bar twice until it merges.
 */
export async function seriesCoverage(
  client: ClickHouseClient,
  scope: { symbol: string; timeframe: Timeframe; days: number },
  database?: string,
): Promise<CoverageResponse> {
  const { symbol, timeframe, days } = scope;
  const table = ohlcvTable(database);
  const series = "symbol = {symbol:String} AND timeframe = {timeframe:String}";
  const [stats] = await select<{ n: string; first: string; last: string }>(
    client,
    `SELECT toString(uniqExact(time)) AS n, toString(toUnixTimestamp64Milli(min(time))) AS first,
       toString(toUnixTimestamp64Milli(max(time))) AS last
     FROM ${table} WHERE ${series}`,
    { symbol, timeframe },
  );
  const barCount = Number(stats?.n ?? 0);
  const empty = { symbol, timeframe, barCount, days: [], gaps: [], gapsTruncated: false };
  if (!stats || barCount === 0)
    return { ...empty, barCount: 0, firstBar: null, lastBar: null, from: null, to: null };

  const step = TIMEFRAME_MS[timeframe];
  const first = Number(stats.first);
  const last = Number(stats.last);
  const from = Math.max(first - (first % DAY_MS), last - (last % DAY_MS) - (days - 1) * DAY_MS);
  const to = last + step;
  const window = { symbol, timeframe, from, to, step };
  const inWindow = `${series} AND time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
    AND time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;
  const [perDay, gapRows] = await Promise.all([
    select<{ day: string; bars: string }>(
      client,
      `SELECT toString(toDate(time, 'UTC')) AS day, toString(uniqExact(time)) AS bars
       FROM ${table} WHERE ${inWindow} GROUP BY day ORDER BY day`,
      window,
    ),
    // Each bar beside the one before it; a distance above one step is a hole.
    select<{ prev_ms: string; next_ms: string }>(
      client,
      `SELECT toString(prev) AS prev_ms, toString(t) AS next_ms FROM (
         SELECT t, lagInFrame(t, 1, toInt64(-1)) OVER (ORDER BY t ASC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev
         FROM (SELECT DISTINCT toUnixTimestamp64Milli(time) AS t FROM ${table} WHERE ${inWindow})
       ) WHERE prev >= 0 AND t - prev > {step:Int64}
       ORDER BY t - prev DESC, t ASC LIMIT ${MAX_GAPS + 1}`,
      window,
    ),
  ]);
  const counted = new Map(perDay.map((d) => [d.day, Number(d.bars)]));
  const dayList: CoverageResponse["days"] = [];
  for (let day = from; day < to; day += DAY_MS) {
    const key = iso(day).slice(0, 10);
    dayList.push({ day: key, bars: counted.get(key) ?? 0 });
  }
  const gaps = gapRows
    .slice(0, MAX_GAPS)
    .map((gap) => ({ prevMs: Number(gap.prev_ms), nextMs: Number(gap.next_ms) }))
    .sort((a, b) => a.prevMs - b.prevMs)
    .map(({ prevMs, nextMs }) => ({
      from: iso(prevMs + step),
      to: iso(nextMs),
      missingBars: Math.round((nextMs - prevMs) / step) - 1,
    }));
  return {
    ...empty,
    firstBar: iso(first),
    lastBar: iso(last),
    from: iso(from),
    to: iso(to),
    days: dayList,
    gaps,
    gapsTruncated: gapRows.length > MAX_GAPS,
  };
}
