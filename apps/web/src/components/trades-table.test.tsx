import type { BacktestTrade } from "@quantago/contracts";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sortTrades, TradesTable, withCumulative } from "./trades-table.tsx";

afterEach(cleanup);

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);

function trade(seq: number, profit: number, type: "BUY" | "SELL", reason = "signal"): BacktestTrade {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: `bt-${seq}`,
    backtest_id: "bt",
    seq,
    type,
    size: 1 + seq,
    entry_price: 100 + seq,
    entry_time: iso(T0 + seq * HOUR),
    exit_price: 100 + seq + profit,
    exit_time: iso(T0 + seq * HOUR + 30 * 60_000),
    fees: 0,
    profit,
    return_pct: profit / 100,
    reason,
    metadata: null,
    signals: {
      entry: { action: type, reason: null, metadata: null },
      exit: { action: null, trigger: reason, reason: null, metadata: null },
    },
  };
}

/** Profits chosen so that no column's order equals entry order. */
const TRADES = [
  trade(0, 5, "BUY"),
  trade(1, -12, "SELL", "stop_loss"),
  trade(2, 30, "BUY", "take_profit"),
  trade(3, -1, "SELL"),
  trade(4, 7, "BUY", "end_of_data"),
];

/** The trade numbers of the rendered rows, top to bottom. */
function shownOrder(): number[] {
  return screen
    .getAllByRole("button", { name: /^Show trade \d+ on the chart$/ })
    .map((b) => Number(b.textContent));
}

describe("trades table", () => {
  it("adds the cumulative profit in entry order", () => {
    expect(withCumulative(TRADES).map((r) => r.cum)).toEqual([5, -7, 23, 22, 29]);
  });

  it("sorts by every column, ties in entry order", () => {
    const rows = withCumulative(TRADES);
    const seq = (key: Parameters<typeof sortTrades>[1], dir: "asc" | "desc") =>
      sortTrades(rows, key, dir).map((r) => r.t.seq);
    expect(seq("profit", "desc")).toEqual([2, 4, 0, 3, 1]);
    expect(seq("profit", "asc")).toEqual([1, 3, 0, 4, 2]);
    expect(seq("cum", "desc")).toEqual([4, 2, 3, 0, 1]);
    expect(seq("return", "asc")).toEqual([1, 3, 0, 4, 2]);
    expect(seq("side", "asc")).toEqual([0, 2, 4, 1, 3]);
    expect(seq("side", "desc")).toEqual([1, 3, 0, 2, 4]);
    expect(seq("reason", "asc")).toEqual([4, 0, 3, 1, 2]);
    expect(seq("entry", "desc")).toEqual([4, 3, 2, 1, 0]);
    expect(seq("exit", "asc")).toEqual([0, 1, 2, 3, 4]);
    expect(seq("size", "desc")).toEqual([4, 3, 2, 1, 0]);
    expect(seq("entryPrice", "asc")).toEqual([0, 1, 2, 3, 4]);
    expect(seq("exitPrice", "desc")).toEqual([2, 4, 0, 3, 1]);
    expect(seq("seq", "desc")).toEqual([4, 3, 2, 1, 0]);
  });

  it("sorts when a header is clicked, reverses on a second click, and says so to screen readers", () => {
    render(<TradesTable trades={TRADES} onPick={() => {}} />);
    expect(shownOrder()).toEqual([1, 2, 3, 4, 5]);

    const profit = screen.getByRole("button", { name: /^Profit/ });
    fireEvent.click(profit);
    expect(shownOrder()).toEqual([3, 5, 1, 4, 2]);
    expect(screen.getByRole("columnheader", { name: /^Profit/ }).getAttribute("aria-sort")).toBe(
      "descending",
    );
    fireEvent.click(profit);
    expect(shownOrder()).toEqual([2, 4, 1, 5, 3]);
    expect(screen.getByRole("columnheader", { name: /^Profit/ }).getAttribute("aria-sort")).toBe("ascending");

    fireEvent.click(screen.getByRole("button", { name: /^Exit reason/ }));
    expect(shownOrder()).toEqual([5, 1, 4, 2, 3]);
    const first = screen.getAllByRole("row")[1] as HTMLElement;
    expect(within(first).getByText("end of data")).toBeTruthy();
    // The cumulative column keeps each trade's running total of entry order, whatever the sort.
    expect(within(first).getByText("+29.00")).toBeTruthy();
  });

  it("renders a window of rows, not tens of thousands", () => {
    const many = Array.from({ length: 20_000 }, (_, i) => trade(i, (i % 7) - 3, i % 2 ? "SELL" : "BUY"));
    render(<TradesTable trades={many} onPick={() => {}} />);
    const shown = shownOrder();
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(100);
    expect(screen.getByRole("region", { name: "Trades, 20000 rows" })).toBeTruthy();
  });

  it("asks the chart to show the trade whose number is clicked", () => {
    const onPick = vi.fn();
    render(<TradesTable trades={TRADES} onPick={onPick} />);
    fireEvent.click(screen.getByRole("button", { name: "Show trade 3 on the chart" }));
    expect(onPick).toHaveBeenCalledWith(T0 + 2 * HOUR);
  });
});
