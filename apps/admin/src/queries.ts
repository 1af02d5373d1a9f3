import { createApiClient, type InferRequestType, unwrap } from "@quantago/app-kit/client";
import { type MarketTimeframe, TIMEFRAME_MS } from "@quantago/contracts/wire";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";

/**
 * Every call of the console goes through here (routes of docs/api.md, Auth and Ingestion), over the typed
 * client: a renamed route or a changed parameter is a type error here, not a runtime surprise.
 */
const api = createApiClient();
const admin = api.api.admin;
const ingestion = admin.ingestion;

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role?: string | null;
  banned?: boolean | null;
  banReason?: string | null;
  banExpires?: string | null;
  createdAt: string;
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
export interface RegisteredSymbol {
  symbol: string;
  assetClass: string;
  source: string;
  sourceSymbol: string | null;
  enabled: boolean;
  synthetic?: boolean;
  availableFrom: string | null;
  metadata: Record<string, unknown> | null;
}
export interface Run {
  id: string;
  kind: string;
  status: string;
  workflowId: string | null;
  timeframe: string | null;
  rangeStart: string | null;
  rangeEnd: string | null;
  rowsWritten: number | null;
  error: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface RunSymbol {
  symbol: string;
  status: string;
  rowsWritten: number;
  lastBarTime: string | null;
  attempts: number;
  error: string | null;
}
export interface StoredSeries {
  symbol: string;
  assetClass: string;
  source: string;
  timeframe: string;
  firstBar: string | number | null;
  lastBar: string | number | null;
  barCount: number;
}

export const PAGE = 20;
const ING = "/api/admin/ingestion";
const qs = (o: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
};

/** Query-string values as the client sends them: strings, with empty and missing values left out. */
const query = <T extends Record<string, string | number | undefined>>(o: T) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") out[k] = String(v);
  return out as { [K in keyof T]?: T[K] extends number | undefined ? string : T[K] };
};

export const usersQuery = (search: string | undefined, offset = 0, limit = PAGE) =>
  queryOptions({
    queryKey: ["admin-users", { search, offset, limit }],
    queryFn: (): Promise<Page<AdminUser>> =>
      unwrap(admin.users.$get({ query: query({ search, offset, limit }) })),
    placeholderData: keepPreviousData,
  });

export const userAction = (
  id: string,
  action: "role" | "ban" | "unban" | "revoke-sessions",
  body?: unknown,
): Promise<{ user?: AdminUser; revoked?: number }> => {
  const user = admin.users[":id"];
  const param = { id };
  switch (action) {
    case "role":
      return unwrap(user.role.$post({ param, json: body as JsonOf<typeof user.role.$post> }));
    case "ban":
      return unwrap(user.ban.$post({ param, json: (body ?? {}) as JsonOf<typeof user.ban.$post> }));
    case "unban":
      return unwrap(user.unban.$post({ param }));
    case "revoke-sessions":
      return unwrap(user["revoke-sessions"].$post({ param }));
  }
};

export const symbolsQuery = () =>
  queryOptions({
    queryKey: ["admin-symbols"],
    queryFn: async (): Promise<RegisteredSymbol[]> =>
      (await unwrap(ingestion.symbols.$get({ query: {} }))).symbols,
  });
/** The JSON body a route takes, as the API's validator declares it. */
type JsonOf<Post> = InferRequestType<Post> extends { json: infer J } ? J : never;

/** The symbols page parses free text: the API checks each field (400 with issues shown by the form). */
export const upsertSymbols = (symbols: Array<Partial<RegisteredSymbol> & { symbol: string }>) =>
  unwrap(
    ingestion.symbols.$post({
      json: { symbols } as JsonOf<typeof ingestion.symbols.$post>,
    }),
  );

/** Removes a symbol from the registry (refused with 409 while it has stored bars or an active run). */
export const unregisterSymbol = (symbol: string): Promise<void> =>
  unwrap(ingestion.symbols[":symbol"].$delete({ param: { symbol } }));

export const storedSeriesQuery = () =>
  queryOptions({
    queryKey: ["stored-series"],
    queryFn: async (): Promise<StoredSeries[]> =>
      (await unwrap(api.api["market-data"].symbols.$get())).symbols,
  });

export const runsQuery = (f: {
  status?: (typeof RUN_STATUSES)[number] | undefined;
  kind?: (typeof RUN_KINDS)[number] | undefined;
  symbol?: string;
  offset?: number;
  limit?: number;
}) =>
  queryOptions({
    queryKey: ["runs", f],
    queryFn: (): Promise<Page<Run>> => unwrap(ingestion.logs.$get({ query: query({ limit: PAGE, ...f }) })),
    placeholderData: keepPreviousData,
  });
export const runQuery = (id: string) =>
  queryOptions({
    queryKey: ["run", id],
    queryFn: (): Promise<{ run: Run; symbols: RunSymbol[]; workflow: { status: string } | null }> =>
      unwrap(ingestion.runs[":id"].$get({ param: { id } })),
  });
export const cancelRun = (id: string): Promise<{ run: Run }> =>
  unwrap(ingestion.runs[":id"].cancel.$post({ param: { id } }));
/** The forms check their input against the API's rules before sending; the API checks again (400). */
export const startRun = (
  kind: "run-once" | "bulk" | "incremental" | "backfill",
  body: unknown,
): Promise<{ run: Run; workflowId?: string | null }> => {
  const workflows = ingestion.workflows;
  switch (kind) {
    case "run-once":
      return unwrap(
        ingestion["run-once"].$post({ json: body as JsonOf<(typeof ingestion)["run-once"]["$post"]> }),
      );
    case "bulk":
      return unwrap(workflows.bulk.$post({ json: body as JsonOf<typeof workflows.bulk.$post> }));
    case "incremental":
      return unwrap(
        workflows.incremental.$post({ json: body as JsonOf<typeof workflows.incremental.$post> }),
      );
    case "backfill":
      return unwrap(workflows.backfill.$post({ json: body as JsonOf<typeof workflows.backfill.$post> }));
  }
};
export const eventsUrl = (runId: string, lastEventId?: number) =>
  `${ING}/events${qs({ runId, untilComplete: 1, lastEventId })}`;
export const uploadUrl = (p: { symbol: string; assetClass: string; timeframe: string }) =>
  `${ING}/upload${qs(p)}`;

/** Each served timeframe's length in ms, looked up by the strings the API sends. */
export const TIMEFRAMES: Readonly<Record<string, number | undefined>> = TIMEFRAME_MS;

const toMs = (v: string | number | null) =>
  v === null ? Number.NaN : typeof v === "number" ? v : Date.parse(v);
/** Stale: the newest bar is older than two of its timeframe's buckets (a synced symbol lags one at most). */
export function isStale(s: StoredSeries, now = Date.now()): boolean {
  const step = TIMEFRAMES[s.timeframe] ?? 60_000;
  const last = toMs(s.lastBar);
  return Number.isFinite(last) && now - last > 2 * step;
}
export { toMs };

/** The run kinds and statuses of docs/api.md (kept here: the contracts package would bring zod into the shell). */
export const RUN_KINDS = ["run_once", "upload", "bulk", "incremental", "backfill"] as const;
export const RUN_STATUSES = ["pending", "running", "completed", "partial", "failed", "cancelled"] as const;

export type { MarketTimeframe };

export const backtestsSummaryQuery = (limit = 10) =>
  queryOptions({
    queryKey: ["admin-backtests-summary", limit],
    queryFn: () => unwrap(api.api.admin.backtests.summary.$get({ query: { limit: String(limit) } })),
    refetchInterval: 15_000,
  });
export type AdminBacktestsSummary = Awaited<
  ReturnType<NonNullable<ReturnType<typeof backtestsSummaryQuery>["queryFn"]>>
>;
export type AdminBacktestRow = AdminBacktestsSummary["queue"][number];

export const adminHealthQuery = () =>
  queryOptions({
    queryKey: ["admin-health"],
    queryFn: () => unwrap(api.api.admin.health.$get()),
    refetchInterval: 15_000,
  });

export const userQuery = (id: string) =>
  queryOptions({
    queryKey: ["admin-users", "one", id],
    queryFn: () => unwrap(api.api.admin.users[":id"].$get({ param: { id } })).then((r) => r.user),
  });

export const coverageQuery = (symbol: string, timeframe: MarketTimeframe, days = 30) =>
  queryOptions({
    queryKey: ["coverage", symbol, timeframe, days],
    queryFn: () =>
      unwrap(
        api.api.admin.ingestion.symbols[":symbol"].coverage.$get({
          param: { symbol },
          query: { timeframe, days: String(days) },
        }),
      ),
  });

export const deleteBarsRange = (
  symbol: string,
  q: { timeframe: MarketTimeframe; from: string; to: string },
) =>
  unwrap(
    api.api.admin.ingestion.symbols[":symbol"].bars.$delete({
      param: { symbol },
      query: q,
    }),
  );
