import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { assertRole, authenticate } from "./session.ts";

/**
 * - `public`: anyone.
 * - `session`: a signed-in user who is not banned.
 * - `admin`: a signed-in user whose role is `admin`.
 * - `ingestion`: an admin, or a caller presenting `x-ingestion-admin-secret` equal to
 *   `INGESTION_ADMIN_SECRET` (automation without a browser session; disabled while the secret is unset).
 */
export type Access = "public" | "session" | "admin" | "ingestion";

export interface AccessPolicy {
  /** A route method, or `*` for every method. */
  method: string;
  /**
   * The route pattern exactly as registered (`/api/admin/users/:id/role`), or a `/*` prefix that
   * decides for every route under it (only where `docs/compatibility.md#routes-and-access` gives a whole subtree one rule).
   */
  path: string;
  access: Access;
}

/**
 * The access decision of every route, in one table (`docs/compatibility.md#routes-and-access`). `createApp()` refuses to start
 * when a registered route has no entry here, and the access middleware refuses (500) any request whose
 * route has none, so a new route cannot go out unprotected by omission.
 */
export const ACCESS_POLICIES: readonly AccessPolicy[] = [
  { method: "*", path: "/api/auth/*", access: "public" },
  { method: "GET", path: "/api/health", access: "public" },
  { method: "GET", path: "/api/openapi.json", access: "public" },
  { method: "GET", path: "/api/docs", access: "public" },
  { method: "*", path: "/api/market-data/*", access: "public" },
  { method: "GET", path: "/api/session", access: "session" },
  { method: "GET", path: "/api/sessions", access: "session" },
  { method: "DELETE", path: "/api/sessions/:id", access: "session" },
  { method: "GET", path: "/api/strategies", access: "session" },
  { method: "POST", path: "/api/strategies", access: "session" },
  { method: "GET", path: "/api/strategies/:slug", access: "session" },
  { method: "GET", path: "/api/strategies/:slug/versions", access: "session" },
  { method: "POST", path: "/api/strategies/:slug/versions", access: "session" },
  { method: "GET", path: "/api/strategies/:slug/versions/:version/artifact", access: "session" },
  { method: "GET", path: "/api/backtests", access: "session" },
  { method: "POST", path: "/api/backtests", access: "session" },
  { method: "GET", path: "/api/backtests/:id", access: "session" },
  { method: "DELETE", path: "/api/backtests/:id", access: "session" },
  { method: "PATCH", path: "/api/backtests/:id", access: "session" },
  { method: "GET", path: "/api/backtests/:id/trades", access: "session" },
  { method: "GET", path: "/api/backtests/:id/equity", access: "session" },
  { method: "GET", path: "/api/backtests/:id/events", access: "session" },
  { method: "POST", path: "/api/backtests/:id/cancel", access: "session" },
  { method: "POST", path: "/api/backtests/:id/rerun", access: "session" },
  { method: "GET", path: "/api/research/sweeps", access: "session" },
  { method: "POST", path: "/api/research/sweeps", access: "session" },
  { method: "GET", path: "/api/research/sweeps/:id", access: "session" },
  { method: "DELETE", path: "/api/research/sweeps/:id", access: "session" },
  { method: "GET", path: "/api/research/sweeps/:id/results", access: "session" },
  { method: "GET", path: "/api/research/sweeps/:id/heatmap", access: "session" },
  { method: "GET", path: "/api/research/sweeps/:id/walk-forward", access: "session" },
  { method: "POST", path: "/api/research/sweeps/:id/results/:combination/backtest", access: "session" },
  { method: "GET", path: "/api/research/sweeps/:id/events", access: "session" },
  { method: "POST", path: "/api/research/sweeps/:id/cancel", access: "session" },
  { method: "GET", path: "/api/research/monte-carlo", access: "session" },
  { method: "POST", path: "/api/research/monte-carlo", access: "session" },
  { method: "GET", path: "/api/research/monte-carlo/:id", access: "session" },
  { method: "DELETE", path: "/api/research/monte-carlo/:id", access: "session" },
  { method: "GET", path: "/api/admin/users", access: "admin" },
  { method: "GET", path: "/api/admin/users/:id", access: "admin" },
  { method: "GET", path: "/api/admin/backtests/summary", access: "admin" },
  { method: "GET", path: "/api/admin/health", access: "admin" },
  { method: "POST", path: "/api/admin/users/:id/role", access: "admin" },
  { method: "POST", path: "/api/admin/users/:id/ban", access: "admin" },
  { method: "POST", path: "/api/admin/users/:id/unban", access: "admin" },
  { method: "POST", path: "/api/admin/users/:id/revoke-sessions", access: "admin" },
  { method: "*", path: "/api/admin/ingestion/*", access: "ingestion" },
];

const strictness: Record<Access, number> = { public: 0, session: 1, ingestion: 2, admin: 3 };

interface RouteLike {
  method: string;
  path: string;
}

/** `app.use()` middleware (method ALL on a wildcard) is not an endpoint and needs no decision. */
export function isMiddleware(route: RouteLike): boolean {
  return route.method === "ALL" && route.path.endsWith("*");
}

/** The policy deciding `route`: an exact pattern entry first, else the longest matching prefix entry. */
export function policyFor(route: RouteLike, policies: readonly AccessPolicy[] = ACCESS_POLICIES) {
  const methodMatches = (p: AccessPolicy) => p.method === "*" || p.method === route.method;
  const exact = policies.find((p) => methodMatches(p) && p.path === route.path);
  if (exact) return exact;
  return policies
    .filter((p) => methodMatches(p) && p.path.endsWith("/*") && route.path.startsWith(p.path.slice(0, -1)))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** Throws, naming them, when endpoints in `routes` (e.g. `app.routes`) have no access decision. */
export function assertAccessPolicies(
  routes: readonly RouteLike[],
  policies: readonly AccessPolicy[] = ACCESS_POLICIES,
): void {
  const missing = routes.filter((r) => !isMiddleware(r) && !policyFor(r, policies));
  if (missing.length > 0) {
    const names = [...new Set(missing.map((r) => `${r.method} ${r.path}`))].join(", ");
    throw new Error(
      `No access policy for ${names}: add an entry to ACCESS_POLICIES in middleware/access.ts.`,
    );
  }
}

const encoder = new TextEncoder();

/**
 * Constant-time comparison of secrets of any length: both sides are HMACed with a fresh random key, so
 * the compared values have equal length and an attacker learns nothing from where they first differ.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    "raw",
    crypto.getRandomValues(new Uint8Array(32)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const [a, b] = await Promise.all([
    crypto.subtle.sign("HMAC", key, encoder.encode(given)),
    crypto.subtle.sign("HMAC", key, encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

async function hasIngestionSecret(c: Context<AppEnv>): Promise<boolean> {
  const given = c.req.header("x-ingestion-admin-secret");
  if (!given) return false;
  const expected = c.get("services").config.INGESTION_ADMIN_SECRET;
  if (!expected) return false;
  return secretsEqual(given, expected);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookies may be `SameSite=None` (cross-site deployments), so a cross-site page could make a browser
 * send them with a form POST. Browsers always send `Origin` on such requests: a state change from an
 * origin other than the API's own and the two apps is refused. Better Auth checks its own routes.
 */
function assertTrustedOrigin(c: Context<AppEnv>): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (!origin) return;
  const config = c.get("services").config;
  const trusted = [config.FRONTEND_ORIGIN, config.ADMIN_ORIGIN, config.BETTER_AUTH_URL].map(
    (u) => new URL(u).origin,
  );
  if (!trusted.includes(origin)) throw new AppError("FORBIDDEN", "Cross-site request refused.");
}

/**
 * Enforces ACCESS_POLICIES for the route that matched this request. Runs after the services
 * middleware and before any route handler.
 */
export const accessControl = createMiddleware<AppEnv>(async (c, next) => {
  const endpoints = matchedRoutes(c)
    .slice(c.req.routeIndex + 1)
    .filter((r) => !isMiddleware(r));
  // Nothing matched: the 404 handler answers, and there is nothing to protect.
  if (endpoints.length === 0) return next();
  let access: Access = "public";
  for (const route of endpoints) {
    const policy = policyFor(route);
    if (!policy) {
      throw new AppError("INTERNAL", "Internal server error.", {
        cause: new Error(`no access policy for ${route.method} ${route.path}`),
      });
    }
    if (strictness[policy.access] > strictness[access]) access = policy.access;
  }
  if (access === "public") return next();
  assertTrustedOrigin(c);
  if (access === "ingestion" && (await hasIngestionSecret(c))) {
    c.set("principal", { kind: "ingestion-secret" });
    return next();
  }
  const signedIn = await authenticate(c);
  if (access === "admin" || access === "ingestion") assertRole(signedIn, "admin");
  return next();
});
