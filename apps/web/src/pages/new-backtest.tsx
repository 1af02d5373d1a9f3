import { describeError, issuesOf } from "@quantago/app-kit";
import { type BacktestParameters, createBacktestRequestSchema, exchanges } from "@quantago/contracts";
import type { ParameterSchema } from "@quantago/strategies";
import { EmptyState, ErrorState, formatDate, formatInteger, LoadingBlock, PageHeader } from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { InputField, SelectField } from "../components/fields.tsx";
import { checkParameters, fieldOfMessage, type RawValues } from "../components/param-rules.ts";
import { SchemaForm } from "../components/schema-form.tsx";
import { backtestKeys, createBacktest } from "../queries/backtests.ts";
import {
  day,
  dayAfter,
  type StoredSeries,
  symbolsQuery,
  TIMEFRAME_MS,
  TIMEFRAMES,
  type Timeframe,
} from "../queries/market.ts";
import { type Strategy, strategiesQuery } from "../queries/strategies.ts";

type Exchange = (typeof exchanges)[number];
const EXCHANGE_LABEL: Record<Exchange, string> = {
  crypto: "Crypto (24/7)",
  nyse: "NYSE (09:30–16:00 New York)",
  nasdaq: "Nasdaq (09:30–16:00 New York)",
  newyork: "New York (09:30–16:00)",
  london: "London (08:00–16:30)",
  tokyo: "Tokyo (09:00–15:00)",
};
const defaultExchange = (s: StoredSeries | undefined): Exchange =>
  s?.assetClass === "crypto" ? "crypto" : s?.assetClass === "forex" ? "london" : "nyse";

/** The execution model, as form text; empty means "the API's default". */
interface Execution {
  sizing: "risk_per_trade" | "fixed_units" | "fraction_of_equity";
  riskPerTrade: string;
  units: string;
  fraction: string;
  feePct: string;
  feeFixed: string;
  slippageBps: string;
  fill: "next_open" | "signal_close";
  direction: "long_short" | "long_only";
  endOfData: "close" | "mark";
  takeProfitLevel: string;
  stopLossLevel: string;
  maxTradeTime: string;
  entryFrequency: "" | "scalping" | "daily" | "weekly" | "monthly" | "quarterly";
}
const EXECUTION_DEFAULTS: Execution = {
  sizing: "risk_per_trade",
  riskPerTrade: "",
  units: "1",
  fraction: "0.5",
  feePct: "",
  feeFixed: "",
  slippageBps: "",
  fill: "next_open",
  direction: "long_short",
  endOfData: "close",
  takeProfitLevel: "",
  stopLossLevel: "",
  maxTradeTime: "",
  entryFrequency: "",
};

type Errors = Record<string, string>;

/** Where a `path` of a 400 answer (or of our own zod check) shows: `start_date`, `param:fast`, `exec:feePct`. */
function fieldForPath(path: string, schema: ParameterSchema | undefined, message: string): string {
  const p = path.replace(/^backtest\.?/, "");
  if (p.startsWith("parameters.")) {
    const key = p.slice("parameters.".length).split(".")[0] ?? "";
    if (schema?.properties[key]) return `param:${key}`;
    return key === "timeframe" ? "timeframe" : `exec:${key}`;
  }
  if (p === "parameters") {
    const key = schema ? fieldOfMessage(schema, message) : undefined;
    return key ? `param:${key}` : "params";
  }
  return p || "form";
}

export function NewBacktestPage() {
  const search = useSearch({ from: "/app/backtests/new" });
  const strategies = useQuery(strategiesQuery());
  const symbols = useQuery(symbolsQuery());
  if (strategies.isPending || symbols.isPending)
    return (
      <>
        <PageHeader title="New backtest" />
        <div className="q-card">
          <LoadingBlock label="Loading strategies and stored symbols" lines={8} />
        </div>
      </>
    );
  if (strategies.isError || symbols.isError) {
    const q = strategies.isError ? strategies : symbols;
    return (
      <>
        <PageHeader title="New backtest" />
        <ErrorState error={describeError(q.error)} onRetry={() => void q.refetch()} />
      </>
    );
  }
  if (symbols.data.length === 0)
    return (
      <>
        <PageHeader title="New backtest" />
        <EmptyState title="No stored market data yet">
          Backtests run on stored bars only. Ask an operator to ingest a symbol from the admin console.
        </EmptyState>
      </>
    );
  return <NewBacktestForm strategies={strategies.data} series={symbols.data} prefill={search} />;
}

function NewBacktestForm({
  strategies,
  series,
  prefill,
}: {
  strategies: Strategy[];
  series: StoredSeries[];
  prefill: { strategy?: string | undefined; symbol?: string | undefined };
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const symbolNames = useMemo(() => [...new Set(series.map((s) => s.symbol))], [series]);
  const initialStrategy =
    strategies.find((s) => s.slug === prefill.strategy || s.name === prefill.strategy)?.slug ??
    strategies.find((s) => s.slug === "sma-crossover")?.slug ??
    strategies[0]?.slug ??
    "";
  const [slug, setSlug] = useState(initialStrategy);
  const [symbol, setSymbol] = useState(
    symbolNames.find((s) => s === prefill.symbol?.toUpperCase()) ?? symbolNames[0] ?? "",
  );
  const coverage = series.find((s) => s.symbol === symbol);
  const strategy = strategies.find((s) => s.slug === slug);
  const schema = strategy?.parameterSchema as unknown as ParameterSchema | undefined;

  const [exchange, setExchange] = useState<Exchange>(defaultExchange(coverage));
  const [timeframe, setTimeframe] = useState<Timeframe>(
    (strategy?.defaultConfig.timeframe as Timeframe) ?? "1h",
  );
  const [start, setStart] = useState(coverage ? day(coverage.firstBar) : "");
  const [end, setEnd] = useState(coverage ? dayAfter(coverage.lastBar) : "");
  const [balance, setBalance] = useState("10000");
  const [exec, setExec] = useState<Execution>(EXECUTION_DEFAULTS);
  const [params, setParams] = useState<RawValues>({});
  const [errors, setErrors] = useState<Errors>({});

  // A new symbol brings its coverage and its venue; a new strategy its defaults.
  useEffect(() => {
    if (!coverage) return;
    setStart(day(coverage.firstBar));
    setEnd(dayAfter(coverage.lastBar));
    setExchange(defaultExchange(coverage));
  }, [coverage]);
  useEffect(() => {
    setParams({});
    setErrors({});
    setExec((e) => ({
      ...e,
      takeProfitLevel: strategy?.defaultConfig.takeProfitLevel?.toString() ?? "",
      stopLossLevel: strategy?.defaultConfig.stopLossLevel?.toString() ?? "",
    }));
    if (strategy?.defaultConfig.timeframe) setTimeframe(strategy.defaultConfig.timeframe as Timeframe);
  }, [strategy]);

  const storedTfMs = coverage ? (TIMEFRAME_MS[coverage.timeframe as Timeframe] ?? 60_000) : 60_000;
  const ex = (k: keyof Execution) => (v: string) => setExec((e) => ({ ...e, [k]: v }));

  const mutation = useMutation({
    mutationFn: createBacktest,
    onSuccess: async (record) => {
      await queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
      queryClient.setQueryData(backtestKeys.detail(record.id), record);
      await navigate({ to: "/backtests/$id", params: { id: record.id } });
    },
    onError: (err) => {
      const next: Errors = {};
      for (const issue of issuesOf(err)) {
        const f = fieldForPath(issue.path, schema, issue.message);
        next[f] = next[f] ? `${next[f]}; ${issue.message}` : issue.message;
      }
      if (Object.keys(next).length === 0) next.form = describeError(err).message;
      setErrors(next);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const next: Errors = {};
    const p = schema ? checkParameters(slug, schema, params) : { fieldErrors: {}, values: {} };
    for (const [k, m] of Object.entries(p.fieldErrors)) next[`param:${k}`] = m;
    if (p.formError) next.params = p.formError;
    const execution: Record<string, unknown> = { timeframe };
    for (const [k, v] of Object.entries(exec)) {
      if (v === "") continue;
      if (k === "units" && exec.sizing !== "fixed_units") continue;
      if (k === "fraction" && exec.sizing !== "fraction_of_equity") continue;
      if (k === "riskPerTrade" && exec.sizing !== "risk_per_trade") continue;
      execution[k] = v;
    }
    if (coverage && start && Date.parse(start) < Date.parse(day(coverage.firstBar)))
      next.start_date = `No stored bars before ${formatDate(coverage.firstBar)}.`;
    if (coverage && end && Date.parse(end) > Date.parse(dayAfter(coverage.lastBar)))
      next.end_date = `No stored bars after ${formatDate(coverage.lastBar)}.`;
    const body = {
      backtest: {
        symbol,
        exchange,
        strategy: slug,
        start_date: start,
        end_date: end,
        initial_balance: balance,
        parameters: { ...execution, ...(p.values ?? {}) } as BacktestParameters,
      },
    };
    // The API's own request schema: same messages, same paths as a 400 would give.
    const parsed = createBacktestRequestSchema.safeParse(body);
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const f = fieldForPath(issue.path.join("."), schema, issue.message);
        next[f] ??= issue.message;
      }
    setErrors(next);
    if (Object.keys(next).length > 0 || !parsed.success) {
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>("[aria-invalid='true'], .q-form-error")?.focus(),
      );
      return;
    }
    mutation.mutate(parsed.data);
  }

  const paramErrors = Object.fromEntries(
    Object.entries(errors)
      .filter(([k]) => k.startsWith("param:"))
      .map(([k, v]) => [k.slice(6), v]),
  );
  const execErr = (k: string) => errors[`exec:${k}`];
  const minDay = coverage ? day(coverage.firstBar) : undefined;
  const maxDay = coverage ? dayAfter(coverage.lastBar) : undefined;
  const otherErrors = Object.entries(errors).filter(
    ([k]) =>
      !k.startsWith("param:") &&
      !k.startsWith("exec:") &&
      ![
        "params",
        "symbol",
        "exchange",
        "strategy",
        "start_date",
        "end_date",
        "initial_balance",
        "timeframe",
      ].includes(k),
  );

  return (
    <>
      <PageHeader
        title="New backtest"
        subtitle="Runs on stored bars; you can watch it live and cancel it any time."
      />
      <form onSubmit={submit} noValidate aria-label="New backtest">
        {otherErrors.length > 0 ? (
          <div className="q-form-error" role="alert" tabIndex={-1}>
            {otherErrors.map(([, m]) => m).join(" ")}
          </div>
        ) : null}
        <div className="q-grid q-grid-2">
          <div>
            <fieldset>
              <legend>Strategy and market</legend>
              <SelectField
                label="Strategy"
                value={slug}
                onChange={setSlug}
                options={strategies.map((s) => ({
                  value: s.slug,
                  label: `${s.name} (${s.runtimeType}, v${s.version})`,
                }))}
                hint={strategy?.description}
                error={errors.strategy}
              />
              <SelectField
                label="Symbol"
                value={symbol}
                onChange={setSymbol}
                options={symbolNames.map((s) => ({ value: s, label: s }))}
                hint={
                  coverage ? (
                    <>
                      Stored: {coverage.timeframe} bars {formatDate(coverage.firstBar)} →{" "}
                      {formatDate(coverage.lastBar)} ({formatInteger(coverage.barCount)} bars,{" "}
                      {coverage.source}).{" "}
                      <Link to="/market/$symbol" params={{ symbol }} search={{}}>
                        Chart it
                      </Link>
                    </>
                  ) : undefined
                }
                error={errors.symbol}
              />
              <SelectField
                label="Exchange"
                value={exchange}
                onChange={setExchange}
                options={exchanges.map((e) => ({ value: e, label: EXCHANGE_LABEL[e] }))}
                hint="Intraday bars outside the venue's session are skipped."
                error={errors.exchange}
              />
              <SelectField
                label="Timeframe"
                value={timeframe}
                onChange={setTimeframe}
                options={TIMEFRAMES.filter((t) => TIMEFRAME_MS[t] >= storedTfMs).map((t) => ({
                  value: t,
                  label: t,
                }))}
                hint="The bar size the strategy decides on."
                error={errors.timeframe}
              />
              <div className="q-field-row">
                <InputField
                  label="Start (UTC)"
                  type="date"
                  value={start}
                  onChange={setStart}
                  {...(minDay ? { min: minDay } : {})}
                  {...(maxDay ? { max: maxDay } : {})}
                  hint="Inclusive."
                  error={errors.start_date}
                />
                <InputField
                  label="End (UTC)"
                  type="date"
                  value={end}
                  onChange={setEnd}
                  {...(minDay ? { min: minDay } : {})}
                  {...(maxDay ? { max: maxDay } : {})}
                  hint="Exclusive."
                  error={errors.end_date}
                />
              </div>
              <InputField
                label="Initial balance"
                numeric
                value={balance}
                onChange={setBalance}
                hint="Account equity at the start, in the quote currency."
                error={errors.initial_balance}
              />
            </fieldset>
            {schema ? (
              <SchemaForm
                schema={schema}
                values={params}
                onChange={setParams}
                errors={paramErrors}
                formError={errors.params}
                legend={`${strategy?.name ?? "Strategy"} parameters`}
              />
            ) : null}
          </div>
          <fieldset>
            <legend>Execution model</legend>
            <SelectField
              label="Position sizing"
              value={exec.sizing}
              onChange={ex("sizing") as (v: Execution["sizing"]) => void}
              options={[
                { value: "risk_per_trade", label: "Risk per trade (% of equity)" },
                { value: "fixed_units", label: "Fixed units" },
                { value: "fraction_of_equity", label: "Fraction of equity" },
              ]}
              hint="How large each position is."
              error={execErr("sizing")}
            />
            {exec.sizing === "risk_per_trade" ? (
              <InputField
                label="Risk per trade (%)"
                numeric
                value={exec.riskPerTrade}
                onChange={ex("riskPerTrade")}
                placeholder="2"
                hint="Percent of equity put at risk on each entry; default 2."
                error={execErr("riskPerTrade")}
              />
            ) : exec.sizing === "fixed_units" ? (
              <InputField
                label="Units"
                numeric
                value={exec.units}
                onChange={ex("units")}
                hint="Units bought or sold on every entry, whatever the equity."
                error={execErr("units")}
              />
            ) : (
              <InputField
                label="Fraction of equity"
                numeric
                value={exec.fraction}
                onChange={ex("fraction")}
                hint="Share of equity per entry, 0 to 1 (0.5 = half)."
                error={execErr("fraction")}
              />
            )}
            <div className="q-field-row">
              <InputField
                label="Fee (% of notional)"
                numeric
                value={exec.feePct}
                onChange={ex("feePct")}
                placeholder="0"
                hint="Charged on every fill, e.g. 0.1 for 0.1 %."
                error={execErr("feePct")}
              />
              <InputField
                label="Fixed fee per fill"
                numeric
                value={exec.feeFixed}
                onChange={ex("feeFixed")}
                placeholder="0"
                hint="Added to every fill, in the quote currency."
                error={execErr("feeFixed")}
              />
            </div>
            <InputField
              label="Slippage (bps)"
              numeric
              value={exec.slippageBps}
              onChange={ex("slippageBps")}
              placeholder="0"
              hint="Price moved against you on each fill; 10 bps = 0.1 %."
              error={execErr("slippageBps")}
            />
            <SelectField
              label="Fill price"
              value={exec.fill}
              onChange={ex("fill") as (v: Execution["fill"]) => void}
              options={[
                { value: "next_open", label: "Next bar's open (realistic)" },
                { value: "signal_close", label: "Signal bar's close (optimistic)" },
              ]}
              hint="Which price a signal trades at."
              error={execErr("fill")}
            />
            <SelectField
              label="Direction"
              value={exec.direction}
              onChange={ex("direction") as (v: Execution["direction"]) => void}
              options={[
                { value: "long_short", label: "Long and short" },
                { value: "long_only", label: "Long only" },
              ]}
              hint="Long only ignores sell signals as entries."
              error={execErr("direction")}
            />
            <SelectField
              label="End of data"
              value={exec.endOfData}
              onChange={ex("endOfData") as (v: Execution["endOfData"]) => void}
              options={[
                { value: "close", label: "Close the open position" },
                { value: "mark", label: "Leave it open, mark to market" },
              ]}
              hint="What happens to a position still open at the last bar."
              error={execErr("endOfData")}
            />
            <div className="q-field-row">
              <InputField
                label="Take profit (%)"
                numeric
                value={exec.takeProfitLevel}
                onChange={ex("takeProfitLevel")}
                placeholder="none"
                hint="Exit when the trade gains this much."
                error={execErr("takeProfitLevel")}
              />
              <InputField
                label="Stop loss (%)"
                numeric
                value={exec.stopLossLevel}
                onChange={ex("stopLossLevel")}
                placeholder="none"
                hint="Exit when the trade loses this much."
                error={execErr("stopLossLevel")}
              />
            </div>
            <InputField
              label="Max trade time (hours)"
              numeric
              value={exec.maxTradeTime}
              onChange={ex("maxTradeTime")}
              placeholder="none"
              hint="Close any trade open longer than this."
              error={execErr("maxTradeTime")}
            />
            <SelectField
              label="Entry frequency"
              value={exec.entryFrequency}
              onChange={ex("entryFrequency") as (v: Execution["entryFrequency"]) => void}
              options={[
                { value: "", label: "Strategy default" },
                { value: "scalping", label: "Scalping (every bar)" },
                { value: "daily", label: "At most once a day" },
                { value: "weekly", label: "At most once a week" },
                { value: "monthly", label: "At most once a month" },
                { value: "quarterly", label: "At most once a quarter" },
              ]}
              hint="Limits how often a new position may open."
              error={execErr("entryFrequency")}
            />
          </fieldset>
        </div>
        <div className="q-row" style={{ marginTop: "0.5rem" }}>
          <button type="submit" className="q-button q-button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? "Starting…" : "Run backtest"}
          </button>
          <Link to="/backtests" search={{}} className="q-button">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
