import {
  adminBacktestsSummarySchema,
  adminHealthResponseSchema,
  adminUserResponseSchema,
  adminUsersResponseSchema,
  backtestEquityResponseSchema,
  backtestListResponseSchema,
  backtestRecordSchema,
  backtestTradesResponseSchema,
  coverageResponseSchema,
  createStrategyResponseSchema,
  createVersionResponseSchema,
  deleteBarsResponseSchema,
  healthResponseSchema,
  monteCarloRecordSchema,
  revokeSessionsResponseSchema,
  sessionListResponseSchema,
  sessionResponseSchema,
  strategyListResponseSchema,
  strategyResponseSchema,
  strategyVersionListResponseSchema,
  sweepHeatmapSchema,
  sweepRecordSchema,
  sweepResultSchema,
  symbolsResponseSchema,
  ticksResponseSchema,
  timeframesResponseSchema,
} from "@quantago/contracts";
import { type ZodType, z } from "zod";

/** One documented answer of a route: a JSON body described by its contract schema, or another type. */
export interface ResponseDoc {
  description: string;
  /** The contract schema of a JSON body (packages/contracts), when the answer has one. */
  schema?: ZodType;
  /** Content type of a non-JSON body (binary columns, SSE, artifacts); JSON when unset. */
  contentType?: string;
  /** Headers that are part of the answer (the paging headers of list routes). */
  headers?: readonly string[];
}

/**
 * The human half of a route's OpenAPI entry. The other half, its path, query and body schemas, is read
 * from the route's own `validate()` middleware, and its access from ACCESS_POLICIES, so neither is
 * written twice. Error answers (our envelope) are added to every operation by the generator.
 */
export interface RouteDoc {
  /** A route method (`GET`), as registered. */
  method: string;
  /** The route pattern exactly as registered (`/api/backtests/:id`), as in ACCESS_POLICIES. */
  path: string;
  summary: string;
  description?: string;
  /** Success answers by status. */
  responses: Readonly<Record<number, ResponseDoc>>;
  /** The JSON body a route reads without a `validate("json")` of ours (Better Auth), described in prose. */
  requestBody?: { description: string };
}

const PAGED = ["X-Total-Count", "Link"] as const;
const TOTAL = ["X-Total-Count"] as const;
const ingestionRun = "The run: `{ run, symbols }` (see docs/api.md#ingestion).";
const workflowStarted = "`{ workflowId, run }`: the workflow id is the run id.";

/**
 * Every route's summary and success answers. A route registered in createApp() without an entry here
 * fails the OpenAPI tests (apps/api/src/openapi/openapi.unit.test.ts), like a route without an access
 * policy fails createApp(): add the entry beside the route.
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  // Better Auth (https://www.better-auth.com/docs/concepts/api): its own bodies on success.
  {
    method: "POST",
    path: "/api/auth/sign-in/email",
    summary: "Sign in with email and password",
    description: "Better Auth. Sets the session cookie. Rate limited per email and per client address.",
    requestBody: { description: "`{ email, password, rememberMe? }`" },
    responses: { 200: { description: "`{ redirect, token, user }`; the session cookie is set." } },
  },
  {
    method: "POST",
    path: "/api/auth/sign-up/email",
    summary: "Create an account with email and password",
    description: "Better Auth. Sets the session cookie. Rate limited per email and per client address.",
    requestBody: { description: "`{ name, email, password }`" },
    responses: { 200: { description: "`{ token, user }`; the session cookie is set." } },
  },
  {
    method: "GET",
    path: "/api/auth/*",
    summary: "Better Auth's other GET endpoints",
    description:
      "Every other Better Auth endpoint, e.g. `get-session`, `list-sessions`. Their bodies are Better Auth's; errors carry our envelope too.",
    responses: { 200: { description: "Better Auth's answer." } },
  },
  {
    method: "POST",
    path: "/api/auth/*",
    summary: "Better Auth's other POST endpoints",
    description: "Every other Better Auth endpoint, e.g. `sign-out`, `change-password`, the admin plugin's.",
    requestBody: { description: "Better Auth's request body for the endpoint." },
    responses: { 200: { description: "Better Auth's answer." } },
  },

  {
    method: "GET",
    path: "/api/health",
    summary: "Liveness, or with deep=1 the configuration and both databases",
    responses: {
      200: { description: "Healthy.", schema: healthResponseSchema },
      503: { description: "A deep check failed; `checks` names it.", schema: healthResponseSchema },
    },
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    summary: "This OpenAPI 3.1 document",
    responses: { 200: { description: "The document." } },
  },
  {
    method: "GET",
    path: "/api/docs",
    summary: "A browsable reference built from this document",
    responses: { 200: { description: "An HTML page.", contentType: "text/html" } },
  },

  {
    method: "GET",
    path: "/api/market-data/ticks",
    summary: "Candles of a symbol over a range",
    description: "From ClickHouse, or the live provider for a symbol not stored (docs/api.md#market-data).",
    responses: { 200: { description: "The candles.", schema: ticksResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/market-data/columns",
    summary: "Candles of a symbol over a range, as binary columns",
    description: "Little-endian Float64 columns, streamed (layout in docs/api.md#market-data).",
    responses: { 200: { description: "The columns.", contentType: "application/vnd.quantago.columns" } },
  },
  {
    method: "GET",
    path: "/api/market-data/symbols",
    summary: "The stored symbols and their ranges",
    responses: { 200: { description: "The catalog.", schema: symbolsResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/market-data/timeframes",
    summary: "The supported timeframes",
    responses: { 200: { description: "Each timeframe and its length.", schema: timeframesResponseSchema } },
  },

  {
    method: "GET",
    path: "/api/session",
    summary: "The caller's session and user",
    responses: { 200: { description: "The session.", schema: sessionResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/sessions",
    summary: "The caller's sessions (devices signed in)",
    responses: { 200: { description: "The sessions.", schema: sessionListResponseSchema } },
  },
  {
    method: "DELETE",
    path: "/api/sessions/:id",
    summary: "Sign one of the caller's sessions out",
    responses: { 204: { description: "Revoked." } },
  },

  {
    method: "GET",
    path: "/api/strategies",
    summary: "Built-in strategies and the caller's registered ones",
    responses: {
      200: { description: "The catalog.", schema: strategyListResponseSchema, headers: TOTAL },
    },
  },
  {
    method: "POST",
    path: "/api/strategies",
    summary: "Register a strategy with its first version",
    responses: { 201: { description: "Registered.", schema: createStrategyResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/strategies/:slug",
    summary: "One strategy",
    responses: { 200: { description: "The strategy.", schema: strategyResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/strategies/:slug/versions",
    summary: "The versions of a registered strategy",
    responses: {
      200: { description: "The versions.", schema: strategyVersionListResponseSchema, headers: TOTAL },
    },
  },
  {
    method: "POST",
    path: "/api/strategies/:slug/versions",
    summary: "Publish a new version of a registered strategy",
    responses: { 201: { description: "Published.", schema: createVersionResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/strategies/:slug/versions/:version/artifact",
    summary: "Download a version's artifact (WASM module)",
    responses: {
      200: { description: "The artifact, as uploaded.", contentType: "application/octet-stream" },
    },
  },

  {
    method: "GET",
    path: "/api/backtests",
    summary: "The caller's backtests, newest first",
    responses: { 200: { description: "One page.", schema: backtestListResponseSchema, headers: PAGED } },
  },
  {
    method: "POST",
    path: "/api/backtests",
    summary: "Submit a backtest",
    description: "Answers at once with the pending record; follow it with `/events` or poll `GET /:id`.",
    responses: { 202: { description: "Accepted.", schema: backtestRecordSchema } },
  },
  {
    method: "GET",
    path: "/api/backtests/:id",
    summary: "One backtest, with its metrics once completed",
    responses: { 200: { description: "The backtest.", schema: backtestRecordSchema } },
  },
  {
    method: "PATCH",
    path: "/api/backtests/:id",
    summary: "Set or clear the owner's note on a backtest",
    responses: { 200: { description: "The backtest with its note.", schema: backtestRecordSchema } },
  },
  {
    method: "DELETE",
    path: "/api/backtests/:id",
    summary: "Delete a backtest and its results",
    responses: { 204: { description: "Deleted." } },
  },
  {
    method: "GET",
    path: "/api/backtests/:id/trades",
    summary: "A backtest's trades",
    responses: { 200: { description: "One page.", schema: backtestTradesResponseSchema, headers: PAGED } },
  },
  {
    method: "GET",
    path: "/api/backtests/:id/equity",
    summary: "A backtest's equity curve, downsampled",
    responses: { 200: { description: "The curve.", schema: backtestEquityResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/backtests/:id/events",
    summary: "Follow a backtest's progress (server-sent events)",
    responses: { 200: { description: "`progress` events, then `done`.", contentType: "text/event-stream" } },
  },
  {
    method: "POST",
    path: "/api/backtests/:id/cancel",
    summary: "Cancel a pending or running backtest",
    responses: { 200: { description: "The backtest.", schema: backtestRecordSchema } },
  },
  {
    method: "POST",
    path: "/api/backtests/:id/rerun",
    summary: "Run a backtest again with the same inputs",
    responses: { 202: { description: "The new backtest.", schema: backtestRecordSchema } },
  },

  {
    method: "GET",
    path: "/api/admin/users",
    summary: "Users, newest first (admins)",
    responses: { 200: { description: "One page.", schema: adminUsersResponseSchema } },
  },
  {
    method: "POST",
    path: "/api/admin/users/:id/role",
    summary: "Set a user's role (admins)",
    responses: { 200: { description: "The user.", schema: adminUserResponseSchema } },
  },
  {
    method: "POST",
    path: "/api/admin/users/:id/ban",
    summary: "Ban a user and end their sessions (admins)",
    responses: { 200: { description: "The user.", schema: adminUserResponseSchema } },
  },
  {
    method: "POST",
    path: "/api/admin/users/:id/unban",
    summary: "Lift a user's ban (admins)",
    responses: { 200: { description: "The user.", schema: adminUserResponseSchema } },
  },
  {
    method: "POST",
    path: "/api/admin/users/:id/revoke-sessions",
    summary: "End every session of a user (admins)",
    responses: { 200: { description: "How many ended.", schema: revokeSessionsResponseSchema } },
  },

  {
    method: "GET",
    path: "/api/admin/ingestion/symbols",
    summary: "The symbols ingestion keeps in sync",
    responses: { 200: { description: "`{ symbols }`." } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/symbols",
    summary: "Add or update symbols to keep in sync",
    responses: { 200: { description: "`{ symbols }` as stored." } },
  },
  {
    method: "DELETE",
    path: "/api/admin/ingestion/symbols/:symbol",
    summary:
      "Stop syncing a symbol and remove it from the registry (409 while it has stored bars or an active run)",
    responses: { 204: { description: "Unregistered." } },
  },
  {
    method: "DELETE",
    path: "/api/admin/ingestion/symbols/:symbol/bars",
    summary: "Delete a symbol's stored bars over a range",
    responses: { 200: { description: "What was removed.", schema: deleteBarsResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/admin/ingestion/logs",
    summary: "Ingestion runs, newest first",
    responses: { 200: { description: "One page of runs." } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/run-once",
    summary: "Ingest a range of symbols now, in this request",
    responses: { 200: { description: ingestionRun } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/upload",
    summary: "Ingest a CSV of bars (streamed body)",
    requestBody: { description: "CSV text: `time,open,high,low,close,volume` (docs/api.md#ingestion)." },
    responses: { 200: { description: "What was stored." } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/workflows/bulk",
    summary: "Start a bulk ingestion workflow",
    responses: { 202: { description: workflowStarted } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/workflows/incremental",
    summary: "Start an incremental sync workflow",
    responses: { 202: { description: workflowStarted } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/workflows/backfill",
    summary: "Start a backfill workflow",
    responses: { 202: { description: workflowStarted } },
  },
  {
    method: "GET",
    path: "/api/admin/ingestion/runs/:id",
    summary: "One ingestion run and its symbols",
    responses: { 200: { description: "`{ run, symbols, workflow }`." } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/runs/:id/cancel",
    summary: "Cancel an ingestion run",
    responses: { 200: { description: "`{ run }`." } },
  },
  {
    method: "POST",
    path: "/api/admin/ingestion/schema/ensure",
    summary: "Apply the ClickHouse schema (workflow)",
    responses: { 202: { description: "`{ workflowId }`." } },
  },
  {
    method: "GET",
    path: "/api/admin/ingestion/events",
    summary: "Follow ingestion runs (server-sent events)",
    responses: { 200: { description: "Run events.", contentType: "text/event-stream" } },
  },
  // Research: parameter sweeps, walk-forward analyses (a sweep with `walk_forward`) and Monte Carlo.
  {
    method: "GET",
    path: "/api/research/sweeps",
    summary: "The caller's sweeps and walk-forward analyses, newest first",
    responses: { 200: { description: "One page.", schema: z.array(sweepRecordSchema), headers: PAGED } },
  },
  {
    method: "POST",
    path: "/api/research/sweeps",
    summary: "Start a parameter sweep or a walk-forward analysis",
    description: "Combinations are counted and checked against the strategy's schema before anything runs.",
    responses: { 202: { description: "Accepted; it runs on a Workflow.", schema: sweepRecordSchema } },
  },
  {
    method: "GET",
    path: "/api/research/sweeps/:id",
    summary: "One sweep with its progress and summary",
    responses: { 200: { description: "The sweep.", schema: sweepRecordSchema } },
  },
  {
    method: "GET",
    path: "/api/research/sweeps/:id/results",
    summary: "A sweep's combinations ranked by its metric",
    responses: { 200: { description: "One page.", schema: z.array(sweepResultSchema), headers: PAGED } },
  },
  {
    method: "GET",
    path: "/api/research/sweeps/:id/heatmap",
    summary: "The sweep's metric over two parameters, the others fixed (`fixed`, JSON) or aggregated",
    responses: { 200: { description: "The grid.", schema: sweepHeatmapSchema } },
  },
  {
    method: "GET",
    path: "/api/research/sweeps/:id/walk-forward",
    summary: "A walk-forward analysis's windows, chosen parameters and stitched out-of-sample result",
    responses: { 200: { description: "The summary." } },
  },
  {
    method: "POST",
    path: "/api/research/sweeps/:id/results/:combination/backtest",
    summary: "Open one combination as a full backtest",
    responses: { 202: { description: "The backtest, submitted.", schema: backtestRecordSchema } },
  },
  {
    method: "GET",
    path: "/api/research/sweeps/:id/events",
    summary: "A sweep's progress as server-sent events",
    responses: { 200: { description: "The event stream.", contentType: "text/event-stream" } },
  },
  {
    method: "POST",
    path: "/api/research/sweeps/:id/cancel",
    summary: "Cancel a running sweep; its remaining batches do not run",
    responses: { 200: { description: "The sweep, cancelled.", schema: sweepRecordSchema } },
  },
  {
    method: "DELETE",
    path: "/api/research/sweeps/:id",
    summary: "Delete a sweep and its results (stops it first)",
    responses: { 204: { description: "Deleted." } },
  },
  {
    method: "GET",
    path: "/api/research/monte-carlo",
    summary: "The caller's Monte Carlo analyses, newest first",
    responses: { 200: { description: "One page.", schema: z.array(monteCarloRecordSchema), headers: PAGED } },
  },
  {
    method: "POST",
    path: "/api/research/monte-carlo",
    summary: "Resample a completed backtest's trades (shuffle or bootstrap, seeded)",
    responses: {
      201: { description: "The analysis, with its percentiles.", schema: monteCarloRecordSchema },
    },
  },
  {
    method: "GET",
    path: "/api/research/monte-carlo/:id",
    summary: "One Monte Carlo analysis",
    responses: { 200: { description: "The analysis.", schema: monteCarloRecordSchema } },
  },
  {
    method: "DELETE",
    path: "/api/research/monte-carlo/:id",
    summary: "Delete a Monte Carlo analysis",
    responses: { 204: { description: "Deleted." } },
  },

  // The admin console's reads.
  {
    method: "GET",
    path: "/api/admin/users/:id",
    summary: "One user, by id",
    responses: { 200: { description: "`{ user }`.", schema: adminUserResponseSchema } },
  },
  {
    method: "GET",
    path: "/api/admin/backtests/summary",
    summary: "Backtests across users: counts by status, recent failures, slowest runs, the queue",
    responses: { 200: { description: "The summary.", schema: adminBacktestsSummarySchema } },
  },
  {
    method: "GET",
    path: "/api/admin/health",
    summary: "Every dependency's reachability, latency and version",
    responses: {
      200: { description: "Always 200; the body says what fails.", schema: adminHealthResponseSchema },
    },
  },
  {
    method: "GET",
    path: "/api/admin/ingestion/symbols/:symbol/coverage",
    summary: "A stored series' first and last bar, bars per day and gaps",
    responses: { 200: { description: "The coverage.", schema: coverageResponseSchema } },
  },
];
