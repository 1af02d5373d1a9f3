import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { ACCESS_POLICIES, type Access, assertAccessPolicies } from "../src/middleware/access.ts";
import { newUser, type TestUser, uniqueIp } from "./auth-helpers.ts";
import { api, expectError } from "./helpers.ts";
import { type Endpoint, registeredEndpoints } from "./routes.ts";

/** A concrete request for a route pattern: parameters and wildcards get placeholder values. */
function concrete(endpoint: Endpoint): { path: string; init: RequestInit } {
  const path = endpoint.path.replace(/:[A-Za-z_]+/g, "placeholder-id").replace(/\*$/, "probe");
  const method = endpoint.method === "ALL" ? "GET" : endpoint.method;
  const init: RequestInit = { method, headers: { "cf-connecting-ip": uniqueIp() } };
  if (!["GET", "HEAD", "DELETE"].includes(method)) {
    init.headers = { ...init.headers, "content-type": "application/json" };
    init.body = "{}";
  }
  return { path, init };
}

function withCookie(init: RequestInit, who: TestUser): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), cookie: who.cookie } };
}

/** The rule of `docs/compatibility.md#routes-and-access` that the table must follow, whatever its entries say. */
function minimumAccess(path: string): Access {
  if (path.startsWith("/api/admin/ingestion/")) return "ingestion";
  if (path.startsWith("/api/admin/") || path === "/api/admin") return "admin";
  if (path.startsWith("/api/auth/") || path === "/api/health" || path.startsWith("/api/market-data/")) {
    return "public";
  }
  // Ours: the API's description (OpenAPI document and its reference page).
  if (path === "/api/openapi.json" || path === "/api/docs") return "public";
  return "session";
}

describe("access control over every registered route", () => {
  const all = registeredEndpoints();

  it("finds the routes of the app (sanity check of the walk itself)", () => {
    const names = all.map((e) => `${e.method} ${e.path}`);
    expect(names).toContain("GET /api/session");
    expect(names).toContain("GET /api/admin/users");
    expect(names).toContain("GET /api/health");
    expect(names.some((n) => n.endsWith("/api/auth/*"))).toBe(true);
  });

  it("gives every route at least the access the spec demands", () => {
    const rank: Record<Access, number> = { public: 0, session: 1, ingestion: 2, admin: 3 };
    for (const e of all) {
      expect(rank[e.access], `${e.method} ${e.path}`).toBeGreaterThanOrEqual(rank[minimumAccess(e.path)]);
    }
    for (const policy of ACCESS_POLICIES) {
      expect(policy.path.startsWith("/api/"), policy.path).toBe(true);
    }
  });

  it("answers 401 without a session on every protected route, and never 401/403 on public ones", async () => {
    for (const e of all) {
      const { path, init } = concrete(e);
      const res = await api(path, init);
      if (e.access === "public") {
        expect([401, 403], `${e.method} ${e.path} → ${res.status}`).not.toContain(res.status);
      } else {
        await expectError(res, 401, "UNAUTHENTICATED");
      }
    }
  });

  it("answers 403 to a plain user on every admin route, and lets them through session routes", async () => {
    const user = await newUser();
    for (const e of all) {
      if (e.access === "public") continue;
      const { path, init } = concrete(e);
      const res = await api(path, withCookie(init, user));
      if (e.access === "admin" || e.access === "ingestion") {
        await expectError(res, 403, "FORBIDDEN");
      } else {
        expect([401, 403], `${e.method} ${e.path} → ${res.status}`).not.toContain(res.status);
      }
    }
  });

  it("refuses to build an app with a route that has no access decision", () => {
    const app = createApp();
    app.get("/api/forgotten", (c) => c.json({ secret: true }, 200));
    expect(() => assertAccessPolicies(app.routes)).toThrow(/GET \/api\/forgotten/);
    expect(() => assertAccessPolicies(createApp().routes)).not.toThrow();
  });

  it("fails closed at request time for a route added without a decision", async () => {
    const app = createApp();
    app.post("/api/forgotten", (c) => c.json({ secret: true }, 200));
    const { env } = await import("cloudflare:workers");
    const res = await app.request("/api/forgotten", { method: "POST" }, env);
    await expectError(res, 500, "INTERNAL");
  });

  it("still answers 404 for paths that match no route", async () => {
    await expectError(await api("/api/admin/nothing-here"), 404, "NOT_FOUND");
  });
});
