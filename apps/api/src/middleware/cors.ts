import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

/**
 * Credentialed CORS for exactly the two first-party origins (`FRONTEND_ORIGIN`, `ADMIN_ORIGIN`).
 * Any other origin gets no CORS headers, so browsers refuse to expose responses to it.
 */
export const corsAllowList = createMiddleware<AppEnv>((c, next) => {
  const allowed = new Set(
    [c.env.FRONTEND_ORIGIN, c.env.ADMIN_ORIGIN].filter(Boolean).map((o) => new URL(o).origin),
  );
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    credentials: true,
    allowHeaders: [
      "Content-Type",
      "Authorization",
      "X-Request-Id",
      "Last-Event-ID",
      "x-ingestion-admin-secret",
    ],
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    // The paging headers of the list routes (lib/paging.ts) are part of their answer.
    exposeHeaders: ["X-Request-Id", "Retry-After", "X-Total-Count", "Link"],
    maxAge: 600,
  })(c, next);
});
