import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDate,
  formatDateTime,
  formatFractionPct,
  formatInteger,
  formatNumber,
  LoadingBlock,
  PageHeader,
  tone,
} from "@quantago/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { Headline, metric, StatusBadge } from "../components/backtest-bits.tsx";
import { BACKTEST_STATUSES, type BacktestRecord, backtestListQuery } from "../queries/backtests.ts";
import type { BacktestSort } from "../router.tsx";

/** `/backtests?status&symbol&strategy`: the run history, filters in the URL. */
export function BacktestsPage() {
  const search = useSearch({ from: "/app/backtests" });
  const navigate = useNavigate({ from: "/backtests" });
  const { sort = "created", dir = "desc", ...filters } = search;
  const list = useQuery({
    ...backtestListQuery({ ...filters, limit: 200 }),
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => sortRows(list.data?.items ?? [], sort, dir), [list.data, sort, dir]);
  // Runs ticked for comparison, in the order they were ticked (at most six).
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= 6 ? p : [...p, id]));
  const header = (key: BacktestSort, label: string, num = true) => (
    <th
      scope="col"
      className={num ? "q-num" : undefined}
      aria-sort={sort === key ? (dir === "asc" ? "ascending" : "descending") : undefined}
    >
      <button
        type="button"
        className="q-sort"
        onClick={() =>
          void navigate({
            search: (prev) => ({ ...prev, sort: key, dir: sort === key && dir === "desc" ? "asc" : "desc" }),
            replace: true,
          })
        }
      >
        {label}
        <span aria-hidden="true">{sort === key ? (dir === "asc" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );
  const set = (patch: Record<string, string | undefined>) =>
    void navigate({
      search: (prev) => ({
        ...prev,
        ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v || undefined])),
      }),
      replace: true,
    });
  const filtered = Boolean(search.status || search.symbol || search.strategy);

  return (
    <>
      <PageHeader
        title="Backtests"
        subtitle={
          list.data
            ? `${formatInteger(list.data.total)} backtest${list.data.total === 1 ? "" : "s"}${filtered ? " match" : ""}`
            : " "
        }
        actions={
          <>
            {picked.length > 0 ? (
              <button type="button" className="q-button" onClick={() => setPicked([])}>
                Clear selection
              </button>
            ) : null}
            {picked.length >= 2 ? (
              <Link to="/compare" search={{ ids: picked.join(",") }} className="q-button q-button-primary">
                Compare {picked.length} runs
              </Link>
            ) : (
              <span className="q-hint" style={{ margin: 0 }} role="status">
                {picked.length === 1 ? "Tick one more run to compare" : "Tick runs to compare them"}
              </span>
            )}
            <Link to="/backtests/new" search={{}} className="q-button">
              New backtest
            </Link>
          </>
        }
      />
      <section className="q-card">
        <form className="q-toolbar" aria-label="Filter backtests" onSubmit={(e) => e.preventDefault()}>
          <div className="q-field">
            <label htmlFor="f-status">Status</label>
            <select
              id="f-status"
              value={search.status ?? ""}
              onChange={(e) => set({ status: e.target.value })}
            >
              <option value="">Any</option>
              {BACKTEST_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="q-field">
            <label htmlFor="f-symbol">Symbol</label>
            <input
              id="f-symbol"
              data-shortcut-search
              defaultValue={search.symbol ?? ""}
              placeholder="e.g. SYNTH-USD"
              onBlur={(e) => set({ symbol: e.target.value.trim().toUpperCase() })}
              onKeyDown={(e) =>
                e.key === "Enter" && set({ symbol: e.currentTarget.value.trim().toUpperCase() })
              }
            />
          </div>
          <div className="q-field">
            <label htmlFor="f-strategy">Strategy</label>
            <input
              id="f-strategy"
              defaultValue={search.strategy ?? ""}
              placeholder="e.g. sma-crossover"
              onBlur={(e) => set({ strategy: e.target.value.trim() })}
              onKeyDown={(e) => e.key === "Enter" && set({ strategy: e.currentTarget.value.trim() })}
            />
          </div>
          {filtered ? (
            <Link to="/backtests" search={{}} className="q-button">
              Clear filters
            </Link>
          ) : null}
        </form>
        {list.isPending ? (
          <LoadingBlock label="Loading backtests" lines={8} />
        ) : list.isError ? (
          <ErrorState error={describeError(list.error)} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No backtest matches these filters"
              action={
                <Link to="/backtests" search={{}} className="q-button">
                  Clear filters
                </Link>
              }
            />
          ) : (
            <EmptyState
              title="No backtests yet"
              action={
                <Link to="/backtests/new" search={{}} className="q-button q-button-primary">
                  Run your first backtest
                </Link>
              }
            >
              Every run you start appears here with its result.
            </EmptyState>
          )
        ) : (
          <div className="q-table-wrap">
            <table className="q-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="q-visually-hidden">Compare</span>
                  </th>
                  <th scope="col">Strategy</th>
                  <th scope="col">Symbol</th>
                  <th scope="col">Range</th>
                  <th scope="col">Status</th>
                  {header("return", "Return")}
                  {header("sharpe", "Sharpe")}
                  {header("maxdd", "Max DD")}
                  {header("trades", "Trades")}
                  {header("created", "Created", false)}
                </tr>
              </thead>
              <tbody>
                {rows.map((b) => {
                  const dd = metric(b, "maxDrawdown");
                  return (
                    <tr key={b.id}>
                      <td>
                        <input
                          type="checkbox"
                          checked={picked.includes(b.id)}
                          disabled={!picked.includes(b.id) && picked.length >= 6}
                          onChange={() => toggle(b.id)}
                          aria-label={`Compare ${b.strategy} on ${b.symbol}, created ${formatDateTime(b.created_at)}`}
                        />
                      </td>
                      <td>
                        <Link to="/backtests/$id" params={{ id: b.id }}>
                          {b.strategy}
                        </Link>{" "}
                        <span className="q-muted q-small">{b.timeframe}</span>
                      </td>
                      <td>{b.symbol}</td>
                      <td className="q-mono q-small">
                        {formatDate(b.start_date)} → {formatDate(b.end_date)}
                      </td>
                      <td>
                        <StatusBadge status={b.status} />
                      </td>
                      <td className="q-num">
                        <Headline b={b} />
                      </td>
                      <td className="q-num q-mono">{formatNumber(metric(b, "sharpe"))}</td>
                      <td className={`q-num q-mono q-tone-${tone(dd === null ? null : -dd)}`}>
                        {formatFractionPct(dd === null ? null : -dd)}
                      </td>
                      <td className="q-num q-mono">{formatInteger(b.trade_count)}</td>
                      <td className="q-mono q-small">{formatDateTime(b.created_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** Sorts the loaded runs (the newest 200 that match the filters); runs without a value go last. */
function sortRows(items: BacktestRecord[], sort: BacktestSort, dir: "asc" | "desc"): BacktestRecord[] {
  const value = (b: BacktestRecord): number | null =>
    sort === "created"
      ? Date.parse(b.created_at)
      : sort === "trades"
        ? b.trade_count
        : metric(b, sort === "return" ? "totalReturn" : sort === "sharpe" ? "sharpe" : "maxDrawdown");
  const sign = dir === "asc" ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (x - y) * sign;
  });
}
