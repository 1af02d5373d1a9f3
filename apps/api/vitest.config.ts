import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Offline machines cannot fetch Miniflare's Request.cf data; use the built-in placeholder directly.
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const wranglerConfig = fileURLToPath(new URL("../../wrangler.toml", import.meta.url));

// Worker tests run inside workerd with the bindings of wrangler.toml (R2, Workflows, Worker Loader
// simulated locally). The global setup starts the devstack's real PostgreSQL and ClickHouse on free
// ports with throwaway data, and hands their URLs to the Worker as secrets.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: wranglerConfig },
      miniflare: {
        bindings: {
          DATABASE_URL: inject("databaseUrl"),
          DATABASE_WS_PROXY: inject("databaseWsProxy"),
          CLICKHOUSE_URL: inject("clickhouseUrl"),
          CLICKHOUSE_USERNAME: inject("clickhouseUsername"),
          CLICKHOUSE_PASSWORD: inject("clickhousePassword"),
          CLICKHOUSE_DB: inject("clickhouseDb"),
          YAHOO_BASE_URL: inject("providersUrl"),
          BINANCE_BASE_URL: inject("providersUrl"),
          BETTER_AUTH_SECRET: "test-secret-that-is-long-enough-for-better-auth",
          INGESTION_ADMIN_SECRET: "test-ingestion-secret-0123456789",
          // The test's remote strategy server listens on 127.0.0.1.
          REMOTE_STRATEGY_ALLOW_PRIVATE: "true",
        },
      },
    })),
  ],
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    name: "workers",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    // The first request into the Worker in a file transforms the module graph: seconds, not millis.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
