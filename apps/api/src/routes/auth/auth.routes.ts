import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { authRateLimit } from "../../middleware/auth-rate-limit.ts";

/**
 * Better Auth at `/api/auth/*` (sign-up, sign-in, sign-out, session, admin plugin endpoints). Its
 * responses keep Better Auth's own shape, except the 429 of our rate limiter, which uses our envelope.
 */
export const authRoutes = new Hono<AppEnv>()
  .post("/sign-in/email", authRateLimit("sign-in"), (c) => c.get("services").auth.handler(c.req.raw))
  .post("/sign-up/email", authRateLimit("sign-up"), (c) => c.get("services").auth.handler(c.req.raw))
  .on(["GET", "POST"], "/*", (c) => c.get("services").auth.handler(c.req.raw));
