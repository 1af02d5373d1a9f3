import type { DirectionMetrics, TradeStats } from "@quantago/contracts";
import { formatFractionPct, formatInteger, formatMoney, formatNumber, tone } from "@quantago/ui";
import type { ReactNode } from "react";

interface Row {
  label: string;
  hint: string;
  cell: (s: TradeStats) => ReactNode;
  /** The value a cell's colour follows (profit green, loss red); none: neutral. */
  tone?: (s: TradeStats) => number | null;
}

const ROWS: readonly Row[] = [
  { label: "Trades", hint: "Closed trades", cell: (s) => formatInteger(s.numberOfTrades) },
  {
    label: "Won / lost",
    hint: "Trades with a net profit / a net loss",
    cell: (s) => `${formatInteger(s.winningTrades)} / ${formatInteger(s.losingTrades)}`,
  },
  { label: "Win rate", hint: "Won / trades", cell: (s) => formatFractionPct(s.winRate, 1, false) },
  {
    label: "Net profit",
    hint: "Sum of the closed trades, after fees",
    cell: (s) => formatMoney(s.netProfit, true),
    tone: (s) => s.netProfit,
  },
  { label: "Gross profit", hint: "Sum of the winners", cell: (s) => formatMoney(s.grossProfit) },
  { label: "Gross loss", hint: "Sum of the losers", cell: (s) => formatMoney(-s.grossLoss) },
  {
    label: "Profit factor",
    hint: "Gross profit / gross loss (— without a loss)",
    cell: (s) => formatNumber(s.profitFactor),
  },
  {
    label: "Average trade",
    hint: "Net profit / trades",
    cell: (s) => formatMoney(s.expectancy, true),
    tone: (s) => s.expectancy,
  },
  { label: "Average win", hint: "", cell: (s) => formatMoney(s.averageWin, true), tone: (s) => s.averageWin },
  {
    label: "Average loss",
    hint: "",
    cell: (s) => formatMoney(s.averageLoss, true),
    tone: (s) => s.averageLoss,
  },
  {
    label: "Largest win",
    hint: "Best single trade",
    cell: (s) => formatMoney(s.bestTrade, true),
    tone: (s) => s.bestTrade,
  },
  {
    label: "Largest loss",
    hint: "Worst single trade",
    cell: (s) => formatMoney(s.worstTrade, true),
    tone: (s) => s.worstTrade,
  },
];

const SIDES = [
  ["all", "All"],
  ["long", "Long"],
  ["short", "Short"],
] as const;

/**
 * The trade statistics in three columns, All / Long / Short, as the API splits them
 * (`metrics.byDirection`). Runs stored before the split show a line saying so.
 */
export function DirectionMetricsTable({ split }: { split: DirectionMetrics | null | undefined }) {
  if (!split)
    return (
      <p className="q-hint">
        This run was stored before results were split by direction; rerun it to see Long and Short apart.
      </p>
    );
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <caption className="q-visually-hidden">
          Trade statistics: all trades, long trades, short trades
        </caption>
        <thead>
          <tr>
            <th scope="col">Trades</th>
            {SIDES.map(([key, label]) => (
              <th key={key} scope="col" className="q-num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.label}>
              <th scope="row" title={row.hint || undefined}>
                {row.label}
              </th>
              {SIDES.map(([key]) => (
                <td
                  key={key}
                  className={`q-num q-mono${row.tone ? ` q-tone-${tone(row.tone(split[key]))}` : ""}`}
                >
                  {row.cell(split[key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
