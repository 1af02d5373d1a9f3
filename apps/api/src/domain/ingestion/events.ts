import type { IngestionEventType } from "@quantago/contracts";
import {
  type Database,
  ingestionEvent,
  ingestionRun,
  ingestionRunSymbol,
  type Transaction,
} from "@quantago/db";
import { and, asc, eq, gt, inArray, max, sql } from "drizzle-orm";
import { sleep } from "../../lib/sleep.ts";
import type { OpenServices, Services } from "../../services.ts";
import { acquireStreamLease, releaseStreamLease } from "../stream-leases.ts";

/**
 * Every event insert takes this transaction-scoped advisory lock first, so event ids (bigserial) are
 * committed in id order: a reader polling `id > last` can never see id 11 before id 10 commits and then
 * skip 10 forever. Events are a few per symbol and chunk, so the serialisation costs nothing noticeable.
 */
export const EVENT_LOCK = 0x51_6e_67_65; // "Qnge"

/** A run (or one of its symbols) in these states has not ended yet. */
export const ACTIVE_RUN_STATUSES = ["pending", "running"];

export interface EmitEvent {
  runId: string;
  /** `run.completed` is written by {@link finishRun} only, together with the run's final status. */
  type: Exclude<IngestionEventType, "run.completed">;
  symbol?: string | null;
  payload?: Record<string, unknown>;
  /**
   * Idempotency key within the run: a second emit with the same key is a no-op. Workflow steps are
   * retried, and a step that emitted and then failed would otherwise emit twice.
   */
  key: string;
}

/** Serialises event inserts until the transaction ends (see {@link EVENT_LOCK}). */
async function lockEventLog(tx: Transaction): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${EVENT_LOCK})`);
}

async function appendEvent(
  tx: Transaction,
  event: {
    runId: string;
    type: IngestionEventType;
    symbol?: string | null;
    payload?: Record<string, unknown>;
    key: string;
  },
): Promise<number | null> {
  const [row] = await tx
    .insert(ingestionEvent)
    .values({
      runId: event.runId,
      type: event.type,
      symbol: event.symbol ?? null,
      payload: { ...event.payload, key: event.key },
    })
    .returning({ id: ingestionEvent.id });
  return row?.id ?? null;
}

/**
 * Appends an event to the ordered log unless one with the same run and key exists, or the run has
 * already ended. @returns its id, or null when skipped
 */
export async function emitEvent(db: Database, event: EmitEvent): Promise<number | null> {
  return db.transaction(async (tx) => {
    await lockEventLog(tx);
    const existing = await tx
      .select({ id: ingestionEvent.id })
      .from(ingestionEvent)
      .where(
        and(eq(ingestionEvent.runId, event.runId), sql`${ingestionEvent.payload}->>'key' = ${event.key}`),
      )
      .limit(1);
    if (existing.length > 0) return null;
    // Nothing follows a run's end: a step still in flight when an operator cancelled stays silent.
    const [run] = await tx
      .select({ status: ingestionRun.status })
      .from(ingestionRun)
      .where(eq(ingestionRun.id, event.runId));
    if (!run || !ACTIVE_RUN_STATUSES.includes(run.status)) return null;
    return appendEvent(tx, event);
  });
}

export interface RunEnd {
  status: string;
  rowsWritten?: number;
  error?: string | null;
  details?: Record<string, unknown>;
  /** The status the run's symbols still pending or running take (a cancel ends them all). */
  openSymbols?: string;
}

/**
 * Ends a run that is still pending or running. Its final status, its open symbols (with
 * `openSymbols`) and its `run.completed` event (payload `{ status, ...payload }`) commit in one
 * transaction, so whoever reads the ended run also finds the event, and a retried step cannot end the
 * run twice.
 * @returns false when the run had already ended; nothing is written then
 */
export async function finishRun(
  db: Database,
  id: string,
  end: RunEnd,
  payload: Record<string, unknown> = {},
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockEventLog(tx);
    const updated = await tx
      .update(ingestionRun)
      .set({
        status: end.status,
        finishedAt: new Date(),
        ...(end.rowsWritten !== undefined ? { rowsWritten: end.rowsWritten } : {}),
        ...(end.error !== undefined ? { error: end.error } : {}),
        ...(end.details !== undefined ? { details: end.details } : {}),
      })
      .where(and(eq(ingestionRun.id, id), inArray(ingestionRun.status, ACTIVE_RUN_STATUSES)))
      .returning({ id: ingestionRun.id });
    if (updated.length === 0) return false;
    if (end.openSymbols !== undefined) {
      await tx
        .update(ingestionRunSymbol)
        .set({ status: end.openSymbols, updatedAt: new Date() })
        .where(
          and(eq(ingestionRunSymbol.runId, id), inArray(ingestionRunSymbol.status, ACTIVE_RUN_STATUSES)),
        );
    }
    await appendEvent(tx, {
      runId: id,
      type: "run.completed",
      payload: { status: end.status, ...payload },
      key: "run.completed",
    });
    return true;
  });
}

export interface StoredEvent {
  id: number;
  runId: string;
  type: string;
  symbol: string | null;
  payload: Record<string, unknown>;
  time: string;
}

/** Events after `afterId`, oldest first (at most `limit`), optionally of one run. */
export async function eventsAfter(
  db: Database,
  options: { afterId: number; runId?: string | undefined; limit?: number },
): Promise<StoredEvent[]> {
  const rows = await db
    .select()
    .from(ingestionEvent)
    .where(
      and(
        gt(ingestionEvent.id, options.afterId),
        options.runId ? eq(ingestionEvent.runId, options.runId) : undefined,
      ),
    )
    .orderBy(asc(ingestionEvent.id))
    .limit(options.limit ?? 500);
  return rows.map((r) => {
    const { key: _key, ...payload } = r.payload;
    return {
      id: r.id,
      runId: r.runId,
      type: r.type,
      symbol: r.symbol,
      payload,
      time: r.createdAt.toISOString(),
    };
  });
}

export async function latestEventId(db: Database): Promise<number> {
  const [row] = await db.select({ id: max(ingestionEvent.id) }).from(ingestionEvent);
  return Number(row?.id ?? 0);
}

export interface EventStreamOptions {
  /** Resume after this event id (Last-Event-ID); undefined: from the start of `runId`, else from now. */
  lastEventId?: number | undefined;
  runId?: string | undefined;
  /** Close after the `run.completed` of `runId`. */
  untilComplete?: boolean;
  /** Close after this long; an EventSource reconnects by itself, resuming with Last-Event-ID. */
  maxMs?: number;
  pollMs?: number;
  heartbeatMs?: number;
  /** Runs on the stream's own database when the stream ends, however it ends (e.g. frees its lease). */
  onEnd?: (db: Database) => Promise<void>;
}

const encoder = new TextEncoder();

/** One SSE frame. `data` is a single line of JSON, so no escaping beyond JSON's is needed. */
export function sseFrame(frame: { id?: number; event: string; data: unknown }): string {
  return `${frame.id !== undefined ? `id: ${frame.id}\n` : ""}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
}

/**
 * The body of `GET /api/admin/ingestion/events`: polls the event log and writes each event as an SSE
 * frame whose `id:` is the event id, plus `heartbeat` frames (no id, so they never move the resume
 * point). It owns its database pool: the request's services are closed as soon as the handler returns
 * the streaming response. Stops when the client goes away (cancel), at `maxMs`, or after the run's
 * `run.completed` with `untilComplete`.
 */
export function eventStream(services: Services, options: EventStreamOptions): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxMs = options.maxMs ?? 300_000;
  let handle: OpenServices | undefined;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      handle = services.detach();
      const write = (text: string) => controller.enqueue(encoder.encode(text));
      const started = Date.now();
      // Reconnect after 1 s when the connection drops (EventSource's default is 3 s).
      write("retry: 1000\n\n");
      void (async () => {
        try {
          const db = (handle as OpenServices).services.db;
          let after = options.lastEventId ?? (options.runId !== undefined ? 0 : await latestEventId(db));
          let lastBeat = Date.now();
          write(sseFrame({ event: "heartbeat", data: { time: new Date().toISOString(), after } }));
          while (!abort.signal.aborted && Date.now() - started < maxMs) {
            const events = await eventsAfter(db, { afterId: after, runId: options.runId });
            let done = false;
            for (const event of events) {
              write(sseFrame({ id: event.id, event: event.type, data: event }));
              after = event.id;
              if (options.untilComplete && event.type === "run.completed") done = true;
            }
            if (done) break;
            if (events.length === 500) continue; // more waiting: no pause
            if (Date.now() - lastBeat >= heartbeatMs) {
              write(sseFrame({ event: "heartbeat", data: { time: new Date().toISOString(), after } }));
              lastBeat = Date.now();
            }
            await sleep(pollMs, abort.signal);
          }
          if (!abort.signal.aborted) controller.close();
        } catch (err) {
          if (!abort.signal.aborted) controller.error(err);
        } finally {
          if (handle && options.onEnd) await options.onEnd(handle.services.db).catch(() => {});
          await handle?.close().catch(() => {});
        }
      })();
    },
    cancel() {
      abort.abort();
    },
  });
}

/**
 * `GET /api/admin/ingestion/events` for a caller: an admin's streams count against the same per-user
 * cap as their backtest streams (429 before the stream opens); the ingestion secret is the deployment's
 * own credential and is not capped.
 */
export async function followIngestionEvents(
  services: Services,
  userId: string | undefined,
  options: Omit<EventStreamOptions, "onEnd"> & { maxMs: number },
): Promise<ReadableStream<Uint8Array>> {
  const lease = userId ? await acquireStreamLease(services.db, userId, options.maxMs + 60_000) : null;
  return eventStream(services, {
    ...options,
    ...(lease ? { onEnd: (db) => releaseStreamLease(db, lease) } : {}),
  });
}
