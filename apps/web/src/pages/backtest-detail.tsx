import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatCompact,
  formatDate,
  formatDateTime,
  formatDuration,
  formatFractionPct,
  formatInteger,
  formatMoney,
  formatNumber,
  LoadingBlock,
  MetricCard,
  PageHeader,
  ProgressBar,
  Skeleton,
  StatusBadge,
  tone,
  useTheme,
} from "@quantago/ui";
import { CandleChart, type TradeMarker } from "@quantago/ui/candles";
import { LineChart } from "@quantago/ui/line-chart";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";
import { histogram, monthlyReturns, worstDrawdowns } from "../components/analytics.ts";
import { DrawdownList, MonthlyHeatmap, ReturnHistogram } from "../components/analytics-views.tsx";
import { metric } from "../components/backtest-bits.tsx";
import { BacktestNote } from "../components/backtest-note.tsx";
import { DirectionMetricsTable } from "../components/direction-metrics.tsx";
import { download, tradesToCsv } from "../components/export.ts";
import { OverviewFailure } from "../components/overview-failure.tsx";
import { TradesTable } from "../components/trades-table.tsx";
import {
  type BacktestRecord,
  type BacktestTrade,
  backtestKeys,
  backtestQuery,
  cancelBacktest,
  deleteBacktest,
  equityQuery,
  isActive,
  rerunBacktest,
} from "../queries/backtests.ts";
import { useCandleWindow } from "../queries/candle-window.ts";
import type { Columns } from "../queries/columns.ts";
import { useBacktestStreams } from "../queries/live.ts";
import type { Timeframe } from "../queries/market.ts";
import { useEveryTrade } from "../queries/trades.ts";

/**
 * Trades whose entry and exit are marked on the candle chart: the chart's measured budget is 2,000
 * markers. Later trades are still in the table, and picking one scrolls the chart to it.
 */
const MARKED_TRADES = 1000;

function useNow(active: boolean) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function BacktestDetailPage() {
  const { id } = useParams({ from: "/app/backtests/$id" });
  const record = useQuery(backtestQuery(id));
  const active = record.data ? isActive(record.data.status) : false;
  const live = useBacktestStreams(active ? [id] : []);
  // Fallback when the event stream is refused (10 streams per user) or drops: a slow poll while active.
  useQuery({ ...backtestQuery(id), enabled: active && live.failed, refetchInterval: 5000 });
  if (record.isPending)
    return (
      <>
        <PageHeader title={<Skeleton width={320} height="1.4em" />} />
        <div className="q-card">
          <LoadingBlock label="Loading the backtest" lines={6} />
        </div>
      </>
    );
  if (record.isError)
    return (
      <>
        <PageHeader title="Backtest" />
        <ErrorState
          title={
            (record.error as { status?: number }).status === 404
              ? "Backtest not found"
              : "Could not load the backtest"
          }
          error={describeError(record.error)}
          onRetry={() => void record.refetch()}
        />
      </>
    );
  return <Detail b={record.data} />;
}

function Detail({ b }: { b: BacktestRecord }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const active = isActive(b.status);
  const now = useNow(active);
  const after = (r: BacktestRecord | undefined) => {
    void queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
    if (r) queryClient.setQueryData(backtestKeys.detail(r.id), r);
  };
  const cancel = useMutation({ mutationFn: () => cancelBacktest(b.id), onSuccess: after });
  const rerun = useMutation({
    mutationFn: () => rerunBacktest(b.id),
    onSuccess: (r) => {
      after(r);
      void navigate({ to: "/backtests/$id", params: { id: r.id } });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteBacktest(b.id),
    onSuccess: () => {
      after(undefined);
      queryClient.removeQueries({ queryKey: backtestKeys.detail(b.id) });
      void navigate({ to: "/backtests", search: {} });
    },
  });
  const actionError = cancel.error ?? rerun.error ?? remove.error;
  const started = b.started_at ? Date.parse(b.started_at) : undefined;
  const finished = b.finished_at ? Date.parse(b.finished_at) : undefined;
  const elapsed = started ? (finished ?? now) - started : undefined;

  return (
    <>
      <PageHeader
        title={
          <>
            {b.strategy} on {b.symbol} <span className="q-muted q-small">{b.timeframe}</span>{" "}
            <StatusBadge status={b.status} />
          </>
        }
        subtitle={`${formatDate(b.start_date)} → ${formatDate(b.end_date)} · ${b.exchange} · initial ${formatMoney(b.initial_balance)}`}
        actions={
          <>
            {active ? (
              <button
                type="button"
                className="q-button"
                onClick={() => cancel.mutate()}
                disabled={cancel.isPending}
              >
                Cancel run
              </button>
            ) : null}
            {b.status === "completed" ? (
              <Link to="/research/monte-carlo" search={{ backtest: b.id }} className="q-button">
                Robustness (Monte Carlo)
              </Link>
            ) : null}
            <button
              type="button"
              className="q-button"
              onClick={() => rerun.mutate()}
              disabled={rerun.isPending}
            >
              Rerun
            </button>
            <button
              type="button"
              className="q-button q-button-danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm("Delete this backtest, its trades and its equity curve?")) remove.mutate();
              }}
            >
              Delete
            </button>
          </>
        }
      />
      {actionError ? <ErrorState title="The action failed" error={describeError(actionError)} /> : null}
      {active ? (
        <section className="q-card" aria-labelledby="live-title">
          <h2 id="live-title">{b.status === "pending" ? "Queued" : "Running"}</h2>
          <ProgressBar value={b.progress} label="Backtest progress" />
          <p className="q-mono" aria-live="polite" style={{ marginTop: "0.5rem" }}>
            {formatInteger(b.bars_done)} / {b.bars_total === null ? "…" : formatInteger(b.bars_total)} bars ·{" "}
            {formatNumber(b.progress * 100, 1)}% · elapsed {formatDuration(elapsed)}
          </p>
        </section>
      ) : null}
      {b.status === "failed" ? (
        <ErrorState
          title="The backtest failed"
          error={{ message: b.error_message ?? "No reason given." }}
          onRetry={() => rerun.mutate()}
        />
      ) : null}
      {b.status === "cancelled" ? (
        <div style={{ marginBottom: "1rem" }}>
          <EmptyState title="Cancelled">
            This run was stopped before it finished. Rerun it to get a result.
          </EmptyState>
        </div>
      ) : null}
      {b.status === "completed" ? <Results b={b} elapsed={elapsed} /> : null}
      <BacktestNote b={b} />
      <Configuration b={b} />
    </>
  );
}

function Results({ b, elapsed }: { b: BacktestRecord; elapsed: number | undefined }) {
  const m = (k: string) => metric(b, k);
  const openPosition = b.metrics?.openPosition;
  return (
    <>
      <section aria-labelledby="metrics-title" style={{ marginBottom: "1rem" }}>
        <h2 id="metrics-title" className="q-visually-hidden">
          Metrics
        </h2>
        <div className="q-metrics">
          <MetricCard
            label="Net return"
            value={formatFractionPct(m("totalReturn"))}
            tone={tone(m("totalReturn"))}
            hint={`${formatMoney(m("netProfit"), true)} net profit`}
          />
          <MetricCard
            label="Buy & hold"
            value={formatFractionPct(m("buyAndHoldReturn"))}
            tone={tone(m("buyAndHoldReturn"))}
            hint="Same bars, no fees"
          />
          <MetricCard
            label="Max drawdown"
            value={formatFractionPct(m("maxDrawdown") === null ? null : -(m("maxDrawdown") as number))}
            tone={m("maxDrawdown") ? "negative" : "neutral"}
            hint={`Longest underwater ${formatDuration(m("maxDrawdownDurationMs"))}`}
          />
          <MetricCard
            label="Sharpe"
            value={formatNumber(m("sharpe"))}
            hint={`Sortino ${formatNumber(m("sortino"))}`}
          />
          <MetricCard
            label="CAGR"
            value={formatFractionPct(m("cagr"))}
            tone={tone(m("cagr"))}
            hint={`Calmar ${formatNumber(m("calmar"))}`}
          />
          <MetricCard
            label="Trades"
            value={formatInteger(m("numberOfTrades"))}
            hint={`${formatInteger(m("winningTrades"))} won · ${formatInteger(m("losingTrades"))} lost`}
          />
          <MetricCard
            label="Win rate"
            value={formatFractionPct(m("winRate"), 1, false)}
            hint={`Profit factor ${formatNumber(m("profitFactor"))}`}
          />
          <MetricCard
            label="Expectancy"
            value={formatMoney(m("expectancy"), true)}
            tone={tone(m("expectancy"))}
            hint="Mean P&L per trade"
          />
          <MetricCard
            label="Exposure"
            value={formatFractionPct(m("exposure"), 1, false)}
            hint="Bars with a position open"
          />
          <MetricCard
            label="Fees paid"
            value={formatMoney(m("feesPaid"))}
            hint={`Final equity ${formatMoney(b.final_equity)}`}
          />
        </div>
        {openPosition ? (
          <p className="q-hint">A position was still open at the end and is valued at the last close.</p>
        ) : null}
        <p className="q-hint">
          Ran {formatInteger(b.bars_total)} bars in {formatDuration(elapsed)}.
        </p>
      </section>
      <section className="q-card" aria-labelledby="direction-title">
        <h2 id="direction-title">Trades by direction</h2>
        <DirectionMetricsTable split={b.metrics?.byDirection} />
      </section>
      <EquityAndTrades b={b} />
    </>
  );
}

function EquityAndTrades({ b }: { b: BacktestRecord }) {
  const { theme } = useTheme();
  const equity = useQuery(equityQuery(b.id));
  // The run's bars: an overview first, its own timeframe once the trader zooms in (queries/candle-window.ts).
  const candles = useCandleWindow({
    symbol: b.symbol,
    timeframe: b.timeframe as Timeframe,
    from: b.start_date,
    to: b.end_date,
  });
  const bars = candles.firstView;
  // Every trade is megabytes of JSON and tens of requests: asked for once the candle chart has drawn
  // (or has nothing to draw), so the chart is not queued behind them, on the API or on the main thread.
  const [chartDrawn, setChartDrawn] = useState(false);
  const onChartDrawn = useCallback(() => setChartDrawn(true), []);
  const trades = useEveryTrade(b.id, {
    enabled: chartDrawn || bars.isError || (bars.isSuccess && (candles.bars?.time.length ?? 0) === 0),
  });
  const [focus, setFocus] = useState<number | undefined>();

  const curve = useMemo(() => {
    const pts = equity.data?.points;
    if (!pts || pts.length === 0) return undefined;
    const x = pts.map((p) => Date.parse(String(p.time)) / 1000);
    const eq = pts.map((p) => p.equity);
    let peak = -Infinity;
    const dd = eq.map((v) => {
      peak = Math.max(peak, v);
      return peak > 0 ? (v / peak - 1) * 100 : 0;
    });
    const worst = worstDrawdowns(x, eq, 3);
    // Shaded over the fall, peak to trough: a recovery can take most of a run, and shading it too
    // would cover the whole chart.
    const bands = worst.map((w) => ({ from: w.peak, to: w.trough }));
    return { x, eq, dd, months: monthlyReturns(x, eq), worst, bands };
  }, [equity.data]);
  // Apart from the curve: the overview's bars (read after the chart's first view is painted) answer
  // after the equity, and only this line needs them (the drawdown chart is not drawn a second time).
  const hold = useMemo(
    () => (curve ? buyAndHold(candles.overviewBars, curve.x, b.initial_balance) : undefined),
    [curve, candles.overviewBars, b.initial_balance],
  );

  const markers = useMemo<TradeMarker[]>(
    () =>
      (trades.data ?? []).slice(0, MARKED_TRADES).flatMap((t) => [
        {
          time: Date.parse(t.entry_time),
          kind: t.type === "BUY" ? ("entry-long" as const) : ("entry-short" as const),
          text: `#${t.seq + 1}`,
        },
        { time: Date.parse(t.exit_time), kind: "exit" as const },
      ]),
    [trades.data],
  );

  const returnBins = useMemo(
    () =>
      histogram(
        (trades.data ?? []).map((t) => t.return_pct),
        24,
      ),
    [trades.data],
  );
  const equitySeries = useMemo(
    () =>
      curve
        ? [
            { label: "Equity", values: curve.eq, color: theme === "dark" ? "#6b9bff" : "#1d4ed8" },
            ...(hold
              ? [
                  {
                    label: "Buy & hold",
                    values: hold,
                    color: theme === "dark" ? "#9aa5b5" : "#64748b",
                    dash: [4, 4],
                  },
                ]
              : []),
          ]
        : [],
    [curve, hold, theme],
  );
  const ddSeries = useMemo(
    () =>
      curve ? [{ label: "Drawdown", values: curve.dd, color: "#d93025", fill: "rgba(217,48,37,0.18)" }] : [],
    [curve],
  );

  return (
    <>
      <div className="q-grid q-grid-2" style={{ marginBottom: "1rem" }}>
        <section className="q-card" aria-labelledby="equity-title">
          <h2 id="equity-title">Equity</h2>
          {equity.isPending ? (
            <Skeleton height={320} />
          ) : equity.isError ? (
            <ErrorState error={describeError(equity.error)} onRetry={() => void equity.refetch()} />
          ) : curve ? (
            <LineChart
              x={curve.x}
              series={equitySeries}
              theme={theme}
              height={280}
              label="Equity curve with buy and hold; the worst drawdowns shaded"
              valueFormat={(v) => formatMoney(v)}
              axisFormat={formatCompact}
              bands={curve.bands}
            />
          ) : (
            <EmptyState title="No equity points" />
          )}
        </section>
        <section className="q-card" aria-labelledby="dd-title" style={{ marginTop: 0 }}>
          <h2 id="dd-title">Drawdown (underwater)</h2>
          {curve ? (
            <LineChart
              x={curve.x}
              series={ddSeries}
              theme={theme}
              height={280}
              label="Underwater drawdown curve in percent; the worst drawdowns shaded"
              valueFormat={(v) => `${v.toFixed(1)}%`}
              bands={curve.bands}
            />
          ) : (
            <Skeleton height={320} />
          )}
          {curve ? <DrawdownList episodes={curve.worst} /> : null}
        </section>
      </div>
      <section className="q-card" aria-labelledby="months-title">
        <h2 id="months-title">Monthly returns</h2>
        {curve ? <MonthlyHeatmap months={curve.months} /> : <Skeleton height={160} />}
      </section>
      <section className="q-card" aria-labelledby="dist-title" style={{ maxWidth: 960 }}>
        <h2 id="dist-title">Distribution of trade returns</h2>
        {trades.data ? (
          trades.data.length === 0 ? (
            <EmptyState title="No trades" />
          ) : (
            <ReturnHistogram bins={returnBins} total={trades.data.length} shown={trades.data.length} />
          )
        ) : (
          <Skeleton height={180} />
        )}
      </section>
      <section className="q-card" aria-labelledby="chart-title">
        <h2 id="chart-title">
          {b.symbol} {b.timeframe} with trades
        </h2>
        {bars.isError ? (
          <ErrorState error={describeError(bars.error)} onRetry={() => void bars.refetch()} />
        ) : candles.bars ? (
          <CandleChart
            bars={candles.bars}
            markers={markers}
            theme={theme}
            height={380}
            focusTime={focus}
            viewKey={b.id}
            onVisibleRangeChange={candles.onVisibleRangeChange}
            onDrawn={onChartDrawn}
            label={`${b.symbol} candles with ${markers.length / 2} trades marked`}
          />
        ) : (
          <Skeleton height={380} />
        )}
        <OverviewFailure candles={candles} />
        <p className="q-hint">
          ▲ long entry, ▼ short entry, ● exit. Click a trade below to scroll the chart to it.{" "}
          {candles.overviewTimeframe === b.timeframe || candles.overviewFailure
            ? null
            : candles.detailShown
              ? `Showing ${b.timeframe} candles around the visible range, ${candles.overviewTimeframe} elsewhere.`
              : `Overview at ${candles.overviewTimeframe}; zoom in for ${b.timeframe} candles.`}
        </p>
      </section>
      <section className="q-card" aria-labelledby="trades-title">
        <div className="q-row" style={{ marginBottom: "0.5rem" }}>
          <h2 id="trades-title" style={{ margin: 0 }}>
            Trades
          </h2>
          <span className="q-muted q-small">
            {trades.data
              ? `${formatInteger(trades.data.length)} trades · click a header to sort`
              : trades.progress.total !== null
                ? `${formatInteger(trades.progress.loaded)} of ${formatInteger(trades.progress.total)} loaded`
                : ""}
          </span>
          <span className="q-spacer" />
          <ExportButtons id={b.id} trades={trades.data} />
        </div>
        {trades.isPending ? (
          trades.progress.total !== null && trades.progress.total > 0 ? (
            <div style={{ minHeight: 420 }}>
              <ProgressBar
                value={trades.progress.loaded / trades.progress.total}
                label="Loading every trade of the run"
              />
            </div>
          ) : (
            <LoadingBlock label="Loading trades" lines={5} />
          )
        ) : trades.isError ? (
          <ErrorState error={describeError(trades.error)} onRetry={() => void trades.refetch()} />
        ) : trades.data.length === 0 ? (
          <EmptyState title="No trades">The strategy never entered a position on these bars.</EmptyState>
        ) : (
          <TradesTable trades={trades.data} onPick={setFocus} />
        )}
      </section>
    </>
  );
}

/** Export of every trade, from the trades the table loaded (the whole run). */
function ExportButtons({ id, trades }: { id: string; trades: BacktestTrade[] | undefined }) {
  const disabled = !trades || trades.length === 0;
  const save = (format: "csv" | "json") => {
    if (!trades) return;
    if (format === "csv") download(`${id}-trades.csv`, tradesToCsv(trades), "text/csv");
    else download(`${id}-trades.json`, `${JSON.stringify(trades, null, 2)}\n`, "application/json");
  };
  return (
    <>
      <button type="button" className="q-button" disabled={disabled} onClick={() => save("csv")}>
        Export CSV
      </button>
      <button type="button" className="q-button" disabled={disabled} onClick={() => save("json")}>
        Export JSON
      </button>
    </>
  );
}

/** Buy & hold equity at each equity time: the initial balance moved with the close, from the first open. */
function buyAndHold(bars: Columns | undefined, x: number[], initial: number): number[] | undefined {
  if (!bars || bars.time.length === 0) return undefined;
  const first = bars.open[0] as number;
  let j = 0;
  return x.map((t) => {
    const ms = t * 1000;
    while (j + 1 < bars.time.length && (bars.time[j + 1] as number) <= ms) j++;
    return (initial * (bars.close[j] as number)) / first;
  });
}

function Configuration({ b }: { b: BacktestRecord }) {
  const rows: Array<[string, React.ReactNode]> = [
    ["Backtest id", <code key="id">{b.id}</code>],
    ["Strategy", `${b.strategy} (${b.strategy_source}, ${b.strategy_runtime})`],
    ["Strategy version", b.strategy_version ?? "—"],
    [
      "Artifact SHA-256",
      b.artifact_sha256 ? (
        <code key="a">{b.artifact_sha256}</code>
      ) : b.strategy_runtime === "remote" ? (
        "— (a remote endpoint has no artifact)"
      ) : (
        "— (built-in)"
      ),
    ],
    ["Bars hash (SHA-256)", b.bars_hash ? <code key="h">{b.bars_hash}</code> : "—"],
    ["Created", formatDateTime(b.created_at)],
    [
      "Rerun of",
      b.rerun_of ? (
        <Link key="r" to="/backtests/$id" params={{ id: b.rerun_of }}>
          {b.rerun_of}
        </Link>
      ) : (
        "—"
      ),
    ],
  ];
  return (
    <section className="q-card" aria-labelledby="config-title">
      <h2 id="config-title">Configuration and reproducibility</h2>
      <dl className="q-dl">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <details>
        <summary>Request parameters and resolved engine configuration (JSON)</summary>
        <pre className="q-pre">
          {JSON.stringify({ parameters: b.parameters, execution_config: b.execution_config }, null, 2)}
        </pre>
      </details>
    </section>
  );
}
