import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDate,
  formatFractionPct,
  formatInteger,
  formatMoney,
  formatNumber,
  LoadingBlock,
  PageHeader,
  useTheme,
} from "@quantago/ui";
import { LineChart, type LineSeries } from "@quantago/ui/line-chart";
import { useQueries } from "@tanstack/react-query";
import { Link, useSearch } from "@tanstack/react-router";
import { useMemo } from "react";
import { metric, StatusBadge } from "../components/backtest-bits.tsx";
import {
  bestIndex,
  COMPARE_METRICS,
  configDiff,
  type MetricRow,
  normalisedCurves,
} from "../components/compare-math.ts";
import { type BacktestRecord, backtestQuery, equityQuery } from "../queries/backtests.ts";

/** Line colours that stay apart in both themes (Okabe–Ito, readable on light and dark). */
const COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"];
export const MAX_COMPARE = COLORS.length;

const fmt = (kind: MetricRow["kind"], v: number | null) =>
  kind === "pct"
    ? formatFractionPct(v)
    : kind === "money"
      ? formatMoney(v, true)
      : kind === "int"
        ? formatInteger(v)
        : formatNumber(v);

/** `/compare?ids=a,b,c`: metrics side by side, equity from the same start, what differs in the setup. */
export function ComparePage() {
  const search = useSearch({ from: "/app/compare" });
  const ids = useMemo(() => (search.ids ? search.ids.split(",") : []), [search.ids]);
  const runs = useQueries({ queries: ids.map((id) => backtestQuery(id)) });
  const curves = useQueries({ queries: ids.map((id) => equityQuery(id, 1000)) });

  if (ids.length < 2)
    return (
      <>
        <PageHeader title="Compare backtests" />
        <EmptyState
          title="Pick at least two runs to compare"
          action={
            <Link to="/backtests" search={{ status: "completed" }} className="q-button q-button-primary">
              Choose runs in the backtests list
            </Link>
          }
        >
          Tick the runs in the backtests list, then press Compare. Up to {MAX_COMPARE} runs side by side.
        </EmptyState>
      </>
    );

  const failed = runs.find((r) => r.isError);
  if (failed)
    return (
      <>
        <PageHeader title="Compare backtests" />
        <ErrorState
          title="Could not load one of the runs"
          error={describeError(failed.error)}
          onRetry={() => void failed.refetch()}
        />
      </>
    );
  if (runs.some((r) => r.isPending))
    return (
      <>
        <PageHeader title="Compare backtests" />
        <div className="q-card">
          <LoadingBlock label="Loading the runs" lines={8} />
        </div>
      </>
    );
  const loaded = runs.map((r) => r.data as BacktestRecord);
  return (
    <Comparison
      runs={loaded}
      curves={curves.map((c) => c.data?.points)}
      curvesPending={curves.some((c) => c.isPending)}
    />
  );
}

function runName(b: BacktestRecord, i: number) {
  return `#${i + 1} ${b.strategy}`;
}

function Comparison({
  runs,
  curves,
  curvesPending,
}: {
  runs: BacktestRecord[];
  curves: Array<{ time: string | number; equity: number }[] | undefined>;
  curvesPending: boolean;
}) {
  const { theme } = useTheme();
  const diff = useMemo(() => configDiff(runs), [runs]);
  const differing = diff.filter((d) => d.differs).length;
  const chart = useMemo(() => {
    if (curvesPending) return undefined;
    const { x, series } = normalisedCurves(curves.map((c) => c ?? []));
    const lines: LineSeries[] = series.map((values, i) => ({
      label: runName(runs[i] as BacktestRecord, i),
      values,
      color: COLORS[i % COLORS.length] as string,
    }));
    return { x, lines };
  }, [curves, curvesPending, runs]);
  const incomplete = runs.filter((b) => b.status !== "completed").length;

  const head = (
    <thead>
      <tr>
        <th scope="col">
          <span className="q-visually-hidden">Row</span>
        </th>
        {runs.map((b, i) => (
          <th
            scope="col"
            key={b.id}
            className="q-num"
            style={{ whiteSpace: "normal", textTransform: "none" }}
          >
            <span
              aria-hidden="true"
              style={{
                display: "inline-block",
                width: 10,
                height: 10,
                borderRadius: 2,
                background: COLORS[i % COLORS.length],
                marginRight: 6,
              }}
            />
            <Link to="/backtests/$id" params={{ id: b.id }}>
              {runName(b, i)}
            </Link>
            <div className="q-small" style={{ fontWeight: 400 }}>
              {b.symbol} {b.timeframe}
            </div>
          </th>
        ))}
      </tr>
    </thead>
  );

  return (
    <>
      <PageHeader
        title="Compare backtests"
        subtitle={`${runs.length} runs · ${differing === 0 ? "same configuration" : `${differing} setting${differing === 1 ? "" : "s"} differ`}`}
        actions={
          <Link to="/backtests" search={{}} className="q-button">
            Change selection
          </Link>
        }
      />
      {incomplete > 0 ? (
        <p className="q-hint" role="status">
          {incomplete} of these runs {incomplete === 1 ? "has" : "have"} no result yet; their columns stay
          empty.
        </p>
      ) : null}
      <section className="q-card" aria-labelledby="cmp-metrics">
        <h2 id="cmp-metrics">Metrics</h2>
        <p className="q-hint">
          ★ marks the best value of a row; rows without a better direction are not marked.
        </p>
        <div className="q-table-wrap">
          <table className="q-table">
            {head}
            <tbody>
              <tr>
                <th scope="row">Status</th>
                {runs.map((b) => (
                  <td key={b.id} className="q-num">
                    <StatusBadge status={b.status} />
                  </td>
                ))}
              </tr>
              {COMPARE_METRICS.map((row) => {
                const values = runs.map((b) => metric(b, row.key));
                // Drawdown is stored as a positive fraction; shown as a loss like on the detail page.
                const shown =
                  row.key === "maxDrawdown" ? values.map((v) => (v === null ? null : -v)) : values;
                const best = bestIndex(values, row.better);
                return (
                  <tr key={row.key}>
                    <th scope="row">
                      {row.label}
                      <span className="q-muted q-small" style={{ textTransform: "none", fontWeight: 400 }}>
                        {row.better === "none"
                          ? ""
                          : row.better === "higher"
                            ? " (higher is better)"
                            : " (lower is better)"}
                      </span>
                    </th>
                    {shown.map((v, i) => (
                      <td
                        key={runs[i]?.id}
                        className="q-num q-mono"
                        style={
                          i === best
                            ? { fontWeight: 700, background: "var(--accent-soft)", color: "var(--text)" }
                            : undefined
                        }
                      >
                        {i === best ? (
                          <>
                            <span aria-hidden="true">★ </span>
                            <span className="q-visually-hidden">Best: </span>
                          </>
                        ) : null}
                        {fmt(row.kind, v)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section className="q-card" aria-labelledby="cmp-equity">
        <h2 id="cmp-equity">Equity from the same start</h2>
        <p className="q-hint">
          Each run's equity as a change from its own initial balance, on one time axis.
        </p>
        {!chart ? (
          <LoadingBlock label="Loading the equity curves" lines={4} />
        ) : chart.x.length === 0 ? (
          <EmptyState title="No equity curve yet">Completed runs draw their curve here.</EmptyState>
        ) : (
          <LineChart
            x={chart.x}
            series={chart.lines}
            theme={theme}
            height={300}
            label={`Equity curves of ${runs.length} runs, as % change from each start`}
            valueFormat={(v) => `${v >= 0 ? "+" : ""}${v.toFixed(2)} %`}
          />
        )}
      </section>
      <section className="q-card" aria-labelledby="cmp-config">
        <h2 id="cmp-config">Configuration</h2>
        <p className="q-hint">
          {differing === 0
            ? "These runs share every setting: any difference in results comes from the data or a rerun."
            : "Settings that differ between the runs come first, highlighted and marked ≠; the shared ones follow."}
        </p>
        <div className="q-table-wrap">
          <table className="q-table">
            {head}
            <tbody>
              {diff.map((d) => (
                <tr
                  key={d.label}
                  style={d.differs ? { background: "var(--accent-soft)" } : undefined}
                  data-differs={d.differs || undefined}
                >
                  <th scope="row" style={{ textTransform: "none" }}>
                    {d.differs ? (
                      <>
                        <span aria-hidden="true">≠ </span>
                        <span className="q-visually-hidden">Differs: </span>
                      </>
                    ) : null}
                    {d.label}
                  </th>
                  {d.values.map((v, i) => (
                    <td
                      key={runs[i]?.id}
                      className="q-num q-mono q-small"
                      style={d.differs ? { fontWeight: 700, color: "var(--text)" } : undefined}
                    >
                      {d.label === "From" || d.label === "To" ? formatDate(v) : v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
