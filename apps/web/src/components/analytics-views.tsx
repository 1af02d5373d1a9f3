import { formatDate, formatFractionPct, formatInteger } from "@quantago/ui";
import type { ReactNode } from "react";
import type { Bin, Drawdown, MonthReturn } from "./analytics.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A cell's colour for a signed strength `g` in [-1, 1]: green above zero, red below, stronger with
 * |g|, mixed into the surface so the text colour stays readable in both themes.
 */
export function toneStyle(g: number) {
  const pct = Math.round(12 + Math.min(1, Math.abs(g)) * 45);
  return {
    background: `color-mix(in srgb, var(${g >= 0 ? "--positive" : "--negative"}) ${pct}%, var(--surface))`,
    color: "var(--text)",
  };
}

/** Cell colour: green for gains, red for losses, stronger with size (5 % or more is full strength). */
const cellStyle = (v: number) => toneStyle(v / 0.05);

/** Years down, months across, each cell the month's return; the last column the year's. */
export function MonthlyHeatmap({ months }: { months: readonly MonthReturn[] }) {
  const years = [...new Set(months.map((m) => m.year))];
  const at = new Map(months.map((m) => [m.year * 12 + m.month, m.value]));
  return (
    <div className="q-table-wrap">
      <table className="q-table" style={{ tableLayout: "fixed" }}>
        <thead>
          <tr>
            <th scope="col">Year</th>
            {MONTHS.map((m) => (
              <th key={m} scope="col" className="q-num">
                {m}
              </th>
            ))}
            <th scope="col" className="q-num">
              Year
            </th>
          </tr>
        </thead>
        <tbody>
          {years.map((y) => {
            const own = months.filter((m) => m.year === y);
            const year = own.reduce((p, m) => p * (1 + m.value), 1) - 1;
            return (
              <tr key={y}>
                <th scope="row">{y}</th>
                {MONTHS.map((name, i) => {
                  const v = at.get(y * 12 + i);
                  return (
                    <td
                      key={name}
                      className="q-num q-mono q-small"
                      style={v === undefined ? undefined : cellStyle(v)}
                    >
                      {v === undefined ? "" : formatFractionPct(v, 2)}
                    </td>
                  );
                })}
                <td className="q-num q-mono q-small" style={{ ...cellStyle(year), fontWeight: 700 }}>
                  {formatFractionPct(year, 2)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Bars of counts per bucket (SVG stretched to the width), with a count axis on the left and the
 * first, middle and last edges under the bars, in HTML so they keep their size however narrow the
 * figure; each bar's tooltip gives its range and count. `fill` colours a bar (e.g. losses red, gains
 * green).
 */
export function Histogram({
  bins,
  label,
  format,
  unit,
  fill,
  caption,
}: {
  bins: readonly Bin[];
  /** The figure's accessible name. */
  label: string;
  /** An edge value as text. */
  format: (v: number) => string;
  /** What is counted, plural (`trades`, `paths`). */
  unit: string;
  fill: (bin: Bin) => string;
  caption: ReactNode;
}) {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = 640;
  const h = 180;
  const bw = w / Math.max(1, bins.length);
  const first = bins[0];
  const middle = bins[Math.floor(bins.length / 2)];
  const last = bins[bins.length - 1];
  return (
    <figure className="q-histogram">
      <div className="q-histogram-counts" aria-hidden="true">
        <span>
          {formatInteger(max)} {unit}
        </span>
        <span>0</span>
      </div>
      <svg viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <line x1={0} x2={w} y1={0.5} y2={0.5} stroke="var(--border)" strokeDasharray="4 4" />
        {bins.map((b, i) => {
          const bh = (b.count / max) * h;
          return (
            <rect
              key={b.from}
              x={i * bw + 1}
              y={h - bh}
              width={Math.max(1, bw - 2)}
              height={bh}
              fill={fill(b)}
            >
              <title>
                {format(b.from)} to {format(b.to)}: {formatInteger(b.count)} {unit}
              </title>
            </rect>
          );
        })}
        <line x1={0} x2={w} y1={h - 0.5} y2={h - 0.5} stroke="var(--border)" />
      </svg>
      <div className="q-histogram-edges" aria-hidden="true">
        <span>{first ? format(first.from) : ""}</span>
        <span>{middle && bins.length > 2 ? format(middle.from) : ""}</span>
        <span>{last ? format(last.to) : ""}</span>
      </div>
      <figcaption className="q-hint">{caption}</figcaption>
    </figure>
  );
}

const pct1 = (v: number) => formatFractionPct(v, 1);
const gainOrLoss = (b: Bin) => (b.from >= 0 ? "var(--positive)" : "var(--negative)");

/** Bars of trade counts per return bucket, losses red and gains green, with a readable summary. */
export function ReturnHistogram({
  bins,
  total,
  shown,
}: {
  bins: readonly Bin[];
  total: number;
  shown: number;
}) {
  const wins = bins.filter((b) => b.from >= 0).reduce((s, b) => s + b.count, 0);
  return (
    <Histogram
      bins={bins}
      label={`Histogram of ${formatInteger(shown)} trade returns: ${formatInteger(wins)} at or above zero, ${formatInteger(shown - wins)} below`}
      format={pct1}
      unit="trades"
      fill={gainOrLoss}
      caption={
        <>
          Return of each trade, in buckets; red below zero, green at or above. {formatInteger(wins)} winning,{" "}
          {formatInteger(shown - wins)} losing
          {shown < total ? ` (the first ${formatInteger(shown)} of ${formatInteger(total)} trades)` : ""}.
        </>
      }
    />
  );
}

/** The deepest drawdowns, numbered like the marks on the underwater chart. */
export function DrawdownList({ episodes }: { episodes: readonly Drawdown[] }) {
  if (episodes.length === 0) return null;
  return (
    <table className="q-table" style={{ marginTop: "0.5rem" }}>
      <caption className="q-hint" style={{ textAlign: "left", captionSide: "top" }}>
        Worst drawdowns (shaded on both charts, from peak to trough)
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col" className="q-num">
            Depth
          </th>
          <th scope="col">Peak</th>
          <th scope="col">Trough</th>
          <th scope="col">Recovered</th>
        </tr>
      </thead>
      <tbody>
        {episodes.map((e, i) => (
          <tr key={e.peak}>
            <td>{i + 1}</td>
            <td className="q-num q-mono q-tone-negative">{formatFractionPct(-e.depth, 1)}</td>
            <td className="q-mono q-small">{formatDate(e.peak * 1000)}</td>
            <td className="q-mono q-small">{formatDate(e.trough * 1000)}</td>
            <td className="q-mono q-small">
              {e.recovered === undefined ? "not yet" : formatDate(e.recovered * 1000)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
