import { describeError } from "@quantago/app-kit";
import type { HeatmapAggregate } from "@quantago/contracts/wire";
import { type AxisSpec, axisValues, type SweepValue } from "@quantago/engine/research";
import {
  EmptyState,
  ErrorState,
  formatDate,
  formatInteger,
  formatNumber,
  LoadingBlock,
  PageHeader,
  ProgressBar,
  StatusBadge,
  useTheme,
} from "@quantago/ui";
import { LineChart } from "@quantago/ui/line-chart";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { SelectField } from "../components/fields.tsx";
import {
  formatMetric,
  formatParameters,
  metricLabel,
  ScoreHeatmap,
  WindowsChart,
} from "../components/research-views.tsx";
import { useProgressStreams } from "../queries/live.ts";
import {
  cancelSweep,
  heatmapQuery,
  isActiveSweep,
  openSweepResult,
  researchKeys,
  type SweepRecord,
  sweepQuery,
  sweepResultsQuery,
  sweepStreams,
  type WalkForwardSummary,
  walkForwardQuery,
} from "../queries/research.ts";
import type { SweepSearch } from "../router.tsx";

const AGGREGATES: ReadonlyArray<{ value: HeatmapAggregate; label: string }> = [
  { value: "max", label: "Best value" },
  { value: "mean", label: "Mean" },
  { value: "min", label: "Worst value" },
];
/** The select value of a parameter that is aggregated rather than held at one value. */
const AGGREGATED = "__aggregated__";

/** `/research/:id`: live progress, then a sweep's heatmap and ranking, or a walk-forward's windows. */
export function SweepPage() {
  const { id } = useParams({ from: "/app/research/$id" });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [streamFailed, setStreamFailed] = useState(false);
  const sweep = useQuery(sweepQuery(id, streamFailed));
  const active = sweep.data ? isActiveSweep(sweep.data.status) : false;
  const { failed } = useProgressStreams(active ? [id] : [], sweepStreams);
  if (failed !== streamFailed) setStreamFailed(failed);
  const cancel = useMutation({
    mutationFn: () => cancelSweep(id),
    onSuccess: (record) => queryClient.setQueryData(researchKeys.sweep(id), record),
  });
  const open = useMutation({
    mutationFn: ({ combination }: { combination: number; label: string }) => openSweepResult(id, combination),
    onSuccess: (backtest) => navigate({ to: "/backtests/$id", params: { id: backtest.id } }),
  });
  if (sweep.isPending) return <LoadingBlock label="Loading the sweep…" />;
  if (sweep.error)
    return <ErrorState error={describeError(sweep.error)} onRetry={() => void sweep.refetch()} />;
  const s = sweep.data;
  const walkForward = s.kind === "walk_forward";
  return (
    <>
      <PageHeader
        title={`${walkForward ? "Walk-forward" : "Sweep"} of ${s.strategy} on ${s.symbol} ${s.timeframe}`}
        subtitle={`${formatInteger(s.combinations)} combinations${
          s.combinations_skipped > 0
            ? ` (${formatInteger(s.combinations_skipped)} more refused by the strategy's rules)`
            : ""
        }${walkForward ? ` in each of ${windowsOf(s)}` : ""}, ranked by ${metricLabel(s.metric)} · ${String(s.base.start_date ?? "")} to ${String(s.base.end_date ?? "")}`}
      />
      <section className="q-card" aria-label="Progress">
        <div className="q-row">
          <StatusBadge status={s.status} />
          <span role="status" className="q-mono">
            {formatInteger(s.work_done)} of {formatInteger(s.work_total)} runs
            {walkForward ? " (every window's combinations and one out-of-sample run each)" : ""}
          </span>
          <span className="q-spacer" />
          {active ? (
            <button
              type="button"
              className="q-button q-button-danger"
              onClick={() => cancel.mutate()}
              disabled={cancel.isPending}
            >
              Cancel sweep
            </button>
          ) : null}
          <Link to="/research" className="q-button">
            New sweep
          </Link>
        </div>
        <ProgressBar value={s.progress} label={`${walkForward ? "Walk-forward" : "Sweep"} progress`} />
        {streamFailed && active ? (
          <p className="q-hint">Live updates paused; checking every second instead.</p>
        ) : null}
        {s.status === "cancelled" ? (
          <p className="q-hint">Cancelled: the results stored before it stopped are below.</p>
        ) : null}
        {s.error_message ? (
          <p role="alert" className="q-form-error">
            {s.error_message}
          </p>
        ) : null}
        {cancel.error ? (
          <p role="alert" className="q-form-error">
            {describeError(cancel.error).message}
          </p>
        ) : null}
      </section>
      {open.error ? (
        <p role="alert" className="q-form-error">
          {describeError(open.error).message}
        </p>
      ) : null}
      {walkForward ? (
        <WalkForwardSection sweep={s} />
      ) : (
        <>
          <HeatmapSection
            sweep={s}
            open={(combination, label) => open.mutate({ combination, label })}
            busy={open.isPending}
          />
          <RankedResults
            sweep={s}
            open={(combination, label) => open.mutate({ combination, label })}
            busy={open.isPending}
          />
        </>
      )}
    </>
  );
}

/** `3 rolling windows (75 % in-sample)`, from the walk-forward's settings. */
function windowsOf(s: SweepRecord): string {
  const { windows, mode, in_sample_ratio: ratio } = s.walk_forward ?? {};
  const n = typeof windows === "number" ? windows : 0;
  return `${formatInteger(n)} ${mode === "anchored" ? "anchored" : "rolling"} window${n === 1 ? "" : "s"}${
    typeof ratio === "number" ? ` (${Math.round(ratio * 100)} % in-sample)` : ""
  }`;
}

type Open = (combination: number, label: string) => void;

function HeatmapSection({ sweep, open, busy }: { sweep: SweepRecord; open: Open; busy: boolean }) {
  const names = Object.keys(sweep.axes);
  // The view lives in the URL (`?x=&y=&agg=&fixed=`): a reload or a pasted link shows the same map.
  // Names or values this sweep does not have fall back to the defaults.
  const search = useSearch({ from: "/app/research/$id" });
  const navigate = useNavigate({ from: "/research/$id" });
  const values = useMemo(() => {
    const out: Record<string, SweepValue[]> = {};
    for (const n of names) out[n] = axisValues(n, sweep.axes[n] as AxisSpec);
    return out;
  }, [sweep.axes, names]);
  const x = search.x && names.includes(search.x) ? search.x : (names[0] ?? "");
  const y =
    search.y && names.includes(search.y) && search.y !== x ? search.y : (names.find((n) => n !== x) ?? x);
  const aggregate = search.agg ?? "max";
  const others = names.filter((n) => n !== x && n !== y);
  const held: Record<string, SweepValue> = {};
  for (const [n, v] of Object.entries(search.fixed ?? {})) {
    const value = others.includes(n) ? values[n]?.find((known) => String(known) === String(v)) : undefined;
    if (value !== undefined) held[n] = value;
  }
  const ready = sweep.status === "completed" || sweep.status === "cancelled";
  const heatmap = useQuery(
    heatmapQuery(sweep.id, { x, y, aggregate, fixed: held }, (ready || sweep.work_done > 0) && x !== ""),
  );
  const view = (patch: SweepSearch) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  /** Picking the other axis's parameter swaps the two. */
  const pickAxis = (which: "x" | "y", v: string) =>
    view(which === "x" ? { x: v, y: v === y ? x : y } : { y: v, x: v === x ? y : x });
  const hold = (n: string, v: string) => {
    const next: Record<string, SweepValue> = { ...held };
    if (v === AGGREGATED) delete next[n];
    else next[n] = values[n]?.find((value) => String(value) === v) ?? v;
    view({ fixed: Object.keys(next).length > 0 ? next : undefined });
  };
  const axisOptions = names.map((n) => ({ value: n, label: n }));
  const aggregated = others.filter((n) => !(n in held));
  return (
    <section className="q-card" aria-labelledby="heatmap-heading">
      <h2 id="heatmap-heading">Heatmap</h2>
      {names.length < 2 ? (
        <p className="q-hint">One parameter was swept: its values are ranked in the table below.</p>
      ) : (
        <div className="q-toolbar">
          <SelectField
            label="Across (x axis)"
            value={x}
            onChange={(v) => pickAxis("x", v)}
            options={axisOptions}
          />
          <SelectField
            label="Down (y axis)"
            value={y}
            onChange={(v) => pickAxis("y", v)}
            options={axisOptions}
          />
          {others.map((n) => (
            <SelectField
              key={n}
              label={`Hold ${n} at`}
              value={n in held ? String(held[n]) : AGGREGATED}
              onChange={(v) => hold(n, v)}
              options={[
                { value: AGGREGATED, label: "any value (aggregate)" },
                ...(values[n] ?? []).map((value) => ({ value: String(value), label: String(value) })),
              ]}
            />
          ))}
          {aggregated.length > 0 ? (
            <SelectField
              label={`Aggregate ${aggregated.join(", ")} by`}
              value={aggregate}
              onChange={(v) => view({ agg: v === "max" ? undefined : v })}
              options={AGGREGATES}
            />
          ) : null}
        </div>
      )}
      {names.length < 2 ? null : heatmap.error ? (
        <ErrorState error={describeError(heatmap.error)} onRetry={() => void heatmap.refetch()} />
      ) : heatmap.data ? (
        <ScoreHeatmap heatmap={heatmap.data} onOpen={open} busy={busy} />
      ) : heatmap.isFetching ? (
        <LoadingBlock label="Loading the heatmap…" />
      ) : (
        <p className="q-hint">The heatmap fills in as the combinations finish.</p>
      )}
    </section>
  );
}

function RankedResults({ sweep, open, busy }: { sweep: SweepRecord; open: Open; busy: boolean }) {
  const results = useQuery(sweepResultsQuery(sweep.id, sweep.status));
  const items = results.data?.items ?? [];
  return (
    <section className="q-card" aria-labelledby="ranked-heading">
      <h2 id="ranked-heading">
        Ranked results{" "}
        {results.data ? (
          <span className="q-muted q-small">
            (best {formatInteger(items.length)} of {formatInteger(results.data.total)})
          </span>
        ) : null}
      </h2>
      {results.error ? (
        <ErrorState error={describeError(results.error)} onRetry={() => void results.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={results.isPending ? "Loading…" : "No results yet"}>
          Results appear as the combinations finish.
        </EmptyState>
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <thead>
              <tr>
                <th scope="col" className="q-num">
                  Rank
                </th>
                <th scope="col">Parameters</th>
                <th scope="col" className="q-num">
                  {metricLabel(sweep.metric)}
                </th>
                <th scope="col" className="q-num">
                  Total return
                </th>
                <th scope="col" className="q-num">
                  Max drawdown
                </th>
                <th scope="col" className="q-num">
                  Trades
                </th>
                <th scope="col">Full result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const label = formatParameters(r.parameters);
                return (
                  <tr key={r.combination}>
                    <td className="q-num">{r.rank}</td>
                    <td className="q-mono q-small">{label}</td>
                    <td className="q-num q-mono">{formatMetric(sweep.metric, r.score)}</td>
                    <td className="q-num q-mono">{formatMetric("totalReturn", r.metrics.totalReturn)}</td>
                    <td className="q-num q-mono">{formatMetric("maxDrawdown", r.metrics.maxDrawdown)}</td>
                    <td className="q-num q-mono">{formatInteger(r.metrics.numberOfTrades as number)}</td>
                    <td>
                      <button
                        type="button"
                        className="q-button"
                        aria-label={`Open rank ${r.rank}: ${label}`}
                        disabled={busy}
                        onClick={() => open(r.combination, label)}
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const COMPARED = ["totalReturn", "sharpe", "maxDrawdown", "numberOfTrades"] as const;

function WalkForwardSection({ sweep }: { sweep: SweepRecord }) {
  const { theme } = useTheme();
  const summary = useQuery(walkForwardQuery(sweep.id, sweep.status === "completed"));
  const curve = useMemo(() => {
    const points = summary.data?.out_of_sample.equity ?? [];
    const seconds = (iso: string) => Date.parse(iso) / 1000;
    return {
      x: points.map((p) => seconds(p.time)),
      series: [
        {
          label: "Out-of-sample equity",
          values: points.map((p) => p.equity),
          color: theme === "dark" ? "#6b9bff" : "#1d4ed8",
        },
      ],
      // Every other window shaded, so each window's stretch of the curve can be told apart.
      bands: (summary.data?.windows ?? [])
        .filter((w) => w.index % 2 === 1)
        .map((w) => ({ from: seconds(w.out_of_sample.start), to: seconds(w.out_of_sample.end) })),
    };
  }, [summary.data, theme]);
  if (sweep.status !== "completed")
    return (
      <section className="q-card">
        <EmptyState
          title={isActiveSweep(sweep.status) ? "Running the windows…" : `The walk-forward ${sweep.status}`}
        >
          The windows, chosen parameters and the stitched out-of-sample result appear once every window has
          run.
        </EmptyState>
      </section>
    );
  if (summary.error)
    return <ErrorState error={describeError(summary.error)} onRetry={() => void summary.refetch()} />;
  if (!summary.data) return <LoadingBlock label="Loading the walk-forward…" />;
  const { windows, out_of_sample } = summary.data;
  const first = windows[0];
  return (
    <>
      <section className="q-card" aria-labelledby="windows-heading">
        <h2 id="windows-heading">Windows</h2>
        <WindowsChart windows={windows} />
      </section>
      <section className="q-card" aria-labelledby="oos-heading">
        <h2 id="oos-heading">Stitched out-of-sample equity</h2>
        <p className="q-hint">
          Each window's out-of-sample run with the parameters chosen in-sample, chained by compounding: what
          trading the re-optimised strategy would have given, from{" "}
          {formatMetric("netProfit", out_of_sample.equity[0]?.equity)} to{" "}
          {formatMetric("netProfit", out_of_sample.equity.at(-1)?.equity)} (
          {formatMetric("totalReturn", out_of_sample.metrics.totalReturn)}).
          {shadedNote(windows)}
        </p>
        <LineChart
          x={curve.x}
          series={curve.series}
          bands={curve.bands}
          bandColor={theme === "dark" ? "rgba(148,163,184,0.14)" : "rgba(100,116,139,0.12)"}
          theme={theme}
          height={240}
          label={`Stitched out-of-sample equity, ${formatDate(first?.out_of_sample.start)} to ${formatDate(windows.at(-1)?.out_of_sample.end)}`}
          valueFormat={(v) => formatMetric("netProfit", v)}
        />
      </section>
      <section className="q-card" aria-labelledby="wf-metrics-heading">
        <h2 id="wf-metrics-heading">In-sample vs out-of-sample</h2>
        <WalkForwardTable windows={windows} overall={out_of_sample.metrics} metric={sweep.metric} />
      </section>
    </>
  );
}

/** Which windows the equity chart shades (every other one), as a sentence. */
function shadedNote(windows: WalkForwardSummary["windows"]): string {
  const shaded = windows.filter((w) => w.index % 2 === 1).map((w) => w.index + 1);
  if (shaded.length === 0) return "";
  const which =
    shaded.length === 1
      ? `The shaded stretch is window ${shaded[0]}`
      : `The shaded stretches are windows ${shaded.join(", ")}`;
  return ` ${which}, so each window's part of the curve, traded with the parameters it chose in-sample, stands apart.`;
}

function WalkForwardTable({
  windows,
  overall,
  metric,
}: {
  windows: WalkForwardSummary["windows"];
  overall: Record<string, unknown>;
  metric: string;
}) {
  const keys = [metric, ...COMPARED.filter((k) => k !== metric)];
  const mean = (k: string) => {
    const vs = windows.map((w) => w.in_sample_metrics[k]).filter((v): v is number => typeof v === "number");
    return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
  };
  const cell = (k: string, v: unknown) =>
    k === "numberOfTrades" ? formatInteger(v as number) : formatMetric(k, v);
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <caption className="q-hint" style={{ textAlign: "left", captionSide: "top" }}>
          IS: in-sample, where the parameters were chosen; OOS: out-of-sample, where they were tested. A large
          drop from IS to OOS suggests over-fitting.
        </caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Window
            </th>
            <th scope="col" rowSpan={2}>
              Chosen parameters
            </th>
            {keys.map((k) => (
              <th key={k} scope="colgroup" colSpan={2} className="q-num">
                {k === "numberOfTrades" ? "Trades" : metricLabel(k)}
              </th>
            ))}
          </tr>
          <tr>
            {keys.flatMap((k) => [
              <th key={`${k}-is`} scope="col" className="q-num">
                IS
              </th>,
              <th key={`${k}-oos`} scope="col" className="q-num">
                OOS
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={w.index}>
              <th scope="row">
                Window {w.index + 1}{" "}
                <span className="q-hint" style={{ display: "block", fontWeight: 400 }}>
                  IS {formatDate(w.in_sample.start)} to {formatDate(w.in_sample.end)}
                  <br /> OOS {formatDate(w.out_of_sample.start)} to {formatDate(w.out_of_sample.end)}
                </span>
              </th>
              <td className="q-mono q-small">{formatParameters(w.parameters)}</td>
              {keys.flatMap((k) => [
                <td key={`${k}-is`} className="q-num q-mono">
                  {cell(k, w.in_sample_metrics[k])}
                </td>,
                <td key={`${k}-oos`} className="q-num q-mono">
                  {cell(k, w.out_of_sample_metrics[k])}
                </td>,
              ])}
            </tr>
          ))}
          <tr>
            <th scope="row">Overall</th>
            <td className="q-small q-muted">IS: mean of the windows · OOS: the stitched run</td>
            {keys.flatMap((k) => [
              <td key={`${k}-is`} className="q-num q-mono">
                {k === "numberOfTrades" ? formatNumber(mean(k), 1) : cell(k, mean(k))}
              </td>,
              <td key={`${k}-oos`} className="q-num q-mono" style={{ fontWeight: 700 }}>
                {cell(k, overall[k])}
              </td>,
            ])}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
