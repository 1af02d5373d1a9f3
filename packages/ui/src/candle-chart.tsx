import {
  type CandlestickData,
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  type HistogramData,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useMemo, useRef } from "react";
import type { ResolvedTheme } from "./theme.ts";

/** Bars as columns (what `/api/market-data/columns` decodes to): times in Unix ms. */
export interface BarColumns {
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

export interface TradeMarker {
  /** Unix ms of the bar the marker sits on. */
  time: number;
  kind: "entry-long" | "entry-short" | "exit";
  text?: string;
}

const palette = {
  light: {
    bg: "#ffffff",
    text: "#334155",
    grid: "#eef2f7",
    up: "#0f9d58",
    down: "#d93025",
    border: "#cbd5e1",
  },
  dark: {
    bg: "#0f1521",
    text: "#cbd5e1",
    grid: "#1c2433",
    up: "#26c281",
    down: "#ff5f56",
    border: "#334155",
  },
};

function toSeries(bars: BarColumns, up: string, down: string) {
  const n = bars.time.length;
  const candles: CandlestickData<Time>[] = new Array(n);
  const volume: HistogramData<Time>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const time = ((bars.time[i] as number) / 1000) as UTCTimestamp;
    const open = bars.open[i] as number;
    const close = bars.close[i] as number;
    candles[i] = { time, open, high: bars.high[i] as number, low: bars.low[i] as number, close };
    volume[i] = { time, value: bars.volume[i] as number, color: close >= open ? `${up}66` : `${down}66` };
  }
  return { candles, volume };
}

/** A visible time range in Unix ms, as `onVisibleRangeChange` reports it. */
export interface TimeRangeMs {
  from: number;
  to: number;
}

/** Markers are drawn only within the visible range plus this many range widths either side. */
const MARKER_MARGIN = 1;

/** The markers (sorted by time) inside `[from, to]`, by binary search: 2,000 markers cost nothing per pan. */
function markersWithin(sorted: readonly TradeMarker[], from: number, to: number): readonly TradeMarker[] {
  const lowerBound = (t: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as TradeMarker).time < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return sorted.slice(lowerBound(from), lowerBound(to + 1));
}

/**
 * Candlesticks with volume underneath (lightweight-charts 5, data conflation on), optional trade
 * markers (only those near the visible range are handed to the chart), and `focusTime` to scroll to a
 * trade.
 *
 * New `bars` keep the visible time range, so a caller can swap a coarse overview for finer bars as the
 * trader zooms (`onVisibleRangeChange` says what is shown); the chart fits all bars on its first data
 * and whenever `viewKey` changes (another symbol or range). One frame after data is drawn the figure
 * gets `data-rendered` and the page a `candle-chart:rendered` performance mark (what bench/web times),
 * and `onDrawn` is called.
 */
export function CandleChart({
  bars,
  markers,
  theme,
  height = 420,
  label,
  focusTime,
  viewKey,
  onVisibleRangeChange,
  onDrawn,
}: {
  bars: BarColumns;
  markers?: readonly TradeMarker[];
  theme: ResolvedTheme;
  height?: number;
  label: string;
  focusTime?: number | undefined;
  viewKey?: string;
  onVisibleRangeChange?: (range: TimeRangeMs) => void;
  /** Called once, one frame after the first bars are drawn (when the performance mark is set). */
  onDrawn?: () => void;
}) {
  const host = useRef<HTMLElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candles = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volume = useRef<ISeriesApi<"Histogram"> | null>(null);
  const markerApi = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const fittedKey = useRef<string | undefined>(undefined);
  const visible = useRef<TimeRangeMs | undefined>(undefined);
  const onRange = useRef(onVisibleRangeChange);
  onRange.current = onVisibleRangeChange;
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;
  const sortedMarkers = useMemo(() => [...(markers ?? [])].sort((a, b) => a.time - b.time), [markers]);
  const showMarkers = useRef<(range: TimeRangeMs | undefined) => void>(() => {});

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const c = createChart(el, {
      autoSize: true,
      // A tiny minimum bar spacing lets "fit" show the whole range asked for; conflation keeps it fast.
      timeScale: { enableConflation: true, minBarSpacing: 0.001, timeVisible: true, secondsVisible: false },
      rightPriceScale: { scaleMargins: { top: 0.08, bottom: 0.25 } },
      localization: {
        timeFormatter: (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " "),
      },
    });
    candles.current = c.addSeries(CandlestickSeries, { priceLineVisible: false });
    volume.current = c.addSeries(HistogramSeries, {
      priceScaleId: "volume",
      priceFormat: { type: "volume" },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    c.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    markerApi.current = createSeriesMarkers(candles.current, []);
    // Range events come per frame while panning; markers and callers need only the settled range.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onTimeRange = (r: { from: Time; to: Time } | null) => {
      if (!r) return;
      const range = { from: (r.from as number) * 1000, to: (r.to as number) * 1000 };
      visible.current = range;
      clearTimeout(timer);
      timer = setTimeout(() => {
        showMarkers.current(range);
        onRange.current?.(range);
      }, 120);
    };
    c.timeScale().subscribeVisibleTimeRangeChange(onTimeRange);
    chart.current = c;
    return () => {
      clearTimeout(timer);
      c.timeScale().unsubscribeVisibleTimeRangeChange(onTimeRange);
      c.remove();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const p = palette[theme];
    chart.current?.applyOptions({
      layout: { background: { type: ColorType.Solid, color: p.bg }, textColor: p.text },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      rightPriceScale: { borderColor: p.border },
      timeScale: { borderColor: p.border },
    });
    candles.current?.applyOptions({
      upColor: p.up,
      downColor: p.down,
      wickUpColor: p.up,
      wickDownColor: p.down,
      borderVisible: false,
    });
    const ts = chart.current?.timeScale();
    if (bars.time.length > 0 && candles.current && volume.current && ts) {
      const keep = fittedKey.current === (viewKey ?? "") ? visible.current : undefined;
      const data = toSeries(bars, p.up, p.down);
      candles.current.setData(data.candles);
      volume.current.setData(data.volume);
      if (keep)
        ts.setVisibleRange({
          from: (keep.from / 1000) as UTCTimestamp,
          to: (keep.to / 1000) as UTCTimestamp,
        });
      else ts.fitContent();
      fittedKey.current = viewKey ?? "";
      const el = host.current;
      requestAnimationFrame(() => {
        if (el && !el.dataset.rendered) {
          el.dataset.rendered = "";
          performance.mark("candle-chart:rendered");
          drawn.current?.();
        }
      });
    } else {
      candles.current?.setData([]);
      volume.current?.setData([]);
    }
  }, [bars, theme, viewKey]);

  useEffect(() => {
    const p = palette[theme];
    // Labels only while they can be read; hundreds of "#n" texts are noise.
    const labelled = sortedMarkers.length <= 120;
    showMarkers.current = (range) => {
      const span = range ? range.to - range.from : 0;
      const shown = range
        ? markersWithin(sortedMarkers, range.from - MARKER_MARGIN * span, range.to + MARKER_MARGIN * span)
        : sortedMarkers;
      const list: SeriesMarker<Time>[] = shown.map((m) => ({
        time: (m.time / 1000) as UTCTimestamp,
        position: m.kind === "entry-short" ? "aboveBar" : m.kind === "exit" ? "inBar" : "belowBar",
        shape: m.kind === "entry-long" ? "arrowUp" : m.kind === "entry-short" ? "arrowDown" : "circle",
        color: m.kind === "entry-long" ? p.up : m.kind === "entry-short" ? p.down : p.text,
        ...(m.text && labelled ? { text: m.text } : {}),
      }));
      markerApi.current?.setMarkers(list);
    };
    showMarkers.current(visible.current);
  }, [sortedMarkers, theme]);

  // Scroll to a trade once per `focusTime`: finer bars arriving afterwards must not undo the trader's pan.
  const focused = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (focusTime === undefined || !chart.current || bars.time.length === 0) return;
    if (focused.current === focusTime) return;
    focused.current = focusTime;
    const ts = chart.current.timeScale();
    // Find the bar index of the trade and show 60 bars either side of it.
    let lo = 0;
    let hi = bars.time.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((bars.time[mid] as number) < focusTime) lo = mid + 1;
      else hi = mid;
    }
    ts.setVisibleLogicalRange({ from: lo - 60, to: lo + 60 });
  }, [focusTime, bars]);

  return <figure ref={host} className="q-chart" aria-label={label} style={{ height, margin: 0 }} />;
}
