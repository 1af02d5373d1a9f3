import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { type Columns, columnsQuery } from "./columns.ts";
import { TIMEFRAME_MS, type Timeframe } from "./market.ts";

/* What a candle chart loads (docs/adr/0015-candle-overview-and-detail.md): a range small enough at the
   asked timeframe is read as it is; a longer one is read first as an overview at a rollup timeframe,
   and the bars at the asked timeframe are read for the window around what the trader zooms into. */

/** Up to this many bars are read at the asked timeframe in one go (fast to fetch and draw). */
export const DIRECT_MAX_BARS = 20_000;
/** The overview's size bound: the finest rollup that covers the range in at most this many bars. */
const OVERVIEW_MAX_BARS = 10_000;
/**
 * The first view's size bound. lightweight-charts' first paint grows with the bars it is given: in
 * headless Chromium on the 2-core dev machine, from `setData` to the painted frame took ~220 ms for
 * 1,000 bars, ~235 ms for 3,000 and ~380 ms for 8,760 (a year of 1h). A larger overview is drawn
 * first at this bound and replaced by the overview once that frame is painted.
 */
const FIRST_VIEW_MAX_BARS = 3_000;
/** Detail is read once the visible range holds at most this many bars of the asked timeframe. */
const DETAIL_VISIBLE_MAX_BARS = 5_000;
/** The timeframes the API keeps rollups for (ADR 9): an overview at one is read from whole buckets. */
const ROLLUPS: readonly Timeframe[] = ["1h", "4h", "1d", "1w"];
const DAY_MS = 86_400_000;

/** `tf` when `[fromMs, toMs)` holds at most `direct` bars of it, else the finest coarser rollup within `rollup`. */
function timeframeWithin(tf: Timeframe, fromMs: number, toMs: number, direct: number, rollup: number) {
  const span = toMs - fromMs;
  if (!Number.isFinite(span) || span / TIMEFRAME_MS[tf] <= direct) return tf;
  const fit = ROLLUPS.find((r) => TIMEFRAME_MS[r] > TIMEFRAME_MS[tf] && span / TIMEFRAME_MS[r] <= rollup);
  return fit ?? "1w";
}

/** The timeframe of the overview of `[fromMs, toMs)`: `tf` itself when small enough, else a rollup. */
export function overviewTimeframe(tf: Timeframe, fromMs: number, toMs: number): Timeframe {
  return timeframeWithin(tf, fromMs, toMs, DIRECT_MAX_BARS, OVERVIEW_MAX_BARS);
}

/** The timeframe drawn first: the overview's when it is small, else a coarser rollup (at most 3,000 bars). */
export function firstViewTimeframe(tf: Timeframe, fromMs: number, toMs: number): Timeframe {
  return timeframeWithin(tf, fromMs, toMs, FIRST_VIEW_MAX_BARS, FIRST_VIEW_MAX_BARS);
}

/**
 * The detail window for a visible range, or `undefined` when the overview is enough: the visible
 * range plus its own width either side, in whole UTC days (so it meets the overview's 1h/4h/1d
 * buckets exactly), inside `[fromMs, toMs)`.
 */
export function detailWindow(
  tf: Timeframe,
  visible: { from: number; to: number },
  fromMs: number,
  toMs: number,
): { from: number; to: number } | undefined {
  const span = visible.to - visible.from;
  if (span / TIMEFRAME_MS[tf] > DETAIL_VISIBLE_MAX_BARS) return undefined;
  const from = Math.max(fromMs, Math.floor((visible.from - span) / DAY_MS) * DAY_MS);
  const to = Math.min(toMs, Math.ceil((visible.to + span + 1) / DAY_MS) * DAY_MS);
  return from < to ? { from, to } : undefined;
}

/** The overview's bars outside the detail's span, with the detail's bars in their place. */
export function mergeColumns(overview: Columns, overviewTf: Timeframe, detail: Columns): Columns {
  const n = detail.time.length;
  if (n === 0) return overview;
  const first = detail.time[0] as number;
  const last = detail.time[n - 1] as number;
  const bucket = TIMEFRAME_MS[overviewTf];
  let before = 0;
  while (before < overview.time.length && (overview.time[before] as number) + bucket <= first) before++;
  let after = before;
  while (after < overview.time.length && (overview.time[after] as number) <= last) after++;
  const size = before + n + (overview.time.length - after);
  const join = (k: keyof Columns) => {
    const out = new Float64Array(size);
    out.set(overview[k].subarray(0, before), 0);
    out.set(detail[k], before);
    out.set(overview[k].subarray(after), before + n);
    return out;
  };
  return {
    time: join("time"),
    open: join("open"),
    high: join("high"),
    low: join("low"),
    close: join("close"),
    volume: join("volume"),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What a candle chart of `symbol` at `timeframe` over `[from, to)` reads first: its first view's bars. */
export function firstViewColumnsQuery(p: { symbol: string; timeframe: Timeframe; from: string; to: string }) {
  const timeframe = firstViewTimeframe(p.timeframe, Date.parse(p.from), Date.parse(p.to));
  return columnsQuery({ symbol: p.symbol, timeframe, from: p.from, to: p.to });
}

/**
 * Bars of `symbol` at `timeframe` over `[from, to)` for a candle chart: a first view of at most 3,000
 * bars, then the overview, then detail at `timeframe` for the zoomed-in window (give
 * `onVisibleRangeChange` to the chart). `overviewTimeframe` says what the bars outside the detail are
 * read at now, for labels.
 */
export function useCandleWindow(p: {
  symbol: string;
  timeframe: Timeframe;
  from: string;
  to: string;
  enabled?: boolean;
}) {
  const fromMs = Date.parse(p.from);
  const toMs = Date.parse(p.to);
  const firstTf = firstViewTimeframe(p.timeframe, fromMs, toMs);
  const overviewTf = overviewTimeframe(p.timeframe, fromMs, toMs);
  const enabled = p.enabled ?? true;
  // The series and range: a detail window or a painted first view belongs to one of them.
  const key = `${p.symbol}|${p.timeframe}|${p.from}|${p.to}`;
  const firstView = useQuery({
    ...firstViewColumnsQuery(p),
    enabled,
    placeholderData: keepPreviousData,
  });
  // The overview is asked for two frames after the first view rendered, once the chart has painted it:
  // its request, decoding and larger `setData` would otherwise land before that first paint.
  const progressive = firstTf !== overviewTf;
  const firstShown = firstView.data !== undefined && !firstView.isPlaceholderData;
  const [paintedKey, setPaintedKey] = useState<string | undefined>();
  useEffect(() => {
    // An empty first view means an empty overview: nothing more to read.
    if (!progressive || !firstShown || firstView.data.time.length === 0 || paintedKey === key) return;
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => setPaintedKey(key));
    });
    return () => cancelAnimationFrame(frame);
  }, [progressive, firstShown, firstView.data, paintedKey, key]);
  const overview = useQuery({
    ...columnsQuery({ symbol: p.symbol, timeframe: overviewTf, from: p.from, to: p.to }),
    enabled: enabled && progressive && paintedKey === key,
  });
  // The overview's bars (this key's only), for what is computed from a whole range (buy & hold).
  const overviewBars = progressive ? overview.data : firstShown ? firstView.data : undefined;
  // What the chart shows outside any detail: the overview once it is here, the first view until then.
  const overviewShown = progressive && overview.data !== undefined;
  const shown = overviewShown ? overview.data : firstView.data;
  const shownTf = overviewShown ? overviewTf : firstTf;

  const [detailState, setDetailState] = useState<{ key: string; from: number; to: number } | undefined>();
  const range = detailState?.key === key ? detailState : undefined;
  const refines = overviewTf !== p.timeframe;
  const detail = useQuery({
    ...columnsQuery({
      symbol: p.symbol,
      timeframe: p.timeframe,
      // Until a window is picked the query is disabled; the range may not be known yet (empty dates).
      from: range ? iso(range.from) : p.from,
      to: range ? iso(range.to) : p.to,
    }),
    enabled: enabled && refines && range !== undefined,
    placeholderData: keepPreviousData,
  });
  const onVisibleRangeChange = useCallback(
    (visible: { from: number; to: number }) => {
      if (!refines) return;
      setDetailState((current) => {
        const next = detailWindow(p.timeframe, visible, fromMs, toMs);
        if (!next) return undefined;
        // Keep the window while the view stays inside it: panning within it reads nothing.
        if (current?.key === key && visible.from >= current.from && visible.to <= current.to) return current;
        return { key, ...next };
      });
    },
    [refines, key, p.timeframe, fromMs, toMs],
  );
  // A placeholder from another series must not be merged in: only this key's detail counts.
  const detailData = range && refines && detail.data ? detail.data : undefined;
  const bars = useMemo(
    () => (shown && detailData ? mergeColumns(shown, shownTf, detailData) : shown),
    [shown, detailData, shownTf],
  );
  return {
    bars,
    /** The first view's query: what the chart's loading, failure (with retry) and placeholder state are. */
    firstView,
    overviewBars,
    overviewTimeframe: shownTf,
    /**
     * Set when the overview did not load: the chart keeps the first view (at `overviewTimeframe`), and
     * the page says so, with a retry.
     */
    overviewFailure:
      overviewShown || !overview.isError
        ? undefined
        : {
            error: overview.error,
            timeframe: overviewTf,
            retry: overview.refetch,
            retrying: overview.isFetching,
          },
    detailShown: Boolean(detailData && !detail.isPlaceholderData),
    onVisibleRangeChange,
  };
}
