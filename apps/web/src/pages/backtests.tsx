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
import { Headline, metric, StatusBadge } from "../components/backtest-bits.tsx";
import { BACKTEST_STATUSES, backtestListQuery } from "../queries/backtests.ts";
import { describeError } from "../queries/http.ts";

/** `/backtests?status&symbol&strategy`: the run history, filters in the URL. */
export function BacktestsPage() {
  const search = useSearch({ from: "/app/backtests" });
  const navigate = useNavigate({ from: "/backtests" });
  const list = useQuery({
    ...backtestListQuery({ ...search, limit: 200 }),
    placeholderData: keepPreviousData,
  });
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
          <Link to="/backtests/new" search={{}} className="q-button q-button-primary">
            New backtest
          </Link>
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
                  <th scope="col">Strategy</th>
                  <th scope="col">Symbol</th>
                  <th scope="col">Range</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="q-num">
                    Return
                  </th>
                  <th scope="col" className="q-num">
                    Sharpe
                  </th>
                  <th scope="col" className="q-num">
                    Max DD
                  </th>
                  <th scope="col" className="q-num">
                    Trades
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((b) => {
                  const dd = metric(b, "maxDrawdown");
                  return (
                    <tr key={b.id}>
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
