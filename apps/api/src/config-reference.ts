/**
 * Every setting of a deployment, in one list: the Worker's startup check (env.ts `readConfig`) takes its
 * binding names from here, docs/configuration.md's reference table is rendered from here, and a unit
 * test (config-reference.unit.test.ts) holds wrangler.toml's environments, the configuration schema and
 * the docs to it. Add a setting here first.
 */
export type SettingKind = "var" | "secret" | "binding" | "build";

export interface Setting {
  name: string;
  kind: SettingKind;
  /** Whether the Worker (or the build) refuses to work without it. */
  required: boolean;
  /** The value used when it is unset. */
  default?: string;
  /** The binding's type, for bindings. */
  binding?: "R2 bucket" | "Workflow" | "Worker Loader";
  /** Which part reads it. */
  readBy: string;
  description: string;
}

export const SETTINGS: readonly Setting[] = [
  {
    name: "BETTER_AUTH_URL",
    kind: "var",
    required: true,
    readBy: "API (auth, origin checks)",
    description:
      "Public URL of the API Worker, e.g. `https://api.example.com`. Decides the cookie attributes.",
  },
  {
    name: "FRONTEND_ORIGIN",
    kind: "var",
    required: true,
    readBy: "API (CORS, auth trusted origins, cookie attributes)",
    description: "Origin of the web app, e.g. `https://app.example.com`. Allowed by CORS with credentials.",
  },
  {
    name: "ADMIN_ORIGIN",
    kind: "var",
    required: true,
    readBy: "API (CORS, auth trusted origins, cookie attributes)",
    description: "Origin of the admin console. Allowed by CORS with credentials.",
  },
  {
    name: "CLICKHOUSE_DB",
    kind: "var",
    required: false,
    default: "market_data",
    readBy: "API, workflows",
    description: "ClickHouse database holding the bars and rollups.",
  },
  {
    name: "INGESTION_YAHOO_DELAY_MS",
    kind: "var",
    required: false,
    default: "500",
    readBy: "Ingestion workflow",
    description: "Pause before each Yahoo request of a symbol, to stay under its rate limit.",
  },
  {
    name: "INGESTION_BINANCE_DELAY_MS",
    kind: "var",
    required: false,
    default: "250",
    readBy: "Ingestion workflow",
    description: "Pause before each Binance request of a symbol.",
  },
  {
    name: "APP_VERSION",
    kind: "var",
    required: false,
    default: "dev",
    readBy: "API (`GET /api/admin/health`)",
    description: "The version the admin console's Health page shows for the API.",
  },
  {
    name: "GIT_COMMIT",
    kind: "var",
    required: false,
    readBy: "API (`GET /api/admin/health`)",
    description:
      "The commit deployed, e.g. `wrangler deploy --var GIT_COMMIT:$(git rev-parse --short HEAD)`.",
  },
  {
    name: "REMOTE_STRATEGY_ALLOW_PRIVATE",
    kind: "var",
    required: false,
    default: "false",
    readBy: "API, backtest workflow (remote runtime)",
    description:
      '`"true"` lets remote strategies live on loopback or private addresses. Never in production.',
  },
  {
    name: "YAHOO_BASE_URL",
    kind: "var",
    required: false,
    default: "Yahoo's public API",
    readBy: "API, ingestion workflow",
    description: "Replaces Yahoo's origin (an egress proxy, recorded responses in tests).",
  },
  {
    name: "BINANCE_BASE_URL",
    kind: "var",
    required: false,
    default: "Binance's public API",
    readBy: "API, ingestion workflow",
    description: "Replaces Binance's origin.",
  },
  {
    name: "DATABASE_URL",
    kind: "secret",
    required: true,
    readBy: "API, workflows; `pnpm db:migrate`, `pnpm admin:create`",
    description:
      "PostgreSQL URL (`postgres://user:password@host/db?sslmode=require`), e.g. Neon's pooled URL.",
  },
  {
    name: "DATABASE_WS_PROXY",
    kind: "secret",
    required: false,
    default: "none (Neon's own WebSocket endpoint)",
    readBy: "API, workflows",
    description:
      "`host:port` of a WebSocket-to-TCP proxy in front of a plain PostgreSQL (not needed with Neon).",
  },
  {
    name: "CLICKHOUSE_URL",
    kind: "secret",
    required: true,
    readBy: "API, workflows; `pnpm db:migrate`",
    description: "ClickHouse HTTP(S) URL, e.g. `https://abc.eu-west-1.aws.clickhouse.cloud:8443`.",
  },
  {
    name: "CLICKHOUSE_USERNAME",
    kind: "secret",
    required: false,
    default: "default",
    readBy: "API, workflows",
    description: "ClickHouse user.",
  },
  {
    name: "CLICKHOUSE_PASSWORD",
    kind: "secret",
    required: false,
    default: "empty",
    readBy: "API, workflows",
    description: "ClickHouse password.",
  },
  {
    name: "BETTER_AUTH_SECRET",
    kind: "secret",
    required: true,
    readBy: "API (auth)",
    description: "At least 32 characters; signs session cookies. Rotating it signs everyone out.",
  },
  {
    name: "INGESTION_ADMIN_SECRET",
    kind: "secret",
    required: false,
    default: "unset: the header is refused",
    readBy: "API (ingestion routes)",
    description: "At least 16 characters; the `x-ingestion-admin-secret` header for ingestion automation.",
  },
  {
    name: "STRATEGY_ARTIFACTS",
    kind: "binding",
    binding: "R2 bucket",
    required: true,
    readBy: "API, backtest workflow",
    description: "WASM strategy artifacts, keyed by content hash.",
  },
  {
    name: "BACKTEST_RESULTS",
    kind: "binding",
    binding: "R2 bucket",
    required: true,
    readBy: "API, backtest workflow",
    description: "Full equity curves of backtests (binary).",
  },
  {
    name: "LOADER",
    kind: "binding",
    binding: "Worker Loader",
    required: true,
    readBy: "Backtest workflow (WASM runtime)",
    description: "Sandboxes user WASM strategies (no network, bounded CPU and memory).",
  },
  {
    name: "CLICKHOUSE_SCHEMA_WORKFLOW",
    kind: "binding",
    binding: "Workflow",
    required: true,
    readBy: "API (`schema/ensure`)",
    description: "Class `ClickHouseSchemaWorkflow`: applies the versioned ClickHouse DDL.",
  },
  {
    name: "BACKTEST_WORKFLOW",
    kind: "binding",
    binding: "Workflow",
    required: true,
    readBy: "API (`POST /api/backtests`)",
    description: "Class `BacktestWorkflow`: runs one backtest.",
  },
  {
    name: "RESEARCH_WORKFLOW",
    kind: "binding",
    binding: "Workflow",
    required: true,
    readBy: "API (`POST /api/research/sweeps`, `POST /api/research/walk-forward`)",
    description: "Class `ResearchWorkflow`: runs a parameter sweep or a walk-forward analysis in batches.",
  },
  {
    name: "INGESTION_WORKFLOW",
    kind: "binding",
    binding: "Workflow",
    required: true,
    readBy: "API (ingestion routes), cron",
    description: "Class `IngestionWorkflow`: bulk, incremental and backfill runs.",
  },
  {
    name: "VITE_API_URL",
    kind: "build",
    required: false,
    default: "empty: same origin",
    readBy: "web and admin builds (packages/app-kit)",
    description: "The API's public URL, baked into the apps at build time when they live on another origin.",
  },
];

/** The names of the Worker's bindings, which the startup check requires. */
export const BINDING_NAMES = SETTINGS.filter((s) => s.kind === "binding").map((s) => s.name);

/** The reference table of docs/configuration.md (a unit test keeps the docs equal to it). */
export function renderSettingsTable(): string {
  const kindText: Record<SettingKind, string> = {
    var: "var",
    secret: "secret",
    binding: "binding",
    build: "build var",
  };
  const rows = SETTINGS.map((s) =>
    [
      `\`${s.name}\``,
      s.binding ? `${kindText[s.kind]} (${s.binding})` : kindText[s.kind],
      s.required ? "yes" : "no",
      s.default ?? "",
      s.readBy,
      s.description,
    ]
      .map((cell) => cell.replaceAll("|", "\\|"))
      .join(" | "),
  );
  return [
    "| Name | Kind | Required | Default | Read by | What it is |",
    "|---|---|---|---|---|---|",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}
