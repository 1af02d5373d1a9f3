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
import { useEffect, useRef } from "react";
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

/**
 * Candlesticks with volume underneath (lightweight-charts 5, data conflation on so a year of 1-minute
 * candles pans smoothly), optional trade markers, and `focusTime` to scroll to a trade.
 */
export function CandleChart({
  bars,
  markers,
  theme,
  height = 420,
  label,
  focusTime,
}: {
  bars: BarColumns;
  markers?: readonly TradeMarker[];
  theme: ResolvedTheme;
  height?: number;
  label: string;
  focusTime?: number | undefined;
}) {
  const host = useRef<HTMLElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candles = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volume = useRef<ISeriesApi<"Histogram"> | null>(null);
  const markerApi = useRef<ISeriesMarkersPluginApi<Time> | null>(null);

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
    chart.current = c;
    return () => {
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
    if (bars.time.length > 0 && candles.current && volume.current) {
      const data = toSeries(bars, p.up, p.down);
      candles.current.setData(data.candles);
      volume.current.setData(data.volume);
      chart.current?.timeScale().fitContent();
    } else {
      candles.current?.setData([]);
      volume.current?.setData([]);
    }
  }, [bars, theme]);

  useEffect(() => {
    const p = palette[theme];
    const list: SeriesMarker<Time>[] = (markers ?? []).map((m) => ({
      time: (m.time / 1000) as UTCTimestamp,
      position: m.kind === "entry-short" ? "aboveBar" : m.kind === "exit" ? "inBar" : "belowBar",
      shape: m.kind === "entry-long" ? "arrowUp" : m.kind === "entry-short" ? "arrowDown" : "circle",
      color: m.kind === "entry-long" ? p.up : m.kind === "entry-short" ? p.down : p.text,
      // Labels only while they can be read; hundreds of "#n" texts are noise.
      ...(m.text && (markers?.length ?? 0) <= 120 ? { text: m.text } : {}),
    }));
    markerApi.current?.setMarkers(list);
  }, [markers, theme]);

  useEffect(() => {
    if (focusTime === undefined || !chart.current || bars.time.length === 0) return;
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
