import { useEffect, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ResolvedTheme } from "./theme.ts";

export interface LineSeries {
  label: string;
  values: ArrayLike<number | null>;
  color: string;
  /** Fill down to zero (drawdown). */
  fill?: string;
  dash?: number[];
}

/** A shaded span of the x axis (Unix seconds), e.g. a drawdown from its peak to its recovery. */
export interface XBand {
  from: number;
  to: number;
}

const axisColors = {
  light: { text: "#475569", grid: "#e2e8f0" },
  dark: { text: "#94a3b8", grid: "#1e293b" },
};

/** Tick spacings of a count axis: 1, 2, 5, 10, 20, 50, … (never 2.5 trades). */
const WHOLE_STEPS = Array.from({ length: 10 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/** A filled area between two of the chart's series (indices into `series`), e.g. a percentile band. */
export interface SeriesFill {
  upper: number;
  lower: number;
  fill: string;
}

/**
 * Time series with uPlot (fast for 100k+ points): `x` in Unix seconds, one or more lines, a legend
 * that follows the cursor. `valueFormat` formats the y axis and legend. With `xAxis`, `x` is a plain
 * number (e.g. a trade count) named and formatted by it instead of a time.
 */
export function LineChart({
  x,
  series,
  theme,
  height = 280,
  label,
  valueFormat = (v) => v.toFixed(2),
  axisFormat,
  bands,
  bandColor = "rgba(217,48,37,0.12)",
  xAxis,
  fills,
}: {
  x: ArrayLike<number>;
  series: readonly LineSeries[];
  theme: ResolvedTheme;
  height?: number;
  label: string;
  valueFormat?: (v: number) => string;
  /** Shorter labels for the y axis (e.g. `12.5k`); defaults to `valueFormat`. */
  axisFormat?: (v: number) => string;
  /** Spans to shade behind the lines (keep the array stable: a new one redraws the chart). */
  bands?: readonly XBand[];
  bandColor?: string;
  /** A numeric x axis: its name in the legend and its value format; `integer` puts ticks on whole numbers. */
  xAxis?: { label: string; format: (v: number) => string; integer?: boolean };
  /** Areas filled between two series (keep the array stable). */
  fills?: readonly SeriesFill[];
}) {
  const host = useRef<HTMLElement>(null);
  const fmt = useRef(valueFormat);
  fmt.current = valueFormat;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const colors = axisColors[theme];
    const axis = {
      stroke: colors.text,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid },
    };
    const shade = (u: uPlot) => {
      if (!bands || bands.length === 0) return;
      const { ctx, bbox } = u;
      ctx.save();
      ctx.fillStyle = bandColor;
      for (const band of bands) {
        // Clamped to the plot: a band may start before or end after the visible range (zoomed in).
        const left = Math.max(bbox.left, u.valToPos(band.from, "x", true));
        const right = Math.min(bbox.left + bbox.width, u.valToPos(band.to, "x", true));
        if (right > left) ctx.fillRect(left, bbox.top, Math.max(1, right - left), bbox.height);
      }
      ctx.restore();
    };
    const opts: Options = {
      width: Math.max(200, el.clientWidth),
      height,
      hooks: { drawClear: [shade] },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: !xAxis } },
      ...(fills ? { bands: fills.map((f) => ({ series: [f.upper + 1, f.lower + 1], fill: f.fill })) } : {}),
      axes: [
        xAxis
          ? {
              ...axis,
              ...(xAxis.integer ? { incrs: WHOLE_STEPS } : {}),
              values: (_u: uPlot, vals: number[]) => vals.map((v) => xAxis.format(v)),
            }
          : axis,
        { ...axis, size: 80, values: (_u, vals) => vals.map((v) => (axisFormat ?? fmt.current)(v)) },
      ],
      series: [
        xAxis
          ? { label: xAxis.label, value: (_u, v) => (v == null ? "—" : xAxis.format(v)) }
          : {
              label: "Time",
              value: (_u, v) =>
                v == null ? "—" : new Date(v * 1000).toISOString().slice(0, 16).replace("T", " "),
            },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          ...(s.fill ? { fill: s.fill } : {}),
          ...(s.dash ? { dash: s.dash } : {}),
          value: (_u: uPlot, v: number | null) => (v == null ? "—" : fmt.current(v)),
        })),
      ],
    };
    const data = [Array.from(x), ...series.map((s) => Array.from(s.values))] as unknown as AlignedData;
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, series, theme, height, axisFormat, bands, bandColor, xAxis, fills]);

  return (
    <figure
      ref={host}
      className="q-linechart"
      aria-label={label}
      style={{ minHeight: height + 40, margin: 0 }}
    />
  );
}
