import type { SweepHeatmap, SweepMetric, WalkForwardSummary } from "@quantago/contracts";
import { formatDate, formatFractionPct, formatNumber } from "@quantago/ui";
import { toneStyle } from "./analytics-views.tsx";

/** Every metric a sweep ranks by, as a trader reads it. */
export const METRIC_LABELS: Readonly<Record<SweepMetric, string>> = {
  sharpe: "Sharpe ratio",
  totalReturn: "Total return",
  sortino: "Sortino ratio",
  calmar: "Calmar ratio",
  cagr: "CAGR",
  profitFactor: "Profit factor",
  winRate: "Win rate",
  expectancy: "Average trade (expectancy)",
  netProfit: "Net profit",
  maxDrawdown: "Max drawdown",
};

const FRACTIONS = new Set(["totalReturn", "cagr", "winRate", "maxDrawdown"]);

/** A metric's value as text: fractions as percentages, the rest with two decimals; — when undefined. */
export function formatMetric(metric: string, v: unknown): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  return FRACTIONS.has(metric)
    ? formatFractionPct(v, 2, metric !== "winRate" && metric !== "maxDrawdown")
    : formatNumber(v);
}

export const metricLabel = (m: string) => METRIC_LABELS[m as SweepMetric] ?? m;

/** `fast=5 · slow=20` */
export const formatParameters = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" · ");

/**
 * How good each score is, in [-1, 1] (1 the best): around zero when the scores straddle it (a
 * diverging scale: red below, green above), else from the worst (0) to the best (1), one hue.
 * `maxDrawdown` is better lower.
 */
export function scoreScale(metric: string, scores: readonly number[]): (v: number) => number {
  const sign = metric === "maxDrawdown" ? -1 : 1;
  const s = scores.map((v) => v * sign);
  const lo = Math.min(...s);
  const hi = Math.max(...s);
  if (lo < 0 && hi > 0) {
    const span = Math.max(-lo, hi);
    return (v) => (v * sign) / span;
  }
  return (v) => (hi === lo ? 0.5 : (v * sign - lo) / (hi - lo));
}

/** At most 46 % of the tone mixed in: the text keeps a 4.5:1 contrast in the dark theme too. */
const HEATMAP_STRENGTH = 0.75;

/**
 * Scores over two parameters: rows the y values, columns the x values, each cell a button (its
 * score as text, its colour from {@link scoreScale}) that opens that combination's full result.
 */
export function ScoreHeatmap({
  heatmap,
  onOpen,
  busy,
}: {
  heatmap: SweepHeatmap;
  onOpen: (combination: number, label: string) => void;
  busy: boolean;
}) {
  const { x, y, metric, cells } = heatmap;
  const scores = cells.flat().flatMap((c) => (c && c.score !== null ? [c.score] : []));
  const scale = scoreScale(metric, scores);
  const straddles = scores.some((v) => v < 0) && scores.some((v) => v > 0) && metric !== "maxDrawdown";
  return (
    <>
      <p className="q-hint">
        {metricLabel(metric)} by {x.parameter} (across) and {y.parameter} (down). Select a cell to run that
        combination as a full backtest.
      </p>
      <div className="q-table-wrap">
        <table className="q-table q-heatmap">
          <caption className="q-visually-hidden">
            {metricLabel(metric)} by {x.parameter} and {y.parameter}
          </caption>
          <thead>
            <tr>
              <th scope="col">
                {y.parameter} ↓ · {x.parameter} →
              </th>
              {x.values.map((v) => (
                <th key={String(v)} scope="col" className="q-num q-mono">
                  {String(v)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cells.map((row, yi) => (
              <tr key={String(y.values[yi])}>
                <th scope="row" className="q-num q-mono">
                  {String(y.values[yi])}
                </th>
                {row.map((cell, xi) => {
                  const where = `${x.parameter} ${String(x.values[xi])}, ${y.parameter} ${String(y.values[yi])}`;
                  return (
                    <td key={String(x.values[xi])} className="q-num">
                      {cell ? (
                        <button
                          type="button"
                          className="q-heatmap-cell q-mono"
                          style={
                            cell.score === null ? undefined : toneStyle(scale(cell.score) * HEATMAP_STRENGTH)
                          }
                          aria-label={`Open ${where}: ${metricLabel(metric)} ${formatMetric(metric, cell.score)}`}
                          disabled={busy}
                          onClick={() => onOpen(cell.combination, where)}
                        >
                          {formatMetric(metric, cell.score)}
                        </button>
                      ) : (
                        <span
                          className="q-muted"
                          title="Not run: the strategy's rules refuse this combination"
                        >
                          —
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="q-hint">
        {straddles
          ? "Colour: green above zero, red below, stronger further from zero."
          : "Colour: the stronger the green, the better the score within this map."}{" "}
        {metric === "maxDrawdown" ? "Lower drawdown is better. " : ""}— marks a combination the strategy's
        rules refuse (never run).
      </p>
    </>
  );
}

const DAY = 86_400_000;

/**
 * Each window's in-sample span (where the parameters were chosen) and out-of-sample span (where they
 * were then tested) on one time axis, with the chosen parameters beside each row.
 */
export function WindowsChart({ windows }: { windows: WalkForwardSummary["windows"] }) {
  if (windows.length === 0) return null;
  const t = (s: string) => Date.parse(s);
  const t0 = Math.min(...windows.map((w) => t(w.in_sample.start)));
  const t1 = Math.max(...windows.map((w) => t(w.out_of_sample.end)));
  const left = 90;
  const barsWidth = 560;
  const width = left + barsWidth + 250;
  const row = 26;
  const top = 8;
  const height = top + windows.length * row + 28;
  const px = (ms: number) => left + ((ms - t0) / Math.max(1, t1 - t0)) * barsWidth;
  const ticks = 4;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`Walk-forward windows from ${formatDate(t0)} to ${formatDate(t1)}: ${windows.length} windows, each an in-sample span followed by an out-of-sample span`}
      >
        {Array.from({ length: ticks + 1 }, (_, i) => {
          const ms = t0 + ((t1 - t0) * i) / ticks;
          return (
            <g key={ms}>
              <line x1={px(ms)} x2={px(ms)} y1={top} y2={height - 22} stroke="var(--border)" />
              <text
                x={px(ms)}
                y={height - 6}
                fontSize={12}
                fill="var(--muted)"
                textAnchor={i === 0 ? "start" : i === ticks ? "end" : "middle"}
              >
                {formatDate(Math.round(ms / DAY) * DAY)}
              </text>
            </g>
          );
        })}
        {windows.map((w, k) => {
          const y = top + k * row;
          const is = [px(t(w.in_sample.start)), px(t(w.in_sample.end))] as const;
          const oos = [px(t(w.out_of_sample.start)), px(t(w.out_of_sample.end))] as const;
          return (
            <g key={w.index}>
              <text x={0} y={y + 16} fontSize={12} fill="var(--text)">
                Window {w.index + 1}
              </text>
              <rect
                x={is[0]}
                y={y + 4}
                width={Math.max(1, is[1] - is[0])}
                height={row - 10}
                fill="var(--accent)"
                opacity={0.45}
              >
                <title>
                  In-sample {formatDate(w.in_sample.start)} to {formatDate(w.in_sample.end)} (
                  {w.in_sample.bars} bars)
                </title>
              </rect>
              <rect
                x={oos[0]}
                y={y + 4}
                width={Math.max(1, oos[1] - oos[0])}
                height={row - 10}
                fill="var(--positive)"
              >
                <title>
                  Out-of-sample {formatDate(w.out_of_sample.start)} to {formatDate(w.out_of_sample.end)} (
                  {w.out_of_sample.bars} bars)
                </title>
              </rect>
              <text x={left + barsWidth + 12} y={y + 16} fontSize={12} fill="var(--text)" className="q-mono">
                {formatParameters(w.parameters)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="q-hint">
        <span className="q-swatch" style={{ background: "var(--accent)", opacity: 0.45 }} /> in-sample
        (parameters chosen there) · <span className="q-swatch" style={{ background: "var(--positive)" }} />{" "}
        out-of-sample (those parameters tested on unseen bars); the chosen parameters at the right of each
        window.
      </figcaption>
    </figure>
  );
}
