import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { openServices } from "../services.ts";

/**
 * Gives each request its services (see `openServices`). Whatever the handler opened is closed after
 * the response, without delaying it.
 */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  const opened = openServices(c.env);
  c.set("services", opened.services);
  try {
    await next();
  } finally {
    const closing = opened.close();
    try {
      c.executionCtx.waitUntil(closing);
    } catch {
      // No execution context (e.g. app.request() in a unit test): close inline instead.
      await closing;
    }
  }
});
