import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type BacktestRecord, backtestEventsUrl, backtestKeys, type Page } from "./backtests.ts";

/**
 * Streams a user may hold open at once is 10 (the API answers the 11th with a 429): a page follows
 * at most this many, leaving room for other tabs.
 */
export const MAX_FOLLOWED = 4;

const TERMINAL = ["completed", "failed", "cancelled"] as const;

/** Writes an event's fields into every cached copy of the backtest: its detail and the lists it is in. */
function applyUpdate(queryClient: QueryClient, id: string, data: Partial<BacktestRecord>) {
  queryClient.setQueryData<BacktestRecord>(backtestKeys.detail(id), (old) =>
    old ? { ...old, ...data } : old,
  );
  queryClient.setQueriesData<Page<BacktestRecord>>({ queryKey: backtestKeys.lists() }, (old) =>
    old?.items.some((b) => b.id === id)
      ? { ...old, items: old.items.map((b) => (b.id === id ? { ...b, ...data } : b)) }
      : old,
  );
}

/**
 * Follows the event streams (`/api/backtests/:id/events`) of the active backtests `ids` (the first
 * {@link MAX_FOLLOWED}): each `progress` event updates the cached record wherever it is shown, and the
 * terminal event refetches it with its results. Answers whether a stream failed (refused, dropped), so
 * the caller can fall back to polling.
 */
export function useBacktestStreams(ids: readonly string[]): { failed: boolean } {
  const queryClient = useQueryClient();
  const [failed, setFailed] = useState(false);
  const key = ids.slice(0, MAX_FOLLOWED).join(",");
  useEffect(() => {
    if (key === "") return;
    const sources = key.split(",").map((id) => {
      const source = new EventSource(backtestEventsUrl(id), { withCredentials: true });
      const onProgress = (e: MessageEvent<string>) =>
        applyUpdate(queryClient, id, JSON.parse(e.data) as Partial<BacktestRecord>);
      const onDone = (e: MessageEvent<string>) => {
        onProgress(e);
        source.close();
        void queryClient.invalidateQueries({ queryKey: backtestKeys.detail(id) });
        void queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
      };
      source.addEventListener("progress", onProgress);
      for (const t of TERMINAL) source.addEventListener(t, onDone);
      // A stream the API refused or that dropped: EventSource retries by itself, polling covers the gap.
      source.addEventListener("error", () => setFailed(true));
      source.addEventListener("open", () => setFailed(false));
      return source;
    });
    return () => {
      for (const s of sources) s.close();
    };
  }, [key, queryClient]);
  return { failed: key !== "" && failed };
}
