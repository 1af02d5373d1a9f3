import { describeError, issuesOf } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDateTime,
  formatFractionPct,
  formatInteger,
  formatMoney,
  LoadingBlock,
  MetricCard,
  PageHeader,
  useTheme,
} from "@quantago/ui";
import { LineChart, type SeriesFill } from "@quantago/ui/line-chart";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { histogram } from "../components/analytics.ts";
import { Histogram } from "../components/analytics-views.tsx";
import { InputField, SelectField } from "../components/fields.tsx";
import { backtestListQuery } from "../queries/backtests.ts";
import {
  createMonteCarlo,
  type MonteCarloRecord,
  monteCarloQuery,
  researchKeys,
} from "../queries/research.ts";

type Method = "bootstrap" | "shuffle";

const METHODS: ReadonlyArray<{ value: Method; label: string }> = [
  { value: "bootstrap", label: "Bootstrap (draw trades with replacement)" },
  { value: "shuffle", label: "Shuffle (same trades, random order)" },
];

/** `/research/monte-carlo?backtest=`: the options of a run over a completed backtest's trades. */
export function MonteCarloNewPage() {
  const search = useSearch({ from: "/app/research/monte-carlo" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const completed = useQuery(backtestListQuery({ status: "completed", limit: 100 }));
  const [backtestId, setBacktestId] = useState(search.backtest ?? "");
  const [method, setMethod] = useState<Method>("bootstrap");
  const [runs, setRuns] = useState("1000");
  const [seed, setSeed] = useState("1");
  const [ruin, setRuin] = useState("");
  const chosen = backtestId || completed.data?.items[0]?.id || "";
  const run = useMutation({
    mutationFn: () =>
      createMonteCarlo({
        monte_carlo: {
          backtest_id: chosen,
          method,
          runs: Number(runs),
          seed: Number(seed),
          ...(ruin.trim() === "" ? {} : { ruin_equity: Number(ruin) }),
        },
      }),
    onSuccess: async (record) => {
      queryClient.setQueryData(researchKeys.monteCarlo(record.id), record);
      await queryClient.invalidateQueries({ queryKey: researchKeys.all });
      await navigate({ to: "/research/monte-carlo/$id", params: { id: record.id } });
    },
  });
  const issues = Object.fromEntries(
    issuesOf(run.error).map((i) => [i.path.replace(/^monte_carlo\./, ""), i.message]),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  const options = (completed.data?.items ?? []).map((b) => ({
    value: b.id,
    label: `${b.strategy} on ${b.symbol} · ${formatFractionPct(b.metrics?.totalReturn as number | undefined)} · ${b.id}`,
  }));
  if (search.backtest && !options.some((o) => o.value === search.backtest))
    options.unshift({ value: search.backtest, label: search.backtest });
  return (
    <>
      <PageHeader
        title="Monte Carlo"
        subtitle="Resample a completed backtest's trades many times to see the spread of outcomes its result came from."
      />
      <section className="q-card">
        <form onSubmit={onSubmit} aria-label="New Monte Carlo run" noValidate>
          {completed.isPending ? (
            <LoadingBlock label="Loading completed backtests…" />
          ) : options.length === 0 ? (
            <EmptyState title="No completed backtest yet">
              <Link to="/backtests/new">Run a backtest</Link> first: Monte Carlo resamples its trades.
            </EmptyState>
          ) : (
            <SelectField
              label="Backtest"
              value={chosen}
              onChange={setBacktestId}
              options={options}
              error={issues.backtest_id}
            />
          )}
          <div className="q-toolbar">
            <SelectField label="Method" value={method} onChange={setMethod} options={METHODS} />
            <InputField
              label="Iterations"
              numeric
              value={runs}
              onChange={setRuns}
              hint="paths simulated, 1 to 10,000"
              error={issues.runs}
            />
            <InputField
              label="Seed"
              numeric
              value={seed}
              onChange={setSeed}
              hint="the same seed gives the same result"
              error={issues.seed}
            />
            <InputField
              label="Ruin threshold (equity)"
              numeric
              value={ruin}
              onChange={setRuin}
              placeholder="half the initial balance"
              hint="a path is ruined if its equity ever falls to this"
              error={issues.ruin_equity}
            />
          </div>
          {run.error && Object.keys(issues).length === 0 ? (
            <p role="alert" className="q-form-error">
              {describeError(run.error).message}
            </p>
          ) : null}
          <button
            type="submit"
            className="q-button q-button-primary"
            disabled={run.isPending || chosen === ""}
          >
            {run.isPending ? "Simulating…" : "Run Monte Carlo"}
          </button>
        </form>
      </section>
    </>
  );
}

const PCTS = ["p5", "p25", "p50", "p75", "p95"] as const;

/** `/research/monte-carlo/:id`: the fan of equity paths, the histograms and the percentile table. */
export function MonteCarloPage() {
  const { id } = useParams({ from: "/app/research/monte-carlo/$id" });
  const mc = useQuery(monteCarloQuery(id));
  if (mc.isPending) return <LoadingBlock label="Loading the Monte Carlo run…" />;
  if (mc.error) return <ErrorState error={describeError(mc.error)} onRetry={() => void mc.refetch()} />;
  const r = mc.data;
  return (
    <>
      <PageHeader
        title="Monte Carlo"
        subtitle={`${formatInteger(r.runs)} ${r.method} paths of the ${formatInteger(r.trades)} trades of backtest ${r.backtest_id}, seed ${r.seed} · ${formatDateTime(r.created_at)}`}
      />
      <div className="q-row" style={{ marginBottom: "0.75rem" }}>
        <Link to="/backtests/$id" params={{ id: r.backtest_id }} className="q-button">
          Open the backtest
        </Link>
        <Link to="/research/monte-carlo" search={{ backtest: r.backtest_id }} className="q-button">
          Run again with other options
        </Link>
      </div>
      <section
        className="q-metrics"
        aria-label="Summary"
        // Four cards share the row rather than leaving most of it empty.
        style={{ gridTemplateColumns: "repeat(auto-fit, minmax(180px, 1fr))" }}
      >
        <MetricCard
          label="Probability of ruin"
          value={formatFractionPct(r.probability_of_ruin, 1, false)}
          hint={`paths whose equity ever fell to ${formatMoney(r.ruin_equity)} or below`}
          tone={r.probability_of_ruin > 0.05 ? "negative" : "neutral"}
        />
        <MetricCard
          label="Median final equity"
          value={formatMoney(r.final_equity.p50)}
          hint={`from ${formatMoney(r.initial_balance)}; 5–95 %: ${formatMoney(r.final_equity.p5)} to ${formatMoney(r.final_equity.p95)}`}
          tone={r.final_equity.p50 >= r.initial_balance ? "positive" : "negative"}
        />
        <MetricCard
          label="Median max drawdown"
          value={formatFractionPct(r.max_drawdown.p50, 1, false)}
          hint={`95th percentile: ${formatFractionPct(r.max_drawdown.p95, 1, false)}`}
        />
        <MetricCard
          label="Median longest drawdown"
          value={`${formatInteger(r.longest_drawdown_trades.p50)} trades`}
          hint={`95th percentile: ${formatInteger(r.longest_drawdown_trades.p95)} trades`}
        />
      </section>
      <FanChart run={r} />
      <section className="q-card" aria-labelledby="mc-pct-heading">
        <h2 id="mc-pct-heading">Percentiles</h2>
        <PercentileTable run={r} />
      </section>
      <section className="q-card" aria-labelledby="mc-hist-heading">
        <h2 id="mc-hist-heading">Distributions over {formatInteger(r.runs)} paths</h2>
        <div className="q-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(300px, 1fr))" }}>
          <Histogram
            bins={histogram(r.samples.final_equity, 24)}
            label={`Histogram of final equity over ${formatInteger(r.runs)} paths, median ${formatMoney(r.final_equity.p50)}`}
            format={(v) => formatMoney(v)}
            unit="paths"
            fill={(b) => (b.to <= r.initial_balance ? "var(--negative)" : "var(--positive)")}
            caption={`Final equity: red below the initial ${formatMoney(r.initial_balance)}, green above.`}
          />
          <Histogram
            bins={histogram(r.samples.max_drawdown, 24)}
            label={`Histogram of max drawdown over ${formatInteger(r.runs)} paths, median ${formatFractionPct(r.max_drawdown.p50, 1, false)}`}
            format={(v) => formatFractionPct(v, 1, false)}
            unit="paths"
            fill={() => "var(--negative)"}
            caption="Max drawdown: the deepest fall from a running peak on each path."
          />
          <Histogram
            bins={histogram(r.samples.longest_drawdown_trades, 24)}
            label={`Histogram of the longest drawdown over ${formatInteger(r.runs)} paths, median ${formatInteger(r.longest_drawdown_trades.p50)} trades`}
            format={(v) => formatInteger(v)}
            unit="paths"
            fill={() => "var(--accent)"}
            caption="Longest drawdown: most consecutive trades spent below a previous peak."
          />
        </div>
      </section>
    </>
  );
}

const FILLS: readonly SeriesFill[] = [
  { upper: 4, lower: 0, fill: "rgba(100,116,139,0.16)" },
  { upper: 3, lower: 1, fill: "rgba(37,99,235,0.22)" },
];

function FanChart({ run }: { run: MonteCarloRecord }) {
  const { theme } = useTheme();
  const { x, series } = useMemo(() => {
    const band = theme === "dark" ? "#9aa5b5" : "#64748b";
    const inner = theme === "dark" ? "#6b9bff" : "#1d4ed8";
    const colors = [band, inner, theme === "dark" ? "#e5e9f0" : "#0f172a", inner, band];
    const names = ["5th percentile", "25th percentile", "Median", "75th percentile", "95th percentile"];
    return {
      x: run.fan.map((p) => p.trade_index),
      series: PCTS.map((k, i) => ({
        label: names[i] as string,
        values: run.fan.map((p) => p[k]),
        color: colors[i] as string,
        ...(k === "p50" ? {} : { dash: [4, 3] }),
      })),
    };
  }, [run.fan, theme]);
  const xAxis = useMemo(
    () => ({ label: "Trades", format: (v: number) => formatInteger(v), integer: true }),
    [],
  );
  return (
    <section className="q-card" aria-labelledby="fan-heading">
      <h2 id="fan-heading">Equity over trades</h2>
      <p className="q-hint">
        The spread of equity after each number of trades: the outer band holds 90 % of paths (5th to 95th
        percentile), the inner band half of them (25th to 75th), the solid line the median.
      </p>
      <LineChart
        x={x}
        series={series}
        theme={theme}
        height={280}
        label={`Fan chart of equity over ${formatInteger(run.trades)} trades: median ending at ${formatMoney(run.final_equity.p50)}`}
        valueFormat={(v) => formatMoney(v)}
        xAxis={xAxis}
        fills={FILLS}
      />
    </section>
  );
}

function PercentileTable({ run }: { run: MonteCarloRecord }) {
  const rows = [
    { label: "Final equity", d: run.final_equity, fmt: (v: number) => formatMoney(v) },
    { label: "Max drawdown", d: run.max_drawdown, fmt: (v: number) => formatFractionPct(v, 1, false) },
    {
      label: "Longest drawdown (trades)",
      d: run.longest_drawdown_trades,
      fmt: (v: number) => formatInteger(Math.round(v)),
    },
  ];
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <thead>
          <tr>
            <th scope="col">Measure</th>
            {PCTS.map((p) => (
              <th key={p} scope="col" className="q-num">
                {p.slice(1)}th pct
              </th>
            ))}
            <th scope="col" className="q-num">
              Mean
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {PCTS.map((p) => (
                <td key={p} className="q-num q-mono">
                  {row.fmt(row.d[p])}
                </td>
              ))}
              <td className="q-num q-mono">{row.fmt(row.d.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="q-hint">
        Ruin threshold {formatMoney(run.ruin_equity)}; probability of ruin{" "}
        {formatFractionPct(run.probability_of_ruin, 1, false)}.
      </p>
    </div>
  );
}
