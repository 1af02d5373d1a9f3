import type { Role } from "@quantago/auth";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, SessionRow, SessionUserRow } from "../env.ts";
import { AppError } from "../lib/errors.ts";

export interface SignedIn {
  user: SessionUserRow;
  session: SessionRow;
}

const loaded = new WeakMap<Context, Promise<SignedIn | null>>();

/**
 * The caller's Better Auth session, looked up once per request. Better Auth slides the session's expiry
 * (`updateAge`) during the lookup and answers with a refreshed cookie; that Set-Cookie is copied onto
 * our response, or the browser would drop the cookie at its original Max-Age while the session lives on.
 */
export function loadSession(c: Context<AppEnv>): Promise<SignedIn | null> {
  let pending = loaded.get(c);
  if (!pending) {
    pending = c
      .get("services")
      .auth.api.getSession({ headers: c.req.raw.headers, returnHeaders: true })
      .then(({ headers, response }) => {
        for (const cookie of headers.getSetCookie()) c.header("Set-Cookie", cookie, { append: true });
        return response ? { user: response.user, session: response.session } : null;
      });
    loaded.set(c, pending);
  }
  return pending;
}

/** Whether a ban is in force (the admin plugin lets bans expire; an expired one no longer counts). */
export function isBanned(user: SessionUserRow, now = new Date()): boolean {
  if (!user.banned) return false;
  return !user.banExpires || new Date(user.banExpires).getTime() > now.getTime();
}

/** What a banned user is told: that the account is banned, why, and until when, when the admin said. */
export function banMessage(user: SessionUserRow): string {
  const reason = user.banReason ? ` Reason: ${user.banReason}.` : "";
  const until = user.banExpires ? ` The ban ends at ${new Date(user.banExpires).toISOString()}.` : "";
  return `This account is banned.${reason}${until}`;
}

/** 401 without a valid session, 403 for a banned user; otherwise the signed-in caller. */
export async function authenticate(c: Context<AppEnv>): Promise<SignedIn> {
  const signedIn = await loadSession(c);
  if (!signedIn) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  // A ban keeps the user's sessions (ADR 6), so every request of a banned user arrives here.
  if (isBanned(signedIn.user)) throw new AppError("FORBIDDEN", banMessage(signedIn.user));
  c.set("principal", { kind: "user", user: signedIn.user, session: signedIn.session });
  return signedIn;
}

/** 403 unless the signed-in caller has `role`. */
export function assertRole(signedIn: SignedIn, role: Role): void {
  if (signedIn.user.role !== role) throw new AppError("FORBIDDEN", `This needs the ${role} role.`);
}

/** Refuses the request (401 envelope) unless it carries a valid session of a user who is not banned. */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  await authenticate(c);
  await next();
});

/** Refuses with 401 without a session and 403 when the user lacks `role`. */
export function requireRole(role: Role) {
  return createMiddleware<AppEnv>(async (c, next) => {
    assertRole(await authenticate(c), role);
    await next();
  });
}

/** The signed-in caller of a route behind `requireSession` (or the access policy's session check). */
export function currentUser(c: Context<AppEnv>): SignedIn {
  const principal = c.get("principal");
  if (!principal?.user || !principal.session) {
    // A handler that needs a user but whose policy did not demand one: a programming error, not a 401.
    throw new AppError("INTERNAL", "Internal server error.", {
      cause: new Error("route has no session policy"),
    });
  }
  return { user: principal.user, session: principal.session };
}
