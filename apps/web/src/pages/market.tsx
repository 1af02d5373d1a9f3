import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDate,
  formatFractionPct,
  formatInteger,
  formatPrice,
  LoadingBlock,
  PageHeader,
  Skeleton,
  useTheme,
} from "@quantago/ui";
import { CandleChart } from "@quantago/ui/candles";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { useMemo } from "react";
import { OverviewFailure } from "../components/overview-failure.tsx";
import { useCandleWindow } from "../queries/candle-window.ts";
import {
  day,
  dayAfter,
  type StoredSeries,
  symbolsQuery,
  TIMEFRAME_MS,
  TIMEFRAMES,
  type Timeframe,
} from "../queries/market.ts";

/** `/market`: the stored series, each a link to its chart. */
export function MarketIndexPage() {
  const symbols = useQuery(symbolsQuery());
  return (
    <>
      <PageHeader title="Market" subtitle="Stored market data you can chart and backtest on." />
      <section className="q-card" aria-labelledby="series-title">
        <h2 id="series-title">Stored series</h2>
        <SeriesTable query={symbols} />
      </section>
    </>
  );
}

function SeriesTable({ query }: { query: ReturnType<typeof useQuery<StoredSeries[]>> }) {
  if (query.isPending) return <LoadingBlock label="Loading the symbol catalog" lines={4} />;
  if (query.isError)
    return <ErrorState error={describeError(query.error)} onRetry={() => void query.refetch()} />;
  if (query.data.length === 0)
    return (
      <EmptyState title="No market data stored yet">
        An operator ingests data from the admin console; <code>npm run dev</code> seeds two synthetic symbols.
      </EmptyState>
    );
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Class</th>
            <th scope="col">Source</th>
            <th scope="col">Stored timeframe</th>
            <th scope="col">Coverage (UTC)</th>
            <th scope="col" className="q-num">
              Bars
            </th>
          </tr>
        </thead>
        <tbody>
          {query.data.map((s) => (
            <tr key={`${s.symbol}-${s.timeframe}`}>
              <td>
                <Link to="/market/$symbol" params={{ symbol: s.symbol }} search={{}}>
                  {s.symbol}
                </Link>
              </td>
              <td>{s.assetClass}</td>
              <td>{s.source}</td>
              <td>{s.timeframe}</td>
              <td className="q-mono">
                {formatDate(s.firstBar)} → {formatDate(s.lastBar)}
              </td>
              <td className="q-num">{formatInteger(s.barCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `/market/:symbol?tf&from&to`: candles + volume for a stored symbol. */
export function MarketPage() {
  const { symbol } = useParams({ from: "/app/market/$symbol" });
  const search = useSearch({ from: "/app/market/$symbol" });
  const navigate = useNavigate({ from: "/market/$symbol" });
  const { theme } = useTheme();
  const symbols = useQuery(symbolsQuery());
  const series = symbols.data?.find((s) => s.symbol === symbol);
  const storedTf = (series?.timeframe ?? "1m") as Timeframe;
  const tf: Timeframe = search.tf ?? (TIMEFRAME_MS[storedTf] > TIMEFRAME_MS["1h"] ? storedTf : "1h");
  const from = search.from ?? (series ? day(series.firstBar) : undefined);
  const to = search.to ?? (series ? dayAfter(series.lastBar) : undefined);
  const problem = !series
    ? undefined
    : TIMEFRAME_MS[tf] < TIMEFRAME_MS[storedTf]
      ? `${symbol} is stored at ${storedTf}; pick ${storedTf} or coarser.`
      : from && to && from >= to
        ? "The start date must be before the end date."
        : undefined;
  const enabled = Boolean(series && from && to && !problem);
  const candles = useCandleWindow({ symbol, timeframe: tf, from: from ?? "", to: to ?? "", enabled });
  const bars = candles.firstView;

  const stats = useMemo(() => {
    const d = candles.bars;
    if (!d || d.time.length === 0) return undefined;
    const n = d.time.length;
    const first = d.open[0] as number;
    const last = d.close[n - 1] as number;
    return { n, last, change: last / first - 1, lastTime: d.time[n - 1] as number };
  }, [candles.bars]);

  const set = (patch: Partial<{ tf: Timeframe; from: string; to: string }>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  return (
    <>
      <PageHeader
        title={
          <>
            {symbol}{" "}
            <span className="q-muted q-small">{series ? `${series.assetClass} · ${series.source}` : ""}</span>
          </>
        }
        subtitle={
          series
            ? `Stored ${series.timeframe} bars from ${formatDate(series.firstBar)} to ${formatDate(series.lastBar)} (${formatInteger(series.barCount)} bars)`
            : symbols.isPending
              ? "Loading coverage…"
              : ""
        }
        actions={
          <Link to="/backtests/new" search={{ symbol }} className="q-button q-button-primary">
            Backtest {symbol}
          </Link>
        }
      />
      {symbols.isError ? (
        <ErrorState error={describeError(symbols.error)} onRetry={() => void symbols.refetch()} />
      ) : symbols.isSuccess && !series ? (
        <EmptyState
          title={`No stored data for ${symbol}`}
          action={
            <Link to="/market" className="q-button">
              See stored symbols
            </Link>
          }
        >
          Only stored series can be charted and backtested. Check the spelling, or ask an operator to ingest
          it.
        </EmptyState>
      ) : (
        <section className="q-card" aria-label="Chart">
          <div className="q-toolbar">
            <div className="q-field">
              <span className="q-field-label" id="tf-label">
                Timeframe
              </span>
              <fieldset className="q-segmented" aria-labelledby="tf-label" style={{ padding: 0, margin: 0 }}>
                {TIMEFRAMES.map((t) => (
                  <button
                    key={t}
                    type="button"
                    aria-pressed={t === tf}
                    disabled={TIMEFRAME_MS[t] < TIMEFRAME_MS[storedTf]}
                    onClick={() => set({ tf: t })}
                  >
                    {t}
                  </button>
                ))}
              </fieldset>
            </div>
            <div className="q-field">
              <label htmlFor="m-from">From (UTC)</label>
              <input
                id="m-from"
                type="date"
                value={from ?? ""}
                min={series ? day(series.firstBar) : undefined}
                max={series ? day(series.lastBar) : undefined}
                onChange={(e) => e.target.value && set({ from: e.target.value })}
              />
            </div>
            <div className="q-field">
              <label htmlFor="m-to">To (UTC, exclusive)</label>
              <input
                id="m-to"
                type="date"
                value={to ?? ""}
                min={series ? day(series.firstBar) : undefined}
                max={series ? dayAfter(series.lastBar) : undefined}
                onChange={(e) => e.target.value && set({ to: e.target.value })}
              />
            </div>
            <div className="q-spacer" />
            <div className="q-row q-mono" aria-live="polite">
              {stats ? (
                <>
                  <span>
                    Last <strong>{formatPrice(stats.last)}</strong>
                  </span>
                  <span className={stats.change >= 0 ? "q-tone-positive" : "q-tone-negative"}>
                    {formatFractionPct(stats.change)} over range
                  </span>
                  <span className="q-muted">
                    {bars.isPlaceholderData
                      ? `Loading ${tf} candles…`
                      : candles.overviewTimeframe === tf
                        ? `${formatInteger(stats.n)} candles`
                        : candles.detailShown
                          ? `${tf} around the view, ${candles.overviewTimeframe} elsewhere`
                          : candles.overviewFailure
                            ? `${formatInteger(stats.n)} ${candles.overviewTimeframe} candles`
                            : `${candles.overviewTimeframe} overview; zoom in for ${tf}`}
                  </span>
                </>
              ) : (
                <Skeleton width={240} height="1.2em" />
              )}
            </div>
          </div>
          {problem ? (
            <EmptyState title="Nothing to chart for these settings">{problem}</EmptyState>
          ) : bars.isError ? (
            <ErrorState error={describeError(bars.error)} onRetry={() => void bars.refetch()} />
          ) : candles.bars ? (
            candles.bars.time.length === 0 ? (
              <EmptyState title="No candles in this range">
                Pick dates inside the coverage shown above.
              </EmptyState>
            ) : (
              <div style={{ opacity: bars.isPlaceholderData ? 0.5 : 1 }}>
                <CandleChart
                  bars={candles.bars}
                  theme={theme}
                  height={480}
                  viewKey={`${symbol}|${tf}|${from}|${to}`}
                  onVisibleRangeChange={candles.onVisibleRangeChange}
                  label={`${symbol} ${tf} candlestick chart with volume, ${
                    candles.overviewTimeframe === tf
                      ? `${formatInteger(candles.bars.time.length)} candles`
                      : candles.overviewFailure
                        ? `${formatInteger(candles.bars.time.length)} ${candles.overviewTimeframe} candles`
                        : `${candles.overviewTimeframe} overview until zoomed in`
                  }`}
                />
                <OverviewFailure candles={candles} />
              </div>
            )
          ) : (
            <Skeleton height={480} />
          )}
          <p className="q-hint" style={{ marginTop: "0.5rem" }}>
            Drag to pan, scroll to zoom, double-click the price axis to reset. Times are UTC. Charts by
            TradingView Lightweight Charts™.
          </p>
        </section>
      )}
    </>
  );
}
