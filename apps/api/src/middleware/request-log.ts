import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

/**
 * One JSON line per request (Workers Logs index the fields): method, path, status, duration and the
 * request id that also appears in every error envelope, so a user's report can be traced.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  await next();
  console.log(
    JSON.stringify({
      msg: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    }),
  );
});
