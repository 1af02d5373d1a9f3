import { MAX_STRATEGY_BODY_BYTES } from "@quantago/contracts";
import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { fromAuthError } from "./auth/errors.ts";
import type { AppEnv } from "./env.ts";
import { AppError } from "./lib/errors.ts";
import { accessControl, assertAccessPolicies } from "./middleware/access.ts";
import { corsAllowList } from "./middleware/cors.ts";
import { inputBoundary } from "./middleware/input-boundary.ts";
import { requestLog } from "./middleware/request-log.ts";
import { services } from "./middleware/services.ts";
import { adminBacktestsRoutes } from "./routes/admin/backtests.routes.ts";
import { adminHealthRoutes } from "./routes/admin/health.routes.ts";
import { adminUsersRoutes } from "./routes/admin/users.routes.ts";
import { authRoutes } from "./routes/auth/auth.routes.ts";
import { backtestsRoutes } from "./routes/backtests/backtests.routes.ts";
import { healthRoutes } from "./routes/health/health.routes.ts";
import { ingestionRoutes, UPLOAD_PATH } from "./routes/ingestion/ingestion.routes.ts";
import { marketDataRoutes } from "./routes/market-data/market-data.routes.ts";
import { openApiRoutes } from "./routes/openapi/openapi.routes.ts";
import { researchRoutes } from "./routes/research/research.routes.ts";
import { sessionRoutes, sessionsRoutes } from "./routes/session/session.routes.ts";
import { strategiesRoutes } from "./routes/strategies/strategies.routes.ts";

/** Default ceiling for request bodies; the routes in BODY_LIMITS raise it for themselves. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Routes that take uploads, with their own ceiling (checked before the body is read). */
const BODY_LIMITS: ReadonlyArray<{ method: string; path: RegExp; maxSize: number | null }> = [
  // A strategy version carries its artifact as base64 inside the JSON body.
  { method: "POST", path: /^\/api\/strategies(\/[^/]+\/versions)?\/?$/, maxSize: MAX_STRATEGY_BODY_BYTES },
  // The CSV upload streams its body and enforces its own, larger limit (routes/ingestion/upload.ts).
  { method: "POST", path: new RegExp(`^${UPLOAD_PATH}$`), maxSize: null },
];

function limitTo(maxSize: number | null): MiddlewareHandler<AppEnv> {
  if (maxSize === null) return (_c, next) => next();
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxSize} bytes.`);
    },
  });
}

const defaultBodyLimit = limitTo(MAX_JSON_BODY_BYTES);
const routeBodyLimits = BODY_LIMITS.map((rule) => ({ ...rule, limit: limitTo(rule.maxSize) }));

const bodyLimits = createMiddleware<AppEnv>((c, next) => {
  const rule = routeBodyLimits.find((r) => r.method === c.req.method && r.path.test(c.req.path));
  return (rule?.limit ?? defaultBodyLimit)(c, next);
});

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const authError = fromAuthError(err);
  if (authError) return authError;
  if (err instanceof HTTPException) {
    if (err.status === 413)
      return new AppError("PAYLOAD_TOO_LARGE", "Request body too large.", { cause: err });
    // Hono's own 400s (e.g. "Malformed JSON in request body") carry safe, useful messages.
    if (err.status === 400)
      return new AppError("VALIDATION_FAILED", err.message || "Malformed request.", { cause: err });
  }
  return new AppError("INTERNAL", "Internal server error.", { cause: err });
}

/**
 * Builds the API. Middleware order matters: the request id first (every log line and error carries
 * it), then logging, CORS before anything that can refuse a request (so browsers can read the refusal),
 * the body limit, the refusal of NUL characters in the URL (`middleware/input-boundary.ts`), the lazily created per-request services, then the access control that decides every
 * route from ACCESS_POLICIES (`middleware/access.ts`); a route without a decision stops createApp().
 */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", requestLog);
  app.use("/api/*", corsAllowList);
  app.use("/api/*", bodyLimits);
  app.use("/api/*", inputBoundary);
  app.use("/api/*", services);
  app.use("/api/*", accessControl);

  const routes = app
    .route("/api/auth", authRoutes)
    .route("/api/health", healthRoutes)
    .route(
      "/api",
      openApiRoutes(() => app.routes),
    )
    .route("/api/market-data", marketDataRoutes)
    .route("/api/strategies", strategiesRoutes)
    .route("/api/backtests", backtestsRoutes)
    .route("/api/research", researchRoutes)
    .route("/api/session", sessionRoutes)
    .route("/api/sessions", sessionsRoutes)
    .route("/api/admin/users", adminUsersRoutes)
    .route("/api/admin/backtests", adminBacktestsRoutes)
    .route("/api/admin/health", adminHealthRoutes)
    .route("/api/admin/ingestion", ingestionRoutes);
  assertAccessPolicies(app.routes);

  app.notFound((c) => {
    const err = new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`);
    return c.json(err.toEnvelope(c.get("requestId") ?? "unknown"), 404);
  });

  app.onError((error, c) => {
    const err = toAppError(error);
    if (err.code === "INTERNAL") {
      console.error(
        JSON.stringify({
          msg: "unhandled error",
          requestId: c.get("requestId"),
          error: String(err.cause ?? err),
          stack: err.cause instanceof Error ? err.cause.stack : err.stack,
        }),
      );
    }
    for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
    return c.json(err.toEnvelope(c.get("requestId") ?? "unknown"), err.status);
  });

  return routes;
}

export type AppType = ReturnType<typeof createApp>;
