import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { api, expectError } from "./helpers.ts";

describe("GET /api/health", () => {
  it("answers { ok: true } without touching any dependency", async () => {
    const res = await api("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("X-Request-Id")).toMatch(/\S+/);
  });

  it("checks configuration, PostgreSQL and ClickHouse with ?deep=1", async () => {
    const res = await api("/api/health?deep=1");
    const body = (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(res.status).toBe(200);
    expect(body.ok).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(["clickhouse", "config", "postgres"]);
    expect(Object.values(body.checks).every((check) => check.ok)).toBe(true);
  });

  it("rejects an unknown value of deep with the validation envelope", async () => {
    const body = await expectError(await api("/api/health?deep=maybe"), 400, "VALIDATION_FAILED");
    expect(body.error.issues?.[0]?.path).toEqual(["deep"]);
  });

  it("reports 503 and names the missing secret when the server is misconfigured", async () => {
    const { DATABASE_URL: _omit, ...incomplete } = env;
    const res = await createApp().request("/api/health?deep=1", {}, incomplete);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(body).toMatchObject({ ok: false, checks: { config: { ok: false } } });
  });

  it("reports an unreachable ClickHouse without leaking its address", async () => {
    const broken = { ...env, CLICKHOUSE_URL: "http://127.0.0.1:9" };
    const res = await createApp().request("/api/health?deep=1", {}, broken);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      checks: { clickhouse: { ok: false }, postgres: { ok: true } },
    });
    expect(text).not.toContain("127.0.0.1:9");
  });
});

describe("error envelope and middleware", () => {
  it("answers unknown /api routes with a 404 envelope", async () => {
    const body = await expectError(await api("/api/does-not-exist"), 404, "NOT_FOUND");
    expect(body.error.message).toContain("/api/does-not-exist");
  });

  it("keeps a well-formed incoming request id and echoes it", async () => {
    const res = await api("/api/nowhere", { headers: { "X-Request-Id": "trace-abc-123" } });
    const body = await expectError(res, 404, "NOT_FOUND");
    expect(body.error.requestId).toBe("trace-abc-123");
  });

  it("refuses oversized bodies with 413 before any handler runs", async () => {
    const res = await api("/api/health", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    await expectError(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("allows credentialed CORS for the two configured origins only", async () => {
    for (const origin of [env.FRONTEND_ORIGIN, env.ADMIN_ORIGIN]) {
      const res = await api("/api/health", {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
      });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    }
    const evil = await api("/api/health", { headers: { Origin: "https://evil.example" } });
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
