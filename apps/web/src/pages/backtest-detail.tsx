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
  formatPrice,
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
import { useEffect, useMemo, useState } from "react";
import { histogram, monthlyReturns, worstDrawdowns } from "../components/analytics.ts";
import { DrawdownList, MonthlyHeatmap, ReturnHistogram } from "../components/analytics-views.tsx";
import { metric } from "../components/backtest-bits.tsx";
import { download, tradesToCsv } from "../components/export.ts";
import {
  type BacktestRecord,
  type BacktestTrade,
  backtestEventsUrl,
  backtestKeys,
  backtestQuery,
  cancelBacktest,
  deleteBacktest,
  equityQuery,
  fetchAllTrades,
  isActive,
  rerunBacktest,
  tradesQuery,
} from "../queries/backtests.ts";
import { type Columns, columnsQuery } from "../queries/columns.ts";
import type { Timeframe } from "../queries/market.ts";

/** Live status: the SSE stream while the run is active, written into the query cache. */
function useLiveStatus(b: BacktestRecord | undefined) {
  const queryClient = useQueryClient();
  const id = b?.id;
  const active = b ? isActive(b.status) : false;
  useEffect(() => {
    if (!id || !active) return;
    const source = new EventSource(backtestEventsUrl(id), { withCredentials: true });
    const onProgress = (e: MessageEvent<string>) => {
      const data = JSON.parse(e.data) as Partial<BacktestRecord>;
      queryClient.setQueryData<BacktestRecord>(backtestKeys.detail(id), (old) =>
        old ? { ...old, ...data } : old,
      );
    };
    const onDone = (e: MessageEvent<string>) => {
      onProgress(e);
      source.close();
      void queryClient.invalidateQueries({ queryKey: backtestKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
    };
    source.addEventListener("progress", onProgress);
    for (const t of ["completed", "failed", "cancelled"]) source.addEventListener(t, onDone);
    return () => source.close();
  }, [id, active, queryClient]);
}

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
  const record = useQuery({
    ...backtestQuery(id),
    // Fallback when the event stream is refused (10 streams per user): a slow poll while active.
    refetchInterval: (q) => (q.state.data && isActive(q.state.data.status) ? 5000 : false),
  });
  useLiveStatus(record.data);
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
        <EmptyState title="Cancelled">
          This run was stopped before it finished. Rerun it to get a result.
        </EmptyState>
      ) : null}
      {b.status === "completed" ? <Results b={b} elapsed={elapsed} /> : null}
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
      <EquityAndTrades b={b} />
    </>
  );
}

function EquityAndTrades({ b }: { b: BacktestRecord }) {
  const { theme } = useTheme();
  const equity = useQuery(equityQuery(b.id));
  const trades = useQuery(tradesQuery(b.id));
  const bars = useQuery(
    columnsQuery({
      symbol: b.symbol,
      timeframe: b.timeframe as Timeframe,
      from: b.start_date,
      to: b.end_date,
    }),
  );
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
    const hold = buyAndHold(bars.data, x, b.initial_balance);
    return { x, eq, dd, hold, months: monthlyReturns(x, eq), worst: worstDrawdowns(x, eq, 3) };
  }, [equity.data, bars.data, b.initial_balance]);

  const markers = useMemo<TradeMarker[]>(
    () =>
      (trades.data?.items ?? []).flatMap((t) => [
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
        (trades.data?.items ?? []).map((t) => t.return_pct),
        24,
      ),
    [trades.data],
  );
  const equitySeries = useMemo(
    () =>
      curve
        ? [
            { label: "Equity", values: curve.eq, color: theme === "dark" ? "#6b9bff" : "#1d4ed8" },
            ...(curve.hold
              ? [
                  {
                    label: "Buy & hold",
                    values: curve.hold,
                    color: theme === "dark" ? "#9aa5b5" : "#64748b",
                    dash: [4, 4],
                  },
                ]
              : []),
          ]
        : [],
    [curve, theme],
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
              label="Equity curve with buy and hold"
              valueFormat={(v) => formatMoney(v)}
              axisFormat={formatCompact}
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
              label="Underwater drawdown curve in percent"
              valueFormat={(v) => `${v.toFixed(1)}%`}
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
      <div>
        <section className="q-card" aria-labelledby="dist-title" style={{ maxWidth: 960 }}>
          <h2 id="dist-title">Distribution of trade returns</h2>
          {trades.data ? (
            trades.data.items.length === 0 ? (
              <EmptyState title="No trades" />
            ) : (
              <ReturnHistogram bins={returnBins} total={trades.data.total} shown={trades.data.items.length} />
            )
          ) : (
            <Skeleton height={180} />
          )}
        </section>
      </div>
      <section className="q-card" aria-labelledby="chart-title">
        <h2 id="chart-title">
          {b.symbol} {b.timeframe} with trades
        </h2>
        {bars.isError ? (
          <ErrorState error={describeError(bars.error)} onRetry={() => void bars.refetch()} />
        ) : bars.data ? (
          <CandleChart
            bars={bars.data}
            markers={markers}
            theme={theme}
            height={380}
            focusTime={focus}
            label={`${b.symbol} candles with ${markers.length / 2} trades marked`}
          />
        ) : (
          <Skeleton height={380} />
        )}
        <p className="q-hint">
          ▲ long entry, ▼ short entry, ● exit. Click a trade below to scroll the chart to it.
        </p>
      </section>
      <section className="q-card" aria-labelledby="trades-title">
        <div className="q-row" style={{ marginBottom: "0.5rem" }}>
          <h2 id="trades-title" style={{ margin: 0 }}>
            Trades
          </h2>
          <span className="q-muted q-small">
            {trades.data
              ? `${formatInteger(trades.data.items.length)} of ${formatInteger(trades.data.total)} shown`
              : ""}
          </span>
          <span className="q-spacer" />
          <ExportButtons id={b.id} disabled={!trades.data || trades.data.total === 0} />
        </div>
        {trades.isPending ? (
          <LoadingBlock label="Loading trades" lines={5} />
        ) : trades.isError ? (
          <ErrorState error={describeError(trades.error)} onRetry={() => void trades.refetch()} />
        ) : trades.data.items.length === 0 ? (
          <EmptyState title="No trades">The strategy never entered a position on these bars.</EmptyState>
        ) : (
          <TradesTable trades={trades.data.items} onPick={setFocus} />
        )}
      </section>
    </>
  );
}

function ExportButtons({ id, disabled }: { id: string; disabled: boolean }) {
  const exp = useMutation({
    mutationFn: async (format: "csv" | "json") => {
      const all = await fetchAllTrades(id);
      if (format === "csv") download(`${id}-trades.csv`, tradesToCsv(all), "text/csv");
      else download(`${id}-trades.json`, `${JSON.stringify(all, null, 2)}\n`, "application/json");
    },
  });
  return (
    <>
      {exp.isError ? <span className="q-field-error">{describeError(exp.error).message}</span> : null}
      <button
        type="button"
        className="q-button"
        disabled={disabled || exp.isPending}
        onClick={() => exp.mutate("csv")}
      >
        Export CSV
      </button>
      <button
        type="button"
        className="q-button"
        disabled={disabled || exp.isPending}
        onClick={() => exp.mutate("json")}
      >
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

function TradesTable({ trades, onPick }: { trades: BacktestTrade[]; onPick: (t: number) => void }) {
  let cum = 0;
  const rows = trades.map((t) => {
    cum += t.profit;
    return { t, cum };
  });
  return (
    <div className="q-table-wrap" style={{ maxHeight: 420, overflowY: "auto" }}>
      <table className="q-table">
        <thead>
          <tr>
            <th scope="col" className="q-num">
              #
            </th>
            <th scope="col">Side</th>
            <th scope="col">Entry (UTC)</th>
            <th scope="col" className="q-num">
              Entry price
            </th>
            <th scope="col">Exit (UTC)</th>
            <th scope="col" className="q-num">
              Exit price
            </th>
            <th scope="col" className="q-num">
              Size
            </th>
            <th scope="col" className="q-num">
              Profit
            </th>
            <th scope="col" className="q-num">
              Return
            </th>
            <th scope="col" className="q-num">
              Cumulative
            </th>
            <th scope="col">Exit reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ t, cum }) => (
            <tr key={t.seq}>
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
              <td className="q-num">{formatNumber(t.size, 4)}</td>
              <td className={`q-num q-tone-${tone(t.profit)}`}>{formatMoney(t.profit, true)}</td>
              <td className={`q-num q-tone-${tone(t.return_pct)}`}>{formatFractionPct(t.return_pct)}</td>
              <td className={`q-num q-tone-${tone(cum)}`}>{formatMoney(cum, true)}</td>
              <td>{t.reason.replaceAll("_", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Configuration({ b }: { b: BacktestRecord }) {
  const rows: Array<[string, React.ReactNode]> = [
    ["Backtest id", <code key="id">{b.id}</code>],
    ["Strategy", `${b.strategy} (${b.strategy_source}, ${b.strategy_runtime})`],
    ["Strategy version", b.strategy_version ?? "—"],
    ["Artifact SHA-256", b.artifact_sha256 ? <code key="a">{b.artifact_sha256}</code> : "— (built-in)"],
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
