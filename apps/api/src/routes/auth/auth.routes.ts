import { errorEnvelopeSchema } from "@quantago/contracts";
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { codeForAuthStatus } from "../../auth/errors.ts";
import type { AppEnv } from "../../env.ts";
import { assertStorable } from "../../lib/validate.ts";
import { authRateLimit } from "../../middleware/auth-rate-limit.ts";

/**
 * Better Auth has no validator of ours: a JSON body whose strings hold NUL characters (or that nests
 * absurdly deep) is refused here, before the rate limiter stores its email and before Better Auth
 * writes it to PostgreSQL. Malformed JSON is left to Better Auth, which answers it with a 400.
 */
const storableBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST" && /^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.raw.clone().text());
    } catch {
      body = undefined;
    }
    assertStorable(body, "json");
  }
  await next();
});

/**
 * Better Auth's error answers in our envelope as well as its own shape: its status is kept, its JSON
 * fields (`message`, `code`, which its client reads) stay at the top level, and `error` carries our
 * `{ code, message, requestId }`, whose message is also the top-level one. An error without a JSON body (its 404s) gets the envelope alone; a
 * 5xx never passes on Better Auth's message.
 */
async function inOurEnvelope(c: Context<AppEnv>, res: Response): Promise<Response> {
  if (res.status < 400) return res;
  let original: Record<string, unknown> = {};
  if (/json/i.test(res.headers.get("content-type") ?? "")) {
    const parsed: unknown = await res
      .clone()
      .json()
      .catch(() => undefined);
    if (errorEnvelopeSchema.safeParse(parsed).success) return res;
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      original = parsed as Record<string, unknown>;
    }
  }
  const code = codeForAuthStatus(res.status);
  let message = typeof original.message === "string" && original.message ? original.message : res.statusText;
  if (res.status >= 500) {
    console.error(JSON.stringify({ msg: "auth error", requestId: c.get("requestId"), status: res.status }));
    original = {};
    message = "Internal server error.";
  }
  const headers = new Headers(res.headers);
  headers.set("Content-Type", "application/json");
  headers.delete("Content-Length");
  const error = { code, message: message || "Request refused.", requestId: c.get("requestId") ?? "unknown" };
  // The top-level `message` is every error body's (published clients read it); it is Better Auth's own
  // message except for a 5xx, whose text never leaves the Worker.
  return new Response(JSON.stringify({ ...original, message: error.message, error }), {
    status: res.status,
    headers,
  });
}

const handle = async (c: Context<AppEnv>) =>
  inOurEnvelope(c, await c.get("services").auth.handler(c.req.raw));

/**
 * Better Auth at `/api/auth/*` (sign-up, sign-in, sign-out, session, admin plugin endpoints). Its
 * successful responses keep Better Auth's own shape; its errors also carry our envelope (above).
 */
export const authRoutes = new Hono<AppEnv>()
  .post("/sign-in/email", storableBody, authRateLimit("sign-in"), handle)
  .post("/sign-up/email", storableBody, authRateLimit("sign-up"), handle)
  .on(["GET", "POST"], "/*", storableBody, handle);
