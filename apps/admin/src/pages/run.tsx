import { apiBase, describeError } from "@quantago/app-kit";
import {
  ConfirmDialog,
  ErrorState,
  formatDateTime,
  formatInteger,
  LoadingBlock,
  PageHeader,
  ProgressBar,
  StatusBadge,
} from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useCallback, useEffect, useRef, useState } from "react";
import { cancelRun, eventsUrl, runQuery } from "../queries.ts";
import { runDuration } from "./ingestion.tsx";

const TYPES = [
  "run.started",
  "symbol.started",
  "symbol.progress",
  "symbol.completed",
  "symbol.failed",
  "run.completed",
] as const;

interface FeedEvent {
  id: number;
  type: string;
  symbol: string | null;
  payload: Record<string, unknown> | null;
  time: string;
}

/**
 * The run's events over SSE. Reconnects itself (after an error, or when asked) from the last id seen,
 * passed as `lastEventId` so the API resumes right after it; an id already shown is dropped, so a
 * reconnect neither loses nor repeats an event.
 */
function useRunEvents(runId: string, onEvent: (e: FeedEvent) => void) {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [state, setState] = useState<"connecting" | "live" | "done" | "reconnecting">("connecting");
  const [connections, setConnections] = useState(0);
  const last = useRef<number | undefined>(undefined);
  const done = useRef(false);
  const source = useRef<EventSource | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  const connect = useCallback(() => {
    source.current?.close();
    clearTimeout(timer.current);
    if (done.current) return;
    const es = new EventSource(`${apiBase}${eventsUrl(runId, last.current)}`, { withCredentials: true });
    source.current = es;
    setConnections((n) => n + 1);
    es.onopen = () => setState("live");
    const receive = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as FeedEvent;
      const id = Number(m.lastEventId || e.id);
      if (last.current !== undefined && id <= last.current) return;
      last.current = id;
      setEvents((list) => [...list, { ...e, id }]);
      handler.current(e);
      if (e.type === "run.completed") {
        done.current = true;
        setState("done");
        es.close();
      }
    };
    for (const t of TYPES) es.addEventListener(t, receive as EventListener);
    es.onerror = () => {
      es.close();
      if (done.current) return;
      setState("reconnecting");
      timer.current = setTimeout(connect, 1000);
    };
  }, [runId]);

  useEffect(() => {
    done.current = false;
    last.current = undefined;
    setEvents([]);
    connect();
    return () => {
      source.current?.close();
      clearTimeout(timer.current);
    };
  }, [connect]);

  return { events, state, connections, reconnect: connect };
}

export function RunPage() {
  const { id } = useParams({ from: "/app/ingestion/runs/$id" });
  const queryClient = useQueryClient();
  const run = useQuery({
    ...runQuery(id),
    refetchInterval: (q) =>
      ["pending", "running"].includes(q.state.data?.run.status ?? "pending") ? 3_000 : false,
  });
  const feed = useRunEvents(id, (e) => {
    if (e.type !== "symbol.progress") void queryClient.invalidateQueries({ queryKey: ["run", id] });
  });
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: () => cancelRun(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["run", id] }),
  });

  if (run.isPending) return <LoadingBlock label="Loading run" />;
  if (run.isError) return <ErrorState error={describeError(run.error)} onRetry={() => void run.refetch()} />;
  const { run: r, symbols } = run.data;
  const active = r.status === "pending" || r.status === "running";
  // Live rows per symbol from the feed (newer than the last poll), else the stored figure.
  const liveRows = new Map<string, number>();
  for (const e of feed.events)
    if (e.symbol && typeof e.payload?.rows === "number") liveRows.set(e.symbol, e.payload.rows as number);
  const expected = (r.details as { expectedBars?: Record<string, number> } | null)?.expectedBars;

  return (
    <>
      <PageHeader
        title={
          <>
            Run <span className="q-mono">{r.id}</span> <StatusBadge status={r.status} />
          </>
        }
        subtitle={<Link to="/ingestion">← All runs</Link>}
        actions={
          active ? (
            <button type="button" className="q-button q-button-danger" onClick={() => setConfirming(true)}>
              Cancel run
            </button>
          ) : null
        }
      />
      {cancel.isError ? (
        <p className="q-form-error" role="alert">
          Cancel refused: {describeError(cancel.error).message}
        </p>
      ) : cancel.isSuccess ? (
        <p role="status">Cancelled.</p>
      ) : null}
      <dl className="q-dl">
        <div>
          <dt>Kind</dt>
          <dd>{r.kind}</dd>
        </div>
        <div>
          <dt>Timeframe</dt>
          <dd>{r.timeframe ?? "–"}</dd>
        </div>
        <div>
          <dt>Range</dt>
          <dd>
            {formatDateTime(r.rangeStart)} → {formatDateTime(r.rangeEnd)}
          </dd>
        </div>
        <div>
          <dt>Rows written</dt>
          <dd>{formatInteger(r.rowsWritten ?? 0)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{runDuration(r)}</dd>
        </div>
        {r.error ? (
          <div>
            <dt>Error</dt>
            <dd className="q-tone-negative">{r.error}</dd>
          </div>
        ) : null}
      </dl>
      <h2>Symbols</h2>
      {symbols.length === 0 ? (
        <p className="q-muted">No per-symbol records for this run.</p>
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <caption className="q-visually-hidden">Progress per symbol</caption>
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col" className="q-num">
                  Rows
                </th>
                <th scope="col">Last bar</th>
                <th scope="col" className="q-num">
                  Attempts
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {symbols.map((s) => {
                const rows = Math.max(s.rowsWritten, liveRows.get(s.symbol) ?? 0);
                const finished = s.status === "completed" || s.status === "failed";
                const total = expected?.[s.symbol];
                const value = finished ? 1 : total ? rows / total : s.status === "running" ? 0.5 : 0;
                return (
                  <tr key={s.symbol}>
                    <th scope="row">{s.symbol}</th>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td style={{ minWidth: 160 }}>
                      <ProgressBar value={value} label={`Progress of ${s.symbol}`} />
                    </td>
                    <td className="q-num">{formatInteger(rows)}</td>
                    <td>{formatDateTime(s.lastBarTime)}</td>
                    <td className="q-num">{s.attempts}</td>
                    <td className="q-small">{s.error ?? ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>
        Live events{" "}
        <span className="q-small q-muted" data-testid="feed-state">
          {feed.state === "done"
            ? "· run finished, stream closed"
            : feed.state === "live"
              ? "· connected"
              : feed.state === "reconnecting"
                ? "· reconnecting…"
                : "· connecting…"}{" "}
          · {feed.connections} connection(s)
        </span>
      </h2>
      {feed.state !== "done" ? (
        <button type="button" className="q-button" onClick={feed.reconnect}>
          Reconnect now
        </button>
      ) : null}
      <ul
        className="q-card q-feed"
        style={{ listStyle: "none", paddingLeft: "1rem" }}
        aria-label="Event feed"
        data-event-ids={feed.events.map((e) => e.id).join(",")}
      >
        {feed.events.length === 0 ? <li className="q-muted">No events yet.</li> : null}
        {feed.events.map((e) => (
          <li key={e.id}>
            <span className="q-muted">
              #{e.id} {new Date(e.time).toISOString().slice(11, 19)}
            </span>{" "}
            <strong>{e.type}</strong>
            {e.symbol ? ` ${e.symbol}` : ""}
            {e.payload ? ` ${JSON.stringify(e.payload)}` : ""}
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={confirming}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          cancel.mutate();
        }}
      >
        <p className="q-muted q-small">Bars already written stay; remaining symbols are not fetched.</p>
      </ConfirmDialog>
    </>
  );
}
