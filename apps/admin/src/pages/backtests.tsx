import { describeError } from "@quantago/app-kit";
import {
  ErrorState,
  formatDateTime,
  formatDuration,
  formatInteger,
  LoadingBlock,
  MetricCard,
  PageHeader,
  StatusBadge,
} from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { type AdminBacktestRow, backtestsSummaryQuery } from "../queries.ts";

const STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;

function Who({ row }: { row: AdminBacktestRow }) {
  return (
    <Link to="/users/$id" params={{ id: row.userId }}>
      {row.userEmail}
    </Link>
  );
}

/** A table of backtests: the columns every list shares, then the list's own. */
function BacktestTable({
  caption,
  rows,
  empty,
  extra,
}: {
  caption: string;
  rows: AdminBacktestRow[];
  empty: string;
  extra: Array<{ title: string; num?: boolean; cell: (row: AdminBacktestRow) => ReactNode }>;
}) {
  if (rows.length === 0) return <p className="q-muted">{empty}</p>;
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <caption className="q-visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Strategy</th>
            <th scope="col">Symbol</th>
            {extra.map((c) => (
              <th key={c.title} scope="col" className={c.num ? "q-num" : undefined}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} title={row.id}>
              <td>
                <Who row={row} />
              </td>
              <td>{row.strategy}</td>
              <td>
                {row.symbol} <span className="q-muted">{row.timeframe}</span>
              </td>
              {extra.map((c) => (
                <td key={c.title} className={c.num ? "q-num" : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const failureColumns = [
  {
    title: "Error",
    cell: (r: AdminBacktestRow) => <span className="q-tone-negative">{r.errorMessage ?? "–"}</span>,
  },
  { title: "Failed at", cell: (r: AdminBacktestRow) => formatDateTime(r.finishedAt ?? r.createdAt) },
];
export const queueColumns = [
  { title: "Status", cell: (r: AdminBacktestRow) => <StatusBadge status={r.status} /> },
  {
    title: "Progress",
    num: true,
    cell: (r: AdminBacktestRow) =>
      r.barsTotal ? `${formatInteger(r.barsDone)} / ${formatInteger(r.barsTotal)} bars` : "–",
  },
  { title: "Queued at", cell: (r: AdminBacktestRow) => formatDateTime(r.createdAt) },
];

export function RecentFailures({ rows }: { rows: AdminBacktestRow[] }) {
  return (
    <BacktestTable
      caption="Recent failures"
      rows={rows}
      empty="No failed backtests."
      extra={failureColumns}
    />
  );
}
export function BacktestQueue({ rows }: { rows: AdminBacktestRow[] }) {
  return (
    <BacktestTable caption="Queue" rows={rows} empty="Nothing pending or running." extra={queueColumns} />
  );
}

/** Every user's backtests from `GET /api/admin/backtests/summary`, refreshed every 15 s. */
export function BacktestsPage() {
  const summary = useQuery(backtestsSummaryQuery(20));
  return (
    <>
      <PageHeader title="Backtests across users" subtitle="All users, refreshed every 15 s." />
      {summary.isPending ? (
        <LoadingBlock label="Loading backtests" />
      ) : summary.isError ? (
        <ErrorState error={describeError(summary.error)} onRetry={() => void summary.refetch()} />
      ) : (
        <>
          <div className="q-metrics">
            {STATUSES.map((s) => (
              <MetricCard
                key={s}
                label={s}
                value={formatInteger(summary.data.counts[s] ?? 0)}
                tone={s === "failed" && summary.data.counts[s] ? "negative" : "neutral"}
              />
            ))}
            <MetricCard
              label="failed, last 24 h"
              value={formatInteger(summary.data.failedLast24h)}
              tone={summary.data.failedLast24h ? "negative" : "neutral"}
            />
          </div>
          <section className="q-card" aria-labelledby="bt-failures">
            <h2 id="bt-failures">Recent failures</h2>
            <RecentFailures rows={summary.data.recentFailures} />
          </section>
          <section className="q-card" aria-labelledby="bt-queue">
            <h2 id="bt-queue">Queue: pending and running, oldest first</h2>
            <BacktestQueue rows={summary.data.queue} />
          </section>
          <section className="q-card" aria-labelledby="bt-slowest">
            <h2 id="bt-slowest">Slowest completed runs</h2>
            <BacktestTable
              caption="Slowest completed runs"
              rows={summary.data.slowest}
              empty="No completed backtests yet."
              extra={[
                { title: "Duration", num: true, cell: (r) => formatDuration(r.durationMs) },
                { title: "Bars", num: true, cell: (r) => formatInteger(r.barsTotal ?? r.barsDone) },
                { title: "Finished", cell: (r) => formatDateTime(r.finishedAt) },
              ]}
            />
          </section>
        </>
      )}
    </>
  );
}
