import type { BacktestRecord } from "@quantago/contracts";
import type { EquityPoint } from "../queries/backtests.ts";

/** A metric row of the comparison: which way is better, or neither (a count, a share of time). */
export interface MetricRow {
  key: string;
  label: string;
  better: "higher" | "lower" | "none";
  kind: "pct" | "num" | "money" | "int";
}

export const COMPARE_METRICS: readonly MetricRow[] = [
  { key: "totalReturn", label: "Net return", better: "higher", kind: "pct" },
  { key: "buyAndHoldReturn", label: "Buy & hold", better: "none", kind: "pct" },
  { key: "cagr", label: "CAGR", better: "higher", kind: "pct" },
  { key: "maxDrawdown", label: "Max drawdown", better: "lower", kind: "pct" },
  { key: "sharpe", label: "Sharpe", better: "higher", kind: "num" },
  { key: "sortino", label: "Sortino", better: "higher", kind: "num" },
  { key: "calmar", label: "Calmar", better: "higher", kind: "num" },
  { key: "winRate", label: "Win rate", better: "higher", kind: "pct" },
  { key: "profitFactor", label: "Profit factor", better: "higher", kind: "num" },
  { key: "expectancy", label: "Expectancy", better: "higher", kind: "money" },
  { key: "numberOfTrades", label: "Trades", better: "none", kind: "int" },
  { key: "exposure", label: "Exposure", better: "none", kind: "pct" },
  { key: "feesPaid", label: "Fees paid", better: "lower", kind: "money" },
];

/**
 * Index of the best value of a row, or undefined when the row has no direction, fewer than two
 * values, or a tie for best (no run is singled out then).
 */
export function bestIndex(
  values: ReadonlyArray<number | null>,
  better: MetricRow["better"],
): number | undefined {
  if (better === "none") return undefined;
  let best: number | undefined;
  let count = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    count++;
    const b = best === undefined ? null : values[best];
    if (b === null || b === undefined || (better === "higher" ? v > b : v < b)) best = i;
  });
  if (count < 2 || best === undefined) return undefined;
  const top = values[best];
  return values.filter((v) => v === top).length > 1 ? undefined : best;
}

/**
 * Equity curves on one time axis, each as % change from its own first point, so runs with different
 * initial balances start at 0 %. The axis is the union of every run's times; inside a run's range a
 * missing time carries its last value (equity does not move between points), outside it is null.
 */
export function normalisedCurves(curves: ReadonlyArray<readonly EquityPoint[]>): {
  x: number[];
  series: Array<Array<number | null>>;
} {
  const parsed = curves.map((pts) =>
    pts
      .map((p) => ({ t: Date.parse(String(p.time)) / 1000, v: p.equity }))
      .filter((p) => Number.isFinite(p.t)),
  );
  const x = [...new Set(parsed.flatMap((pts) => pts.map((p) => p.t)))].sort((a, b) => a - b);
  const series = parsed.map((pts) => {
    const out: Array<number | null> = new Array(x.length).fill(null);
    const first = pts[0];
    const last = pts[pts.length - 1];
    if (!first || !last || first.v === 0) return out;
    let j = 0;
    let current: number | null = null;
    for (let i = 0; i < x.length; i++) {
      const t = x[i] as number;
      while (j < pts.length && (pts[j] as { t: number }).t <= t) current = (pts[j++] as { v: number }).v;
      if (t < first.t || t > last.t || current === null) continue;
      out[i] = (current / first.v - 1) * 100;
    }
    return out;
  });
  return { x, series };
}

/** The configuration of a run as labelled rows, parameters and execution settings flattened. */
export function configRows(b: BacktestRecord): Map<string, string> {
  const rows = new Map<string, string>([
    ["Strategy", b.strategy],
    ["Version", b.strategy_version ?? "—"],
    ["Runtime", b.strategy_runtime],
    ["Symbol", b.symbol],
    ["Exchange", b.exchange],
    ["Timeframe", b.timeframe],
    ["From", b.start_date.slice(0, 10)],
    ["To", b.end_date.slice(0, 10)],
    ["Initial balance", String(b.initial_balance)],
  ]);
  for (const [k, v] of Object.entries(b.parameters ?? {})) rows.set(`Parameter · ${k}`, show(v));
  for (const [k, v] of Object.entries(b.execution_config ?? {})) rows.set(`Execution · ${k}`, show(v));
  return rows;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Every configuration row of the runs, and whether the runs disagree on it. */
export function configDiff(
  runs: readonly BacktestRecord[],
): Array<{ label: string; values: string[]; differs: boolean }> {
  const maps = runs.map(configRows);
  const labels = [...new Set(maps.flatMap((m) => [...m.keys()]))];
  const rows = labels.map((label) => {
    const values = maps.map((m) => m.get(label) ?? "—");
    return { label, values, differs: new Set(values).size > 1 };
  });
  // What differs first: it is what the comparison is about; the shared settings follow.
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}
