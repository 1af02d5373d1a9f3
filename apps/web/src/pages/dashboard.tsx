import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDateTime,
  formatFractionPct,
  formatInteger,
  LoadingBlock,
  PageHeader,
  tone,
} from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { Headline, metric, StatusBadge } from "../components/backtest-bits.tsx";
import { backtestListQuery, isActive } from "../queries/backtests.ts";
import { useBacktestStreams } from "../queries/live.ts";
import { symbolsQuery } from "../queries/market.ts";

export function DashboardPage() {
  const list = backtestListQuery({ limit: 10 });
  const symbols = useQuery(symbolsQuery());
  const [streamFailed, setStreamFailed] = useState(false);
  // Running backtests move over their event streams; the list is polled only when a stream fails.
  const recent = useQuery({
    ...list,
    refetchInterval: (q) =>
      streamFailed && q.state.data?.items.some((b) => isActive(b.status)) ? 5000 : false,
  });
  const running = recent.data?.items.filter((b) => isActive(b.status)) ?? [];
  const live = useBacktestStreams(running.map((b) => b.id));
  useEffect(() => setStreamFailed(live.failed), [live.failed]);
  const done = recent.data?.items.filter((b) => b.status === "completed") ?? [];
  const best = done.reduce<number | null>((m, b) => {
    const r = metric(b, "totalReturn");
    return r === null ? m : m === null ? r : Math.max(m, r);
  }, null);

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle="Your recent backtests and the data you can test on."
        actions={
          <Link to="/backtests/new" search={{}} className="q-button q-button-primary">
            New backtest
          </Link>
        }
      />
      <div className="q-metrics" style={{ marginBottom: "1rem" }}>
        <div className="q-metric">
          <div className="q-metric-label">Running now</div>
          <div className="q-metric-value">{recent.isSuccess ? formatInteger(running.length) : "…"}</div>
        </div>
        <div className="q-metric">
          <div className="q-metric-label">Backtests in total</div>
          <div className="q-metric-value">{recent.isSuccess ? formatInteger(recent.data.total) : "…"}</div>
        </div>
        <div className="q-metric">
          <div className="q-metric-label">Best recent return</div>
          <div className={`q-metric-value q-tone-${tone(best)}`}>
            {recent.isSuccess ? formatFractionPct(best) : "…"}
          </div>
        </div>
        <div className="q-metric">
          <div className="q-metric-label">Stored symbols</div>
          <div className="q-metric-value">
            {symbols.isSuccess ? formatInteger(new Set(symbols.data.map((s) => s.symbol)).size) : "…"}
          </div>
        </div>
      </div>
      <div className="q-grid q-grid-sidebar" style={{ gridTemplateColumns: "minmax(0, 1fr) 320px" }}>
        <section className="q-card" aria-labelledby="recent-title">
          <div className="q-row" style={{ marginBottom: "0.5rem" }}>
            <h2 id="recent-title" style={{ margin: 0 }}>
              Recent backtests
            </h2>
            <div className="q-spacer" />
            <Link to="/backtests" search={{}}>
              All backtests
            </Link>
          </div>
          {recent.isPending ? (
            <LoadingBlock label="Loading recent backtests" lines={6} />
          ) : recent.isError ? (
            <ErrorState error={describeError(recent.error)} onRetry={() => void recent.refetch()} />
          ) : recent.data.items.length === 0 ? (
            <EmptyState
              title="No backtests yet"
              action={
                <Link
                  to="/backtests/new"
                  search={{ strategy: "sma-crossover" }}
                  className="q-button q-button-primary"
                >
                  Run your first backtest
                </Link>
              }
            >
              Pick a built-in strategy and a stored symbol; a run over a year of hourly bars takes seconds.
            </EmptyState>
          ) : (
            <div className="q-table-wrap">
              <table className="q-table">
                <thead>
                  <tr>
                    <th scope="col">Strategy</th>
                    <th scope="col">Symbol</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="q-num">
                      Result
                    </th>
                    <th scope="col" className="q-num">
                      Trades
                    </th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {recent.data.items.map((b) => (
                    <tr key={b.id}>
                      <td>
                        <Link to="/backtests/$id" params={{ id: b.id }}>
                          {b.strategy}
                        </Link>{" "}
                        <span className="q-muted q-small">{b.timeframe}</span>
                      </td>
                      <td>{b.symbol}</td>
                      <td>
                        <StatusBadge status={b.status} />
                      </td>
                      <td className="q-num">
                        <Headline b={b} />
                      </td>
                      <td className="q-num q-mono">{formatInteger(b.trade_count)}</td>
                      <td className="q-mono q-small">{formatDateTime(b.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="q-card" aria-labelledby="data-title" style={{ marginTop: 0 }}>
          <h2 id="data-title">Market data</h2>
          {symbols.isPending ? (
            <LoadingBlock label="Loading symbols" lines={3} />
          ) : symbols.isError ? (
            <ErrorState error={describeError(symbols.error)} onRetry={() => void symbols.refetch()} />
          ) : symbols.data.length === 0 ? (
            <EmptyState title="No stored data">
              An operator ingests symbols from the admin console.
            </EmptyState>
          ) : (
            <ul className="q-list">
              {symbols.data.map((s) => (
                <li key={`${s.symbol}-${s.timeframe}`} className="q-row">
                  <Link to="/market/$symbol" params={{ symbol: s.symbol }} search={{}}>
                    {s.symbol}
                  </Link>
                  <span className="q-muted q-small">
                    {s.timeframe} · {s.source}
                  </span>
                  <span className="q-spacer" />
                  <Link
                    to="/backtests/new"
                    search={{ symbol: s.symbol }}
                    className="q-small"
                    aria-label={`Backtest ${s.symbol}`}
                  >
                    Backtest
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
