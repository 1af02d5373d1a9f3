/**
 * Following a backtest's progress (`GET /api/backtests/:id/events`): the row is polled (see
 * {@link pollDelay}: every 50 ms at first, every 500 ms once the run is older than 5 s) and
 * a `progress` event is produced whenever its status or bars done change, then the terminal event, and
 * the stream ends. Transport-free: the route writes these events as SSE.
 */
import type { Database } from "@quantago/db";
import { sleep } from "../../lib/sleep.ts";
import type { Services } from "../../services.ts";
import { acquireStreamLease, releaseStreamLease } from "../stream-leases.ts";
import { getOwnBacktest, toRecord } from "./backtests.ts";

/** How often the stream looks at the row at most and least, and how long one stream lives. */
const EVENTS_POLL_MS = 500;
const FIRST_POLL_MS = 50;
const EVENTS_MAX_MS = 10 * 60_000;
const HEARTBEAT_MS = 15_000;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export interface ProgressEvent {
  id?: string;
  event: string;
  data: string;
}

export interface ProgressFollow {
  /** The events until the terminal one, the stream's maximum duration, or `signal` aborting. */
  events(signal: AbortSignal): AsyncGenerator<ProgressEvent>;
  /** Frees the stream's lease and closes its own database pool. */
  close(): Promise<void>;
}

/** What a followed row looks like at one poll: its status and the event data to send. */
export interface ProgressSnapshot {
  status: string;
  data: Record<string, unknown>;
}

/**
 * How long a stream open for `elapsedMs` waits before it reads the row again: a tenth of that time,
 * between 50 ms and `pollMs`. Most runs end within a second or two and their end is what a client
 * waits for, so a young stream looks often (a run that ends within a second shows its end within a
 * tenth of a second, not up to half a second later); a long run is read every `pollMs`, as before. A
 * ten-minute stream reads the row about as many times as a fixed `pollMs` would.
 */
export function pollDelay(elapsedMs: number, pollMs: number): number {
  return Math.min(pollMs, Math.max(FIRST_POLL_MS, elapsedMs / 10));
}

/** Sends a `progress` event whenever the snapshot changes, then the terminal event, then ends. */
async function* pollProgress(
  read: () => Promise<ProgressSnapshot>,
  signal: AbortSignal,
  pollMs: number,
): AsyncGenerator<ProgressEvent> {
  const started = Date.now();
  let lastSent = "";
  let lastBeat = Date.now();
  let seq = 0;
  while (!signal.aborted && Date.now() - started < EVENTS_MAX_MS) {
    const snapshot = await read();
    const data = JSON.stringify(snapshot.data);
    if (data !== lastSent) {
      lastSent = data;
      seq += 1;
      yield { id: String(seq), event: TERMINAL.has(snapshot.status) ? snapshot.status : "progress", data };
      if (TERMINAL.has(snapshot.status)) return;
    } else if (Date.now() - lastBeat > HEARTBEAT_MS) {
      lastBeat = Date.now();
      yield { event: "heartbeat", data: "{}" };
    }
    await sleep(pollDelay(Date.now() - started, pollMs), signal);
  }
}

/**
 * Follows any owned row with a backtest-like status (backtests, sweeps): `read` (on the stream's own
 * pool) is polled at most every `pollMs` (default 500; more often while young, see {@link pollDelay})
 * and the stream holds one of the user's stream leases (429 past the limit). The caller checks
 * ownership (404) before.
 */
export async function followProgress(
  services: Services,
  userId: string,
  read: (db: Database) => Promise<ProgressSnapshot>,
  pollMs = EVENTS_POLL_MS,
): Promise<ProgressFollow> {
  const lease = await acquireStreamLease(services.db, userId, EVENTS_MAX_MS + 60_000);
  const detached = services.detach();
  const { db } = detached.services;
  return {
    events: (signal) => pollProgress(() => read(db), signal, pollMs),
    async close() {
      await releaseStreamLease(db, lease).catch(() => {}); // else it expires on its own
      await detached.close();
    },
  };
}

/**
 * Checks, before any stream opens, that the backtest is the user's (else 404) and that the user holds
 * fewer than the most streams allowed (else 429). The stream polls on its own pool: the request's
 * closes when the handler returns, long before the stream ends.
 */
export async function followBacktest(
  services: Services,
  userId: string,
  id: string,
): Promise<ProgressFollow> {
  await getOwnBacktest(services.db, userId, id);
  return followProgress(services, userId, async (db) => {
    const record = toRecord(await getOwnBacktest(db, userId, id));
    return {
      status: record.status,
      data: {
        status: record.status,
        bars_done: record.bars_done,
        bars_total: record.bars_total,
        progress: record.progress,
        error_message: record.error_message,
      },
    };
  });
}
