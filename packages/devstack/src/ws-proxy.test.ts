import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "./ports.ts";
import { type RunningPostgres, startEmbeddedPostgres } from "./postgres.ts";
import { startWsProxy, type WsProxy } from "./ws-proxy.ts";

describe("embedded Postgres behind the WebSocket proxy", () => {
  let dataDir: string;
  let pg: RunningPostgres;
  let proxy: WsProxy;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "quantago-wsproxy-"));
    pg = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    proxy = await startWsProxy({ allow: [`127.0.0.1:${pg.port}`] });
    neonConfig.webSocketConstructor = WebSocket;
    neonConfig.wsProxy = (host, port) => `${proxy.address}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("carries queries from the Neon driver to the server", async () => {
    const pool = new Pool({ connectionString: pg.url });
    try {
      const { rows } = await pool.query("select $1::text || '!' as greeting, current_user as who", ["hi"]);
      expect(rows).toEqual([{ greeting: "hi!", who: "quantago" }]);
    } finally {
      await pool.end();
    }
  });

  it("refuses targets outside the allow-list", async () => {
    const other = await freePort();
    const socket = new WebSocket(`ws://${proxy.address}?address=127.0.0.1:${other}`);
    const outcome = await new Promise<string>((resolve) => {
      socket.on("open", () => resolve("open"));
      socket.on("unexpected-response", (_req, res) => resolve(`http ${res.statusCode}`));
      socket.on("error", (err) => resolve(`error ${err.message}`));
    });
    expect(outcome).toBe("http 403");
  });

  it("releases the server connection when the client ends", async () => {
    const countBackends = async () => {
      const pool = new Pool({ connectionString: pg.url });
      try {
        const { rows } = await pool.query(
          "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
        );
        return rows[0].n as number;
      } finally {
        await pool.end();
      }
    };
    const before = await countBackends();
    const pool = new Pool({ connectionString: pg.url, max: 3 });
    await Promise.all([1, 2, 3].map((n) => pool.query("select pg_sleep(0.05), $1::int", [n])));
    await pool.end();
    // Terminate ends the TCP side at once; give the server a moment to reap the backends.
    let after = await countBackends();
    for (let i = 0; i < 20 && after > before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await countBackends();
    }
    expect(after).toBe(before);
  });
});
