/**
 * HTTP sessions (`session_id`): one engine connection kept per session, so SET, USE and temporary
 * tables carry over between requests, and dropped after `session_timeout` seconds idle (default 60).
 * Like ClickHouse, a session serves one request at a time; a second concurrent request fails with
 * SESSION_IS_LOCKED instead of queueing.
 */
import type { Connection, Engine } from "./engine.ts";
import { ClickHouseError, httpError } from "./errors.ts";

interface Entry {
  connection: Connection;
  busy: boolean;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
}

export interface SessionRequest {
  id: string;
  timeoutSeconds: number | undefined;
  /** `session_check=1`: the session must already exist. */
  check: boolean;
  /** `close_session=1`: drop the session after this request. */
  close: boolean;
}

export interface Sessions {
  run<T>(request: SessionRequest, work: (connection: Connection) => Promise<T>): Promise<T>;
  closeAll(): void;
}

export function createSessions(engine: Engine): Sessions {
  const entries = new Map<string, Entry>();

  const drop = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entries.delete(id);
    entry.connection.close();
  };

  return {
    async run(request, work) {
      let entry = entries.get(request.id);
      if (!entry) {
        if (request.check) throw httpError("SESSION_NOT_FOUND", `Session ${request.id} not found`);
        entry = { connection: engine.connect(), busy: false, timeoutMs: 60_000, timer: undefined };
        entries.set(request.id, entry);
      }
      if (entry.busy)
        throw new ClickHouseError(373, "SESSION_IS_LOCKED", "Session is locked by a concurrent client");
      entry.busy = true;
      clearTimeout(entry.timer);
      if (request.timeoutSeconds !== undefined) entry.timeoutMs = request.timeoutSeconds * 1000;
      try {
        return await work(entry.connection);
      } finally {
        entry.busy = false;
        if (request.close) {
          drop(request.id);
        } else {
          const current = entry;
          current.timer = setTimeout(() => {
            if (!current.busy) drop(request.id);
          }, current.timeoutMs);
          current.timer.unref();
        }
      }
    },
    closeAll() {
      for (const id of [...entries.keys()]) drop(id);
    },
  };
}
