import { describeError } from "@quantago/app-kit";
import { unwrap, unwrapPage } from "@quantago/app-kit/client";
import type { SweepMetric } from "@quantago/contracts";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { api } from "../queries/api-client.ts";
import { TIMEFRAMES, type Timeframe } from "../queries/market.ts";
import { strategiesQuery } from "../queries/strategies.ts";

const sweeps = api.api.research.sweeps;

const METRICS: readonly SweepMetric[] = [
  "sharpe",
  "totalReturn",
  "sortino",
  "calmar",
  "profitFactor",
  "winRate",
  "maxDrawdown",
];
const isActive = (s: string) => s === "pending" || s === "running";

const researchKeys = {
  list: ["research", "sweeps"] as const,
  detail: (id: string) => ["research", "sweep", id] as const,
  results: (id: string) => ["research", "results", id] as const,
  heatmap: (id: string, x: string, y: string) => ["research", "heatmap", id, x, y] as const,
};

interface AxisText {
  min: string;
  max: string;
  step: string;
}

/** `/research`: a sweep form generated from the strategy's numeric parameters, and the sweeps so far. */
export function ResearchPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const strategies = useQuery(strategiesQuery());
  const builtins = (strategies.data ?? []).filter((s) => s.runtimeType === "native");
  const [slug, setSlug] = useState("sma-crossover");
  const [symbol, setSymbol] = useState("SYNTH-USD");
  const [timeframe, setTimeframe] = useState<Timeframe>("1h");
  const [start, setStart] = useState("2025-01-01");
  const [end, setEnd] = useState("2025-03-01");
  const [metric, setMetric] = useState<SweepMetric>("sharpe");
  const [axes, setAxes] = useState<Record<string, AxisText>>({});
  const strategy = builtins.find((s) => s.slug === slug);
  const numeric = useMemo(
    () =>
      Object.entries(strategy?.parameterSchema.properties ?? {}).filter(
        ([, p]) => p.type === "integer" || p.type === "number",
      ),
    [strategy],
  );
  const list = useQuery({
    queryKey: researchKeys.list,
    queryFn: () => unwrapPage(sweeps.$get({ query: {} })),
    refetchInterval: (q) => (q.state.data?.items.some((s) => isActive(s.status)) ? 2000 : false),
  });
  const submit = useMutation({
    mutationFn: () => {
      const swept: Record<string, { min: number; max: number; step: number }> = {};
      for (const [name, a] of Object.entries(axes)) {
        if (a.min !== "" && a.max !== "" && a.step !== "")
          swept[name] = { min: Number(a.min), max: Number(a.max), step: Number(a.step) };
      }
      return unwrap(
        sweeps.$post({
          json: {
            sweep: {
              backtest: {
                symbol,
                exchange: "crypto",
                strategy: slug,
                start_date: start,
                end_date: end,
                parameters: { timeframe },
              },
              axes: swept,
              metric,
            },
          },
        }),
      );
    },
    onSuccess: async (record) => {
      await queryClient.invalidateQueries({ queryKey: researchKeys.list });
      await navigate({ to: "/research/$id", params: { id: record.id } });
    },
  });
  const axis = (name: string, key: keyof AxisText, value: string) =>
    setAxes((prev) => ({
      ...prev,
      [name]: { ...(prev[name] ?? { min: "", max: "", step: "" }), [key]: value },
    }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  return (
    <>
      <PageHeader
        title="Research"
        subtitle="Parameter sweeps over a built-in strategy, ranked by a metric."
      />
      <section className="q-card">
        <form onSubmit={onSubmit} aria-label="New sweep">
          <div className="q-toolbar">
            <div className="q-field">
              <label htmlFor="sw-strategy">Strategy</label>
              <select
                id="sw-strategy"
                value={slug}
                onChange={(e) => {
                  setSlug(e.target.value);
                  setAxes({});
                }}
              >
                {builtins.map((s) => (
                  <option key={s.slug} value={s.slug}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="q-field">
              <label htmlFor="sw-symbol">Symbol</label>
              <input id="sw-symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} />
            </div>
            <div className="q-field">
              <label htmlFor="sw-tf">Timeframe</label>
              <select
                id="sw-tf"
                value={timeframe}
                onChange={(e) => setTimeframe(e.target.value as Timeframe)}
              >
                {TIMEFRAMES.map((tf) => (
                  <option key={tf} value={tf}>
                    {tf}
                  </option>
                ))}
              </select>
            </div>
            <div className="q-field">
              <label htmlFor="sw-start">Start</label>
              <input id="sw-start" type="date" value={start} onChange={(e) => setStart(e.target.value)} />
            </div>
            <div className="q-field">
              <label htmlFor="sw-end">End</label>
              <input id="sw-end" type="date" value={end} onChange={(e) => setEnd(e.target.value)} />
            </div>
            <div className="q-field">
              <label htmlFor="sw-metric">Rank by</label>
              <select
                id="sw-metric"
                value={metric}
                onChange={(e) => setMetric(e.target.value as SweepMetric)}
              >
                {METRICS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <table className="q-table">
            <caption className="q-muted q-small">Leave a parameter empty to keep its default.</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Min</th>
                <th scope="col">Max</th>
                <th scope="col">Step</th>
              </tr>
            </thead>
            <tbody>
              {numeric.map(([name, p]) => (
                <tr key={name}>
                  <th scope="row">
                    {p.title || name} <span className="q-muted q-small q-mono">{name}</span>
                  </th>
                  {(["min", "max", "step"] as const).map((key) => (
                    <td key={key}>
                      <input
                        aria-label={`${name} ${key}`}
                        inputMode="decimal"
                        value={axes[name]?.[key] ?? ""}
                        onChange={(e) => axis(name, key, e.target.value)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {submit.error ? (
            <p role="alert" className="q-hint">
              {describeError(submit.error).message}
            </p>
          ) : null}
          <button type="submit" className="q-button q-button-primary" disabled={submit.isPending}>
            Run sweep
          </button>
        </form>
      </section>
      <section className="q-card" aria-label="Sweeps">
        {list.isPending ? (
          <LoadingBlock label="Loading sweeps…" />
        ) : list.error ? (
          <ErrorState error={describeError(list.error)} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No sweeps yet" />
        ) : (
          <ul>
            {list.data.items.map((s) => (
              <li key={s.id}>
                <Link to="/research/$id" params={{ id: s.id }}>
                  {s.strategy} on {s.symbol} · {s.combinations} combinations · {s.status}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

const fmt = (v: number | null) => (v === null ? "—" : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3));

/** `/research/:id`: live progress, the ranked results, and a heatmap whose cells open their backtest. */
export function SweepPage() {
  const { id } = useParams({ from: "/app/research/$id" });
  const navigate = useNavigate();
  const sweep = useQuery({
    queryKey: researchKeys.detail(id),
    queryFn: () => unwrap(sweeps[":id"].$get({ param: { id } })),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data.status) ? false : 1000),
  });
  const status = sweep.data?.status;
  const results = useQuery({
    queryKey: [...researchKeys.results(id), status],
    queryFn: () => unwrapPage(sweeps[":id"].results.$get({ param: { id }, query: { limit: "50" } })),
    enabled: status !== undefined,
  });
  const names = Object.keys(sweep.data?.axes ?? {});
  const [x, y] = [names[0] ?? "", names[1] ?? names[0] ?? ""];
  const heatmap = useQuery({
    queryKey: [...researchKeys.heatmap(id, x, y), status],
    queryFn: () => unwrap(sweeps[":id"].heatmap.$get({ param: { id }, query: { x, y } })),
    enabled: status === "completed" && x !== "",
  });
  const open = useMutation({
    mutationFn: (combination: number) =>
      unwrap(
        sweeps[":id"].results[":combination"].backtest.$post({
          param: { id, combination: String(combination) },
        }),
      ),
    onSuccess: (backtest) => navigate({ to: "/backtests/$id", params: { id: backtest.id } }),
  });
  if (sweep.isPending) return <LoadingBlock label="Loading the sweep…" />;
  if (sweep.error)
    return <ErrorState error={describeError(sweep.error)} onRetry={() => void sweep.refetch()} />;
  const s = sweep.data;
  return (
    <>
      <PageHeader
        title={`Sweep of ${s.strategy} on ${s.symbol}`}
        subtitle={`${s.combinations} combinations (${s.combinations_skipped} skipped by the strategy's rules), ranked by ${s.metric}`}
      />
      <section className="q-card" aria-label="Progress">
        <progress value={s.work_done} max={Math.max(1, s.work_total)} aria-label="Sweep progress" />{" "}
        <span role="status">
          {s.status} · {s.work_done}/{s.work_total}
        </span>
        {s.error_message ? <p role="alert">{s.error_message}</p> : null}
      </section>
      {heatmap.data ? (
        <section className="q-card" aria-label="Heatmap">
          <h2>
            {heatmap.data.metric} over {heatmap.data.x.parameter} × {heatmap.data.y.parameter}
          </h2>
          <table className="q-table">
            <thead>
              <tr>
                <th scope="col">
                  {heatmap.data.y.parameter} \ {heatmap.data.x.parameter}
                </th>
                {heatmap.data.x.values.map((v) => (
                  <th key={String(v)} scope="col" className="q-num">
                    {String(v)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {heatmap.data.cells.map((row, yi) => (
                <tr key={String(heatmap.data.y.values[yi])}>
                  <th scope="row" className="q-num">
                    {String(heatmap.data.y.values[yi])}
                  </th>
                  {row.map((cell, xi) => (
                    <td key={String(heatmap.data.x.values[xi])} className="q-num">
                      {cell ? (
                        <button
                          type="button"
                          className="q-button"
                          data-testid="heatmap-cell"
                          aria-label={`Open ${heatmap.data.x.parameter} ${String(heatmap.data.x.values[xi])}, ${heatmap.data.y.parameter} ${String(heatmap.data.y.values[yi])}`}
                          onClick={() => open.mutate(cell.combination)}
                        >
                          {fmt(cell.score)}
                        </button>
                      ) : (
                        <span className="q-muted">—</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {open.error ? <p role="alert">{describeError(open.error).message}</p> : null}
        </section>
      ) : null}
      <section className="q-card" aria-label="Ranked results">
        <div className="q-table-wrap">
          <table className="q-table">
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">Parameters</th>
                <th scope="col" className="q-num">
                  {s.metric}
                </th>
                <th scope="col" className="q-num">
                  Trades
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {(results.data?.items ?? []).map((r) => (
                <tr key={r.combination}>
                  <td className="q-num">{r.rank}</td>
                  <td className="q-mono q-small">
                    {Object.entries(r.parameters)
                      .map(([k, v]) => `${k}=${String(v)}`)
                      .join(" ")}
                  </td>
                  <td className="q-num q-mono">{fmt(r.score)}</td>
                  <td className="q-num">{String(r.metrics.numberOfTrades ?? "—")}</td>
                  <td>
                    <button type="button" className="q-button" onClick={() => open.mutate(r.combination)}>
                      Open
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
