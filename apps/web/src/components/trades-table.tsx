import type { BacktestTrade } from "@quantago/contracts";
import {
  formatDateTime,
  formatFractionPct,
  formatMoney,
  formatNumber,
  formatPrice,
  tone,
} from "@quantago/ui";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";

/** A trade with its running total: the cumulative profit of every trade up to it, in entry order. */
export interface TradeRow {
  t: BacktestTrade;
  cum: number;
}

export type TradeSortKey =
  | "seq"
  | "side"
  | "entry"
  | "entryPrice"
  | "exit"
  | "exitPrice"
  | "size"
  | "profit"
  | "return"
  | "cum"
  | "reason";
export type SortDir = "asc" | "desc";

interface Column {
  key: TradeSortKey;
  label: string;
  numeric: boolean;
  /** The value rows are compared by. */
  value: (r: TradeRow) => number | string;
}

// ISO-8601 UTC times of one format compare correctly as strings.
const COLUMNS: readonly Column[] = [
  { key: "seq", label: "#", numeric: true, value: (r) => r.t.seq },
  { key: "side", label: "Side", numeric: false, value: (r) => r.t.type },
  { key: "entry", label: "Entry (UTC)", numeric: false, value: (r) => r.t.entry_time },
  { key: "entryPrice", label: "Entry price", numeric: true, value: (r) => r.t.entry_price },
  { key: "exit", label: "Exit (UTC)", numeric: false, value: (r) => r.t.exit_time },
  { key: "exitPrice", label: "Exit price", numeric: true, value: (r) => r.t.exit_price },
  { key: "size", label: "Size", numeric: true, value: (r) => Math.abs(r.t.size) },
  { key: "profit", label: "Profit", numeric: true, value: (r) => r.t.profit },
  { key: "return", label: "Return", numeric: true, value: (r) => r.t.return_pct },
  { key: "cum", label: "Cumulative", numeric: true, value: (r) => r.cum },
  { key: "reason", label: "Exit reason", numeric: false, value: (r) => r.t.reason },
];

/** Rows in entry order with the cumulative profit. */
export function withCumulative(trades: readonly BacktestTrade[]): TradeRow[] {
  let cum = 0;
  return trades.map((t) => {
    cum += t.profit;
    return { t, cum };
  });
}

/** A sorted copy of `rows`; ties keep entry order, whatever the direction. */
export function sortTrades(rows: readonly TradeRow[], key: TradeSortKey, dir: SortDir): TradeRow[] {
  const column = COLUMNS.find((c) => c.key === key) ?? (COLUMNS[0] as Column);
  const sign = dir === "asc" ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: column.value(r) }));
  keyed.sort((a, b) => {
    const c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return c !== 0 ? c * sign : a.r.t.seq - b.r.t.seq;
  });
  return keyed.map((k) => k.r);
}

const ROW_HEIGHT = 33;
const VIEW_HEIGHT = 420;

/**
 * Every trade of a run in a virtualised table (only the rows in view are in the DOM, so tens of
 * thousands scroll smoothly), sortable by each column (click a header; again to reverse). A row's
 * number button shows the trade on the candle chart.
 */
export function TradesTable({
  trades,
  onPick,
}: {
  trades: readonly BacktestTrade[];
  onPick: (entryTimeMs: number) => void;
}) {
  const [sort, setSort] = useState<{ key: TradeSortKey; dir: SortDir }>({ key: "seq", dir: "asc" });
  const base = useMemo(() => withCumulative(trades), [trades]);
  const rows = useMemo(
    () => (sort.key === "seq" && sort.dir === "asc" ? base : sortTrades(base, sort.key, sort.dir)),
    [base, sort],
  );
  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Without layout (first paint, no CSS, tests) render a window's worth of rows rather than none.
    initialRect: { width: 1000, height: VIEW_HEIGHT },
    observeElementRect: (instance, onRect) =>
      observeElementRect(instance, (rect) =>
        onRect(rect.height > 0 ? rect : { width: rect.width, height: VIEW_HEIGHT }),
      ),
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  const header = (c: Column) => {
    const active = sort.key === c.key;
    return (
      <th
        key={c.key}
        scope="col"
        className={c.numeric ? "q-num" : undefined}
        aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
      >
        <button
          type="button"
          className="q-sort"
          onClick={() =>
            setSort((s) => ({
              key: c.key,
              // Numbers read best from the largest first; text and times from the start.
              dir:
                s.key === c.key
                  ? s.dir === "asc"
                    ? "desc"
                    : "asc"
                  : c.numeric && c.key !== "seq"
                    ? "desc"
                    : "asc",
            }))
          }
        >
          {c.label}
          <span aria-hidden="true">{active ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}</span>
        </button>
      </th>
    );
  };

  return (
    <section
      ref={scroller}
      className="q-table-wrap"
      style={{ maxHeight: VIEW_HEIGHT, overflowY: "auto" }}
      // A scrollable region must be reachable by keyboard.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls
      tabIndex={0}
      aria-label={`Trades, ${rows.length} rows`}
    >
      <table className="q-table" aria-rowcount={rows.length + 1}>
        <thead style={{ position: "sticky", top: 0, background: "var(--surface)", zIndex: 1 }}>
          <tr>{COLUMNS.map(header)}</tr>
        </thead>
        <tbody>
          {padTop > 0 ? (
            <tr>
              <td colSpan={COLUMNS.length} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const { t, cum } = rows[item.index] as TradeRow;
            return (
              <tr key={t.seq} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                <td className="q-num">
                  <button
                    type="button"
                    className="q-button"
                    style={{ padding: "0 0.4rem" }}
                    onClick={() => onPick(Date.parse(t.entry_time))}
                    aria-label={`Show trade ${t.seq + 1} on the chart`}
                  >
                    {t.seq + 1}
                  </button>
                </td>
                <td>{t.type === "BUY" ? "Long" : "Short"}</td>
                <td className="q-mono q-small">{formatDateTime(t.entry_time).replace(" UTC", "")}</td>
                <td className="q-num">{formatPrice(t.entry_price)}</td>
                <td className="q-mono q-small">{formatDateTime(t.exit_time).replace(" UTC", "")}</td>
                <td className="q-num">{formatPrice(t.exit_price)}</td>
                <td className="q-num">{formatNumber(Math.abs(t.size), 4)}</td>
                <td className={`q-num q-tone-${tone(t.profit)}`}>{formatMoney(t.profit, true)}</td>
                <td className={`q-num q-tone-${tone(t.return_pct)}`}>{formatFractionPct(t.return_pct)}</td>
                <td className={`q-num q-tone-${tone(cum)}`}>{formatMoney(cum, true)}</td>
                <td>{t.reason.replaceAll("_", " ")}</td>
              </tr>
            );
          })}
          {padBottom > 0 ? (
            <tr>
              <td colSpan={COLUMNS.length} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
