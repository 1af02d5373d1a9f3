import type { BacktestTrade } from "@quantago/contracts";

const COLUMNS = [
  "seq",
  "type",
  "size",
  "entry_time",
  "entry_price",
  "exit_time",
  "exit_price",
  "fees",
  "profit",
  "return_pct",
  "reason",
] as const;

function cell(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Trades as CSV with the API's field names, plus the cumulative profit; `return_pct` stays a fraction. */
export function tradesToCsv(trades: readonly BacktestTrade[]): string {
  let cum = 0;
  const rows = trades.map((t) => {
    cum += t.profit;
    return [...COLUMNS.map((c) => cell(t[c])), cell(cum), cell(t.metadata)].join(",");
  });
  return `${[...COLUMNS, "cumulative_profit", "metadata"].join(",")}\n${rows.join("\n")}\n`;
}

/** Offers `content` as a file download. */
export function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
