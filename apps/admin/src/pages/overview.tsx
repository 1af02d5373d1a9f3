import { describeError } from "@quantago/app-kit";
import { ErrorState, LoadingBlock, MetricCard, PageHeader } from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { backtestsSummaryQuery, isStale, runsQuery, storedSeriesQuery } from "../queries.ts";
import { BacktestQueue, RecentFailures } from "./backtests.tsx";
import { HealthTable } from "./health.tsx";
import { RunsTable } from "./ingestion.tsx";

/**
 * What needs attention now: failing or partial ingestion runs, stale synced series, backtests that
 * failed in the last 24 h, the backtest queue, and dependency health.
 */
export function OverviewPage() {
  const failed = useQuery({ ...runsQuery({ status: "failed", limit: 5 }), refetchInterval: 15_000 });
  const partial = useQuery({ ...runsQuery({ status: "partial", limit: 5 }), refetchInterval: 15_000 });
  const running = useQuery({ ...runsQuery({ status: "running", limit: 5 }), refetchInterval: 5_000 });
  const series = useQuery(storedSeriesQuery());
  const backtests = useQuery(backtestsSummaryQuery(5));
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  const failedToday = (backtests.data?.recentFailures ?? []).filter(
    (r) => Date.parse(r.finishedAt ?? r.createdAt) >= dayAgo,
  );
  const queued = (backtests.data?.counts.pending ?? 0) + (backtests.data?.counts.running ?? 0);
  const stale = (series.data ?? []).filter(
    (s) => isStale(s) && s.source !== "synthetic" && s.source !== "csv",
  );
  const failing = [...(failed.data?.items ?? []), ...(partial.data?.items ?? [])].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  return (
    <>
      <PageHeader title="Overview" subtitle="What needs attention now." />
      <div className="q-metrics">
        <MetricCard
          label="Failed runs"
          value={failed.data?.total ?? "…"}
          tone={failed.data?.total ? "negative" : "neutral"}
        />
        <MetricCard
          label="Partial runs"
          value={partial.data?.total ?? "…"}
          tone={partial.data?.total ? "negative" : "neutral"}
        />
        <MetricCard label="Running runs" value={running.data?.total ?? "…"} />
        <MetricCard
          label="Stale synced series"
          value={series.data ? stale.length : "…"}
          tone={stale.length ? "negative" : "neutral"}
          hint="newest bar older than two of its timeframe"
        />
        <MetricCard
          label="Failed backtests, 24 h"
          value={backtests.data?.failedLast24h ?? "…"}
          tone={backtests.data?.failedLast24h ? "negative" : "neutral"}
        />
        <MetricCard label="Backtests queued or running" value={backtests.data ? queued : "…"} />
      </div>
      <section className="q-card" aria-labelledby="ov-failing">
        <h2 id="ov-failing">Failing or partial runs</h2>
        {failed.isError ? (
          <ErrorState error={describeError(failed.error)} />
        ) : failed.isPending ? (
          <LoadingBlock label="Loading runs" />
        ) : failing.length === 0 ? (
          <p className="q-muted">None.</p>
        ) : (
          <RunsTable runs={failing.slice(0, 5)} />
        )}
        <Link to="/ingestion" search={{ status: "failed" }}>
          All failed runs
        </Link>
      </section>
      <section className="q-card" aria-labelledby="ov-stale">
        <h2 id="ov-stale">Stale symbols</h2>
        {stale.length === 0 ? (
          <p className="q-muted">None: every synced series is current.</p>
        ) : (
          <ul>
            {stale.map((s) => (
              <li key={`${s.symbol}-${s.timeframe}`}>
                <Link to="/coverage" search={{ symbol: s.symbol }}>
                  {s.symbol} {s.timeframe}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="q-card" aria-labelledby="ov-bt-failed">
        <h2 id="ov-bt-failed">Failed backtests, last 24 h</h2>
        {backtests.isError ? (
          <ErrorState error={describeError(backtests.error)} />
        ) : backtests.isPending ? (
          <LoadingBlock label="Loading backtests" />
        ) : (
          <RecentFailures rows={failedToday} />
        )}
        <Link to="/backtests">All backtests</Link>
      </section>
      <section className="q-card" aria-labelledby="ov-bt-queue">
        <h2 id="ov-bt-queue">Backtest queue</h2>
        {backtests.data ? (
          <BacktestQueue rows={backtests.data.queue} />
        ) : backtests.isPending ? (
          <LoadingBlock label="Loading the queue" />
        ) : null}
      </section>
      <section className="q-card" aria-labelledby="ov-health">
        <h2 id="ov-health">Dependencies</h2>
        <HealthTable />
      </section>
    </>
  );
}
