import { describeError, issuesOf } from "@quantago/app-kit";
import {
  type CreateSweepRequest,
  MAX_ACTIVE_SWEEPS,
  MAX_SWEEP_COMBINATIONS,
  MAX_SWEEP_GRID,
  type SweepMetric,
} from "@quantago/contracts";
import {
  axisValues,
  type Combination,
  expandGrid,
  gridSize,
  SweepSpecError,
  type SweepValue,
  sampleGrid,
  walkForwardWindows,
} from "@quantago/engine/research";
import { acceptsParameters, getBuiltinStrategy } from "@quantago/strategies";
import {
  EmptyState,
  ErrorState,
  formatDate,
  formatDateTime,
  formatInteger,
  LoadingBlock,
  PageHeader,
  StatusBadge,
} from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { FieldNotes, InputField, SelectField } from "../components/fields.tsx";
import { formatMetric, METRIC_LABELS, metricLabel } from "../components/research-views.tsx";
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from "../queries/market.ts";
import { monteCarloListQuery, researchKeys, submitSweep, sweepListQuery } from "../queries/research.ts";
import { strategiesQuery } from "../queries/strategies.ts";

type Kind = "grid" | "random" | "walk_forward";
type Search = "grid" | "random";

const KINDS: ReadonlyArray<{ value: Kind; label: string; hint: string }> = [
  { value: "grid", label: "Grid", hint: "Every combination of the ranges" },
  { value: "random", label: "Seeded random", hint: "A sample of the grid, the same for the same seed" },
  {
    value: "walk_forward",
    label: "Walk-forward",
    hint: "Choose the best parameters in-sample, test them on the following bars, window by window",
  },
];

const METRIC_OPTIONS = (Object.keys(METRIC_LABELS) as SweepMetric[]).map((m) => ({
  value: m,
  label: METRIC_LABELS[m],
}));

interface AxisText {
  min: string;
  max: string;
  step: string;
}

interface FormState {
  slug: string;
  symbol: string;
  timeframe: Timeframe;
  start: string;
  end: string;
  metric: SweepMetric;
  kind: Kind;
  /** The search inside each walk-forward window. */
  wfSearch: Search;
  samples: string;
  seed: string;
  windows: string;
  inSamplePct: string;
  wfMode: "rolling" | "anchored";
  axes: Record<string, AxisText>;
}

const INITIAL: FormState = {
  slug: "sma-crossover",
  symbol: "SYNTH-USD",
  timeframe: "1h",
  start: "2025-01-01",
  end: "2025-03-01",
  metric: "sharpe",
  kind: "grid",
  wfSearch: "grid",
  samples: "20",
  seed: "1",
  windows: "4",
  inSamplePct: "75",
  wfMode: "rolling",
  axes: {},
};

const searchOf = (f: FormState): Search => (f.kind === "walk_forward" ? f.wfSearch : f.kind);

/** The request the form sends; an axis with an empty bound is left out (the parameter keeps its default). */
function toRequest(f: FormState): CreateSweepRequest {
  const axes: Record<string, { min: number; max: number; step: number }> = {};
  for (const [name, a] of Object.entries(f.axes)) {
    if (a.min !== "" || a.max !== "" || a.step !== "")
      axes[name] = { min: Number(a.min), max: Number(a.max), step: Number(a.step) };
  }
  return {
    sweep: {
      backtest: {
        symbol: f.symbol,
        exchange: "crypto",
        strategy: f.slug,
        start_date: f.start,
        end_date: f.end,
        parameters: { timeframe: f.timeframe },
      } as CreateSweepRequest["sweep"]["backtest"],
      axes,
      search:
        searchOf(f) === "random"
          ? { mode: "random", samples: Number(f.samples), seed: Number(f.seed) }
          : { mode: "grid" },
      metric: f.metric,
      ...(f.kind === "walk_forward"
        ? {
            walk_forward: {
              windows: Number(f.windows),
              in_sample_ratio: Number(f.inSamplePct) / 100,
              mode: f.wfMode,
            },
          }
        : {}),
    },
  };
}

interface Preview {
  /** Per axis: its value count, or why it is not valid yet. */
  axes: Record<string, { count?: number; error?: string }>;
  grid?: number;
  drawn?: number;
  valid?: number;
  /** Bars per in-sample / out-of-sample part (walk-forward), from the dates and timeframe. */
  windows?: { inSample: number; outOfSample: number } | { error: string };
}

/**
 * What the API will run, worked out in the browser with the same pure functions (the axes' values,
 * the seeded sample, the strategy's own rules); the API checks everything again on submit.
 */
function preview(f: FormState, body: CreateSweepRequest): Preview {
  const out: Preview = { axes: {} };
  const values: Record<string, SweepValue[]> = {};
  for (const [name, axis] of Object.entries(body.sweep.axes)) {
    try {
      values[name] = axisValues(name, axis as { min: number; max: number; step: number });
      out.axes[name] = { count: values[name].length };
    } catch (e) {
      out.axes[name] = { error: e instanceof SweepSpecError ? e.message : "Enter min, max and step." };
    }
  }
  if (f.kind === "walk_forward") {
    const bars = Math.floor((Date.parse(f.end) - Date.parse(f.start)) / TIMEFRAME_MS[f.timeframe]);
    try {
      const [w] = walkForwardWindows({
        bars,
        windows: Number(f.windows),
        inSampleRatio: Number(f.inSamplePct) / 100,
        mode: f.wfMode,
      });
      if (w)
        out.windows = {
          inSample: w.inSample.end - w.inSample.start,
          outOfSample: w.outOfSample.end - w.outOfSample.start,
        };
    } catch (e) {
      out.windows = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  const names = Object.keys(body.sweep.axes);
  if (names.length === 0 || names.some((n) => !values[n])) return out;
  out.grid = gridSize(values);
  const definition = getBuiltinStrategy(f.slug);
  if (!definition || out.grid > MAX_SWEEP_GRID) return out;
  const search = body.sweep.search;
  const candidates: Combination[] =
    search?.mode === "random" ? sampleGrid(values, search.samples, search.seed) : expandGrid(values);
  out.drawn = candidates.length;
  const base = { timeframe: f.timeframe };
  out.valid = candidates.filter((combo) => acceptsParameters(definition, { ...base, ...combo })).length;
  return out;
}

/** The API's 400 issues by field (`sweep.axes.fast` → `axes.fast`), the rest for the form. */
function issuesByField(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { path, message } of issuesOf(err)) {
    const key = path.replace(/^sweep\./, "").replace(/^backtest\.(parameters\.)?/, "");
    out[key] ??= message;
  }
  return out;
}

/** `/research`: a sweep form generated from the strategy's numeric parameters, and the runs so far. */
export function ResearchPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const strategies = useQuery(strategiesQuery());
  const builtins = (strategies.data ?? []).filter((s) => s.runtimeType === "native");
  const [form, setForm] = useState<FormState>(INITIAL);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((prev) => ({ ...prev, [key]: value }));
  const strategy = builtins.find((s) => s.slug === form.slug);
  const numeric = useMemo(
    () =>
      Object.entries(strategy?.parameterSchema.properties ?? {}).filter(
        ([, p]) => p.type === "integer" || p.type === "number",
      ),
    [strategy],
  );
  const body = useMemo(() => toRequest(form), [form]);
  const plan = useMemo(() => preview(form, body), [form, body]);
  const list = useQuery(sweepListQuery());
  const runs = useQuery(monteCarloListQuery());
  const submit = useMutation({
    mutationFn: () => submitSweep(body),
    onSuccess: async (record) => {
      await queryClient.invalidateQueries({ queryKey: researchKeys.sweeps() });
      await navigate({ to: "/research/$id", params: { id: record.id } });
    },
  });
  const issues = issuesByField(submit.error);
  const axisText = (name: string, key: keyof AxisText, value: string) =>
    setForm((prev) => ({
      ...prev,
      axes: {
        ...prev.axes,
        [name]: { ...(prev.axes[name] ?? { min: "", max: "", step: "" }), [key]: value },
      },
    }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  const search = searchOf(form);
  const formIssue = submit.error
    ? Object.keys(issues).length === 0
      ? describeError(submit.error).message
      : issues[""]
    : undefined;
  const runsPerWindow = plan.valid;
  return (
    <>
      <PageHeader
        title="Research"
        subtitle="Parameter sweeps and walk-forward analyses of a built-in strategy, and Monte Carlo runs of a backtest's trades."
      />
      <section className="q-card">
        <h2>New sweep</h2>
        <form onSubmit={onSubmit} aria-label="New sweep" noValidate>
          <fieldset>
            <legend>Kind</legend>
            <div className="q-row" role="radiogroup" aria-label="Sweep kind">
              {KINDS.map((k) => (
                <label key={k.value} className="q-row" style={{ gap: "0.35rem" }}>
                  <input
                    type="radio"
                    name="sweep-kind"
                    value={k.value}
                    checked={form.kind === k.value}
                    onChange={() => set("kind", k.value)}
                  />
                  {k.label}
                </label>
              ))}
            </div>
            <p className="q-hint">{KINDS.find((k) => k.value === form.kind)?.hint}.</p>
          </fieldset>
          <div className="q-toolbar">
            <SelectField
              label="Strategy"
              value={form.slug}
              onChange={(v) => setForm((prev) => ({ ...prev, slug: v, axes: {} }))}
              options={builtins.map((s) => ({ value: s.slug, label: s.name }))}
              error={issues.strategy}
            />
            <InputField
              label="Symbol"
              value={form.symbol}
              onChange={(v) => set("symbol", v)}
              error={issues.symbol}
            />
            <SelectField
              label="Timeframe"
              value={form.timeframe}
              onChange={(v) => set("timeframe", v)}
              options={TIMEFRAMES.map((tf) => ({ value: tf, label: tf }))}
              error={issues.timeframe}
            />
            <InputField
              label="Start"
              type="date"
              value={form.start}
              onChange={(v) => set("start", v)}
              error={issues.start_date}
            />
            <InputField
              label="End"
              type="date"
              value={form.end}
              onChange={(v) => set("end", v)}
              error={issues.end_date}
            />
            <SelectField
              label="Rank by"
              value={form.metric}
              onChange={(v) => set("metric", v)}
              options={METRIC_OPTIONS}
            />
          </div>
          {form.kind === "walk_forward" ? (
            <fieldset>
              <legend>Walk-forward windows</legend>
              <div className="q-toolbar">
                <InputField
                  label="Windows"
                  numeric
                  value={form.windows}
                  onChange={(v) => set("windows", v)}
                  hint="1 to 50"
                  error={issues["walk_forward.windows"] ?? issues.walk_forward}
                />
                <InputField
                  label="In-sample share (%)"
                  numeric
                  value={form.inSamplePct}
                  onChange={(v) => set("inSamplePct", v)}
                  hint="10 to 95 % of each window"
                  error={issues["walk_forward.in_sample_ratio"]}
                />
                <SelectField
                  label="Windows move"
                  value={form.wfMode}
                  onChange={(v) => set("wfMode", v)}
                  options={[
                    { value: "rolling", label: "Rolling (fixed in-sample length)" },
                    { value: "anchored", label: "Anchored (in-sample from the first bar)" },
                  ]}
                />
                <SelectField
                  label="Search in each window"
                  value={form.wfSearch}
                  onChange={(v) => set("wfSearch", v)}
                  options={[
                    { value: "grid", label: "Grid" },
                    { value: "random", label: "Seeded random" },
                  ]}
                />
              </div>
              <p className="q-hint" role="status">
                {plan.windows === undefined
                  ? ""
                  : "error" in plan.windows
                    ? `These dates cannot make these windows: ${plan.windows.error}.`
                    : `About ${formatInteger(plan.windows.inSample)} ${form.timeframe} bars in-sample${
                        form.wfMode === "anchored" ? " in the first window (growing after)" : ""
                      }, then ${formatInteger(plan.windows.outOfSample)} out-of-sample, per window.`}
              </p>
            </fieldset>
          ) : null}
          {search === "random" ? (
            <div className="q-toolbar">
              <InputField
                label="Samples"
                numeric
                value={form.samples}
                onChange={(v) => set("samples", v)}
                hint="grid points drawn"
                error={issues["search.samples"]}
              />
              <InputField
                label="Seed"
                numeric
                value={form.seed}
                onChange={(v) => set("seed", v)}
                hint="the same seed draws the same points"
                error={issues["search.seed"]}
              />
            </div>
          ) : null}
          <div className="q-table-wrap">
            <table className="q-table">
              <caption className="q-hint" style={{ textAlign: "left", captionSide: "top" }}>
                Parameters to sweep: an inclusive range walked by the step. Leave a row empty to keep the
                parameter's default.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  <th scope="col">Min</th>
                  <th scope="col">Max</th>
                  <th scope="col">Step</th>
                  <th scope="col">Values</th>
                </tr>
              </thead>
              <tbody>
                {numeric.map(([name, p]) => {
                  const error = issues[`axes.${name}`] ?? plan.axes[name]?.error;
                  const errId = `axis-${name}`;
                  return (
                    <tr key={name}>
                      <th scope="row">
                        {p.title || name} <span className="q-muted q-small q-mono">{name}</span>
                      </th>
                      {(["min", "max", "step"] as const).map((key) => (
                        <td key={key}>
                          <input
                            aria-label={`${name} ${key}`}
                            inputMode="decimal"
                            className="q-mono"
                            value={form.axes[name]?.[key] ?? ""}
                            placeholder={key === "step" ? "1" : String(p.default ?? "")}
                            aria-invalid={error ? true : undefined}
                            aria-describedby={error ? `${errId}-err` : undefined}
                            onChange={(e) => axisText(name, key, e.target.value)}
                          />
                        </td>
                      ))}
                      <td>
                        {error ? (
                          <FieldNotes id={errId} error={error} />
                        ) : plan.axes[name]?.count !== undefined ? (
                          <span className="q-mono">{formatInteger(plan.axes[name]?.count)}</span>
                        ) : (
                          <span className="q-muted q-small">default</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="q-hint" role="status" aria-label="Combinations">
            {plan.grid === undefined
              ? "Fill min, max and step of at least one parameter."
              : plan.valid === undefined
                ? `${formatInteger(plan.grid)} grid points: more than the ${formatInteger(MAX_SWEEP_GRID)} a sweep may count.`
                : `${formatInteger(plan.valid)} combination${plan.valid === 1 ? "" : "s"} will run${
                    plan.drawn !== undefined && plan.drawn > plan.valid
                      ? ` (${formatInteger(plan.drawn - plan.valid)} of ${formatInteger(plan.drawn)} ${
                          search === "random" ? "drawn" : "grid points"
                        } refused by the strategy's rules)`
                      : ""
                  }${
                    form.kind === "walk_forward" && runsPerWindow !== undefined
                      ? `, in each of ${form.windows} windows, plus one out-of-sample run per window`
                      : ""
                  }. At most ${formatInteger(MAX_SWEEP_COMBINATIONS)} per sweep, and ${MAX_ACTIVE_SWEEPS} sweeps pending or running at once.`}
          </p>
          {formIssue ? (
            <p role="alert" className="q-form-error">
              {formIssue}
            </p>
          ) : null}
          <button type="submit" className="q-button q-button-primary" disabled={submit.isPending}>
            {form.kind === "walk_forward" ? "Run walk-forward" : "Run sweep"}
          </button>
        </form>
      </section>
      <section className="q-card" aria-labelledby="sweeps-heading">
        <h2 id="sweeps-heading">Sweeps and walk-forward analyses</h2>
        {list.isPending ? (
          <LoadingBlock label="Loading sweeps…" />
        ) : list.error ? (
          <ErrorState error={describeError(list.error)} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No sweeps yet">Fill the form above to run one.</EmptyState>
        ) : (
          <div className="q-table-wrap">
            <table className="q-table">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="q-num">
                    Combinations
                  </th>
                  <th scope="col">Ranked by</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to="/research/$id" params={{ id: s.id }}>
                        {s.strategy} on {s.symbol} {s.timeframe}
                      </Link>
                    </td>
                    <td>{s.kind === "walk_forward" ? "Walk-forward" : "Sweep"}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td className="q-num q-mono">{formatInteger(s.combinations)}</td>
                    <td>{metricLabel(s.metric)}</td>
                    <td className="q-small">{formatDateTime(s.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="q-card" aria-labelledby="mc-heading">
        <div className="q-row">
          <h2 id="mc-heading">Monte Carlo runs</h2>
          <span className="q-spacer" />
          <Link to="/research/monte-carlo" search={{}} className="q-button">
            New Monte Carlo run
          </Link>
        </div>
        {runs.isPending ? (
          <LoadingBlock label="Loading Monte Carlo runs…" />
        ) : runs.error ? (
          <ErrorState error={describeError(runs.error)} onRetry={() => void runs.refetch()} />
        ) : runs.data.items.length === 0 ? (
          <EmptyState title="No Monte Carlo runs yet">
            Resample the trades of a completed backtest to see how much of its result was luck.
          </EmptyState>
        ) : (
          <ul className="q-list">
            {runs.data.items.map((r) => (
              <li key={r.id}>
                <Link to="/research/monte-carlo/$id" params={{ id: r.id }}>
                  {r.method} × {formatInteger(r.runs)} of {r.backtest_id}
                </Link>{" "}
                <span className="q-muted q-small">
                  median final equity {formatMetric("netProfit", r.final_equity.p50)} · ruin{" "}
                  {formatMetric("winRate", r.probability_of_ruin)} · {formatDate(r.created_at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
