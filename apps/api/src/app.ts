import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env.ts";
import { AppError } from "./lib/errors.ts";
import { corsAllowList } from "./middleware/cors.ts";
import { requestLog } from "./middleware/request-log.ts";
import { services } from "./middleware/services.ts";
import { healthRoutes } from "./routes/health/health.routes.ts";

/** Default ceiling for request bodies; routes that take uploads raise it for themselves. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
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
 * the body limit, and the lazily created per-request services.
 */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", requestLog);
  app.use("/api/*", corsAllowList);
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_JSON_BODY_BYTES,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${MAX_JSON_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.use("/api/*", services);

  const routes = app.route("/api/health", healthRoutes);

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
