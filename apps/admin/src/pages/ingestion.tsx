import { describeError, issuesOf } from "@quantago/app-kit";

import {
  EmptyState,
  ErrorState,
  formatDateTime,
  formatDuration,
  formatInteger,
  LoadingBlock,
  PageHeader,
  StatusBadge,
} from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import {
  RUN_KINDS as ingestionRunKinds,
  RUN_STATUSES as ingestionRunStatuses,
  type Run,
  runsQuery,
  startRun,
  TIMEFRAMES,
} from "../queries.ts";
import { Pager } from "./users.tsx";

type Kind = "run-once" | "bulk" | "incremental" | "backfill";
const HELP: Record<Kind, string> = {
  "run-once": "One symbol, one range, ingested before the API answers (at most 50,000 bars).",
  bulk: "Many symbols over a range, as a workflow. No symbols: every enabled, non-CSV symbol.",
  incremental: "Each symbol from the bar after its newest stored one up to now.",
  backfill: "One symbol from a start date, as a workflow.",
};

/** The API's rules (docs/api.md, Ingestion), checked before the round trip. */
export function validateStart(kind: Kind, f: { symbols: string[]; from: string; to: string }): string[] {
  const errors: string[] = [];
  const single = kind === "run-once" || kind === "backfill";
  if (single && f.symbols.length !== 1) errors.push("Enter exactly one symbol.");
  if (f.symbols.length > 500) errors.push("At most 500 symbols.");
  if ((kind === "run-once" || kind === "backfill" || kind === "bulk") && !f.from)
    errors.push("Enter a start date.");
  if (kind === "run-once" && !f.to) errors.push("Enter an end date.");
  if (f.from && f.to && f.from >= f.to) errors.push("The start must be before the end.");
  if (f.from && Date.parse(f.from) > Date.now()) errors.push("The start cannot be in the future.");
  return errors;
}

function StartForm() {
  const [kind, setKind] = useState<Kind>("run-once");
  const [errors, setErrors] = useState<string[]>([]);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: (body: unknown) => startRun(kind, body),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      void navigate({ to: "/ingestion/runs/$id", params: { id: r.run.id } });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const symbols = String(d.get("symbols") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((s) => s.toUpperCase());
    const from = String(d.get("from") ?? "");
    const to = String(d.get("to") ?? "");
    const timeframe = String(d.get("timeframe") ?? "1m");
    const errs = validateStart(kind, { symbols, from, to });
    setErrors(errs);
    if (errs.length > 0) return;
    const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
    const body =
      kind === "run-once" || kind === "backfill"
        ? { symbol: symbols[0], timeframe, ...range }
        : kind === "bulk"
          ? { ...(symbols.length ? { symbols } : {}), timeframe, ...range }
          : { ...(symbols.length ? { symbols } : {}), timeframe };
    start.mutate(body);
  }
  const single = kind === "run-once" || kind === "backfill";
  return (
    <form className="q-card" onSubmit={submit} noValidate aria-labelledby="start-title">
      <h2 id="start-title">Start an ingestion</h2>
      <div className="q-field-row">
        <div className="q-field">
          <label htmlFor="st-kind">Kind</label>
          <select id="st-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="run-once">run once</option>
            <option value="bulk">bulk</option>
            <option value="incremental">incremental</option>
            <option value="backfill">backfill</option>
          </select>
        </div>
        <div className="q-field">
          <label htmlFor="st-symbols">{single ? "Symbol" : "Symbols (blank: all enabled)"}</label>
          <input id="st-symbols" name="symbols" placeholder={single ? "BTC-USD" : "BTC-USD, ETH-USD"} />
        </div>
        <div className="q-field">
          <label htmlFor="st-tf">Timeframe</label>
          <select id="st-tf" name="timeframe" defaultValue="1m">
            {Object.keys(TIMEFRAMES).map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        {kind !== "incremental" ? (
          <>
            <div className="q-field">
              <label htmlFor="st-from">From</label>
              <input id="st-from" name="from" type="date" />
            </div>
            <div className="q-field">
              <label htmlFor="st-to">To{kind === "run-once" ? "" : " (blank: now)"}</label>
              <input id="st-to" name="to" type="date" />
            </div>
          </>
        ) : null}
      </div>
      <p className="q-hint">{HELP[kind]}</p>
      {errors.length > 0 || start.isError ? (
        <ul className="q-form-error" role="alert">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
          {start.isError ? <li>{describeError(start.error).message}</li> : null}
          {issuesOf(start.error).map((i) => (
            <li key={i.path}>
              {i.path}: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      <button type="submit" className="q-button q-button-primary" disabled={start.isPending}>
        {start.isPending ? (kind === "run-once" ? "Ingesting…" : "Starting…") : "Start"}
      </button>
    </form>
  );
}

export const runDuration = (r: Run) =>
  r.startedAt
    ? formatDuration((r.finishedAt ? Date.parse(r.finishedAt) : Date.now()) - Date.parse(r.startedAt))
    : "–";
export const runSymbols = (r: Run) => {
  const s = (r.details as { symbols?: unknown } | null)?.symbols;
  return Array.isArray(s)
    ? s.join(", ")
    : typeof (r.details as { symbol?: unknown })?.symbol === "string"
      ? String((r.details as { symbol: string }).symbol)
      : "–";
};

export function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <caption className="q-visually-hidden">Ingestion runs</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Kind</th>
            <th scope="col">Symbols</th>
            <th scope="col" className="q-num">
              Rows
            </th>
            <th scope="col">Started</th>
            <th scope="col" className="q-num">
              Duration
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to="/ingestion/runs/$id" params={{ id: r.id }} className="q-mono">
                  {r.id.slice(0, 8)}
                </Link>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.kind}</td>
              <td>{runSymbols(r)}</td>
              <td className="q-num">{formatInteger(r.rowsWritten ?? 0)}</td>
              <td>{formatDateTime(r.startedAt ?? r.createdAt)}</td>
              <td className="q-num">{runDuration(r)}</td>
              <td className="q-small">{r.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function IngestionPage() {
  const search = useSearch({ from: "/app/ingestion" });
  const navigate = useNavigate({ from: "/ingestion" });
  const runs = useQuery({ ...runsQuery(search), refetchInterval: 5_000 });
  const set = (patch: Record<string, string | undefined>) =>
    void navigate({ search: (s) => ({ ...s, ...patch, offset: undefined }) });
  return (
    <>
      <PageHeader title="Ingestion" subtitle="Start runs and follow them; the list refreshes every 5 s." />
      <StartForm />
      <h2>Runs</h2>
      <div className="q-toolbar">
        <div className="q-field">
          <label htmlFor="f-status">Status</label>
          <select
            id="f-status"
            value={search.status ?? ""}
            onChange={(e) => set({ status: e.target.value || undefined })}
          >
            <option value="">any</option>
            {ingestionRunStatuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="q-field">
          <label htmlFor="f-kind">Kind</label>
          <select
            id="f-kind"
            value={search.kind ?? ""}
            onChange={(e) => set({ kind: e.target.value || undefined })}
          >
            <option value="">any</option>
            {ingestionRunKinds.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <form
          className="q-field"
          onSubmit={(e) => {
            e.preventDefault();
            set({
              symbol:
                String(new FormData(e.currentTarget).get("symbol") ?? "")
                  .trim()
                  .toUpperCase() || undefined,
            });
          }}
        >
          <label htmlFor="f-symbol">Symbol</label>
          <input
            id="f-symbol"
            name="symbol"
            type="search"
            data-shortcut-search
            defaultValue={search.symbol ?? ""}
          />
        </form>
      </div>
      {runs.isPending ? (
        <LoadingBlock label="Loading runs" />
      ) : runs.isError ? (
        <ErrorState error={describeError(runs.error)} onRetry={() => void runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState title="No runs match">Start one above, or change the filters.</EmptyState>
      ) : (
        <RunsTable runs={runs.data.items} />
      )}
      <Pager
        total={runs.data?.total ?? 0}
        offset={search.offset ?? 0}
        onPage={(o) => void navigate({ search: (s) => ({ ...s, offset: o || undefined }) })}
      />
    </>
  );
}
