import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type BacktestRecord, backtestEventsUrl, backtestKeys, type Page } from "./backtests.ts";

/**
 * Streams a user may hold open at once is 10 (the API answers the 11th with a 429): a page follows
 * at most this many, leaving room for other tabs.
 */
export const MAX_FOLLOWED = 4;

const TERMINAL = ["completed", "failed", "cancelled"] as const;

/**
 * What a progress stream follows (backtests, sweeps: the API sends the same events for both): where
 * the stream of an id is, how an event's fields go into the cache, and what to refetch once it ended.
 * Keep it a module-level constant: a new object reopens the streams.
 */
export interface ProgressStreamTarget {
  url: (id: string) => string;
  apply: (queryClient: QueryClient, id: string, data: Record<string, unknown>) => void;
  settle: (queryClient: QueryClient, id: string) => void;
}

/**
 * Follows the event streams of the active records `ids` (the first {@link MAX_FOLLOWED}): each
 * `progress` event is applied to the cache, and the terminal event is applied and then settled.
 * Answers whether a stream failed (refused, dropped), so the caller can fall back to polling.
 */
export function useProgressStreams(
  ids: readonly string[],
  target: ProgressStreamTarget,
): { failed: boolean } {
  const queryClient = useQueryClient();
  const [failed, setFailed] = useState(false);
  const key = ids.slice(0, MAX_FOLLOWED).join(",");
  useEffect(() => {
    if (key === "") return;
    const sources = key.split(",").map((id) => {
      const source = new EventSource(target.url(id), { withCredentials: true });
      const onProgress = (e: MessageEvent<string>) =>
        target.apply(queryClient, id, JSON.parse(e.data) as Record<string, unknown>);
      const onDone = (e: MessageEvent<string>) => {
        onProgress(e);
        source.close();
        target.settle(queryClient, id);
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
  }, [key, queryClient, target]);
  return { failed: key !== "" && failed };
}

/** Backtests: an event's fields go into every cached copy, its detail and the lists it is in. */
const backtestStreams: ProgressStreamTarget = {
  url: backtestEventsUrl,
  apply: (queryClient, id, data) => {
    queryClient.setQueryData<BacktestRecord>(backtestKeys.detail(id), (old) =>
      old ? { ...old, ...data } : old,
    );
    queryClient.setQueriesData<Page<BacktestRecord>>({ queryKey: backtestKeys.lists() }, (old) =>
      old?.items.some((b) => b.id === id)
        ? { ...old, items: old.items.map((b) => (b.id === id ? { ...b, ...data } : b)) }
        : old,
    );
  },
  settle: (queryClient, id) => {
    void queryClient.invalidateQueries({ queryKey: backtestKeys.detail(id) });
    void queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
  },
};

/**
 * Follows the event streams (`/api/backtests/:id/events`) of the active backtests `ids`: each
 * `progress` event updates the cached record wherever it is shown, and the terminal event refetches
 * it with its results.
 */
export function useBacktestStreams(ids: readonly string[]): { failed: boolean } {
  return useProgressStreams(ids, backtestStreams);
}
