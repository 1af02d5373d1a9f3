import { env } from "cloudflare:workers";
import { session } from "@quantago/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { as, cookieFrom, json, newUser, signIn, signUp, uniqueEmail, uniqueIp } from "./auth-helpers.ts";
import { api, defined, expectError, testDb } from "./helpers.ts";

interface SessionBody {
  user: { id: string; email: string; role: string; banned: boolean };
  session: { id: string; userId: string };
}

describe("sign-up", () => {
  it("creates a user, sets an HttpOnly Lax session cookie and GET /api/session answers with that user", async () => {
    const { res, email } = await signUp();
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/better-auth\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    // Local dev over http: no Secure attribute, or the browser would refuse the cookie.
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    const me = await api("/api/session", { headers: { cookie: cookieFrom(res) } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as SessionBody;
    expect(body.user).toMatchObject({ email, role: "user", banned: false });
    expect(body.user.id).toMatch(/^usr_/);
    expect(body.session.id).toMatch(/^ses_/);
    expect(body.session.userId).toBe(body.user.id);
    expect(body.session).not.toHaveProperty("token");
  });

  it("refuses passwords shorter than 8 or longer than 128 characters", async () => {
    for (const password of ["short7!", "x".repeat(129)]) {
      const { res } = await signUp({ password });
      expect(res.status).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const { res } = await signUp({ password: "exactly8" });
    expect(res.status).toBe(200);
  });

  it("refuses a second account with the same email", async () => {
    const email = uniqueEmail();
    expect((await signUp({ email })).res.status).toBe(200);
    const again = await signUp({ email, password: "another-password" });
    expect(again.res.status).toBeGreaterThanOrEqual(400);
    expect(again.res.status).toBeLessThan(500);
  });
});

describe("sign-in and sign-out", () => {
  it("signs in with the right password and the new cookie is accepted", async () => {
    const alice = await newUser();
    const res = await signIn(alice.email, alice.password);
    expect(res.status).toBe(200);
    const me = await as({ cookie: cookieFrom(res) }, "/api/session");
    expect(me.status).toBe(200);
    expect(((await me.json()) as SessionBody).user.id).toBe(alice.id);
  });

  it("refuses a wrong password without setting a cookie", async () => {
    const alice = await newUser();
    const res = await signIn(alice.email, "wrong-password");
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
    const unknown = await signIn(uniqueEmail("nobody"), "whatever-password");
    expect(unknown.status).toBe(401);
  });

  it("sign-out invalidates the session server-side, not only the cookie", async () => {
    const alice = await newUser();
    // Better Auth refuses cookie-carrying POSTs from untrusted origins (CSRF); browsers send Origin.
    const forged = await as(alice, "/api/auth/sign-out", json({}, { origin: "https://evil.example" }));
    expect(forged.status).toBe(403);
    expect((await as(alice, "/api/session")).status).toBe(200);
    const out = await as(alice, "/api/auth/sign-out", json({}, { origin: env.FRONTEND_ORIGIN }));
    expect(out.status).toBe(200);
    // The browser would drop the cookie; a stolen copy of it must not work either.
    await expectError(await as(alice, "/api/session"), 401, "UNAUTHENTICATED");
  });
});

describe("session cookie", () => {
  it("answers GET /api/session without a cookie with the 401 envelope", async () => {
    await expectError(await api("/api/session"), 401, "UNAUTHENTICATED");
  });

  it("rejects forged and tampered cookies", async () => {
    const alice = await newUser();
    const [name = "", value = ""] = alice.cookie.split("=");
    const [token = "", signature = ""] = decodeURIComponent(value).split(".");
    const forgedToken = `${crypto.randomUUID().replaceAll("-", "")}.${signature}`;
    const forgedSignature = `${token}.${"A".repeat(signature.length - 1)}=`;
    for (const forged of [forgedToken, forgedSignature, token, "garbage"]) {
      const res = await as({ cookie: `${name}=${encodeURIComponent(forged)}` }, "/api/session");
      await expectError(res, 401, "UNAUTHENTICATED");
    }
    expect((await as(alice, "/api/session")).status).toBe(200);
  });

  it("rejects an expired session", async () => {
    const alice = await newUser();
    const { db, close } = testDb();
    try {
      await db
        .update(session)
        .set({ expiresAt: new Date(Date.now() - 60_000) })
        .where(eq(session.userId, alice.id));
    } finally {
      await close();
    }
    await expectError(await as(alice, "/api/session"), 401, "UNAUTHENTICATED");
  });

  it("slides: a session last refreshed over a day ago is extended to 7 days and its cookie renewed", async () => {
    const alice = await newUser();
    const { db, close } = testDb();
    try {
      // As if signed in two days ago: 5 days left.
      await db
        .update(session)
        .set({ expiresAt: new Date(Date.now() + 5 * 86_400_000) })
        .where(eq(session.userId, alice.id));
      const res = await as(alice, "/api/session");
      expect(res.status).toBe(200);
      const renewed = res.headers.getSetCookie().find((c) => c.includes("session_token"));
      expect(renewed).toMatch(/Max-Age=604800/i);
      const [row] = await db.select().from(session).where(eq(session.userId, alice.id));
      const days = (defined(row, "the session").expiresAt.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
    } finally {
      await close();
    }
  });

  it("lasts 7 days", async () => {
    const alice = await newUser();
    const me = (await (await as(alice, "/api/session")).json()) as { session: { expiresAt: string } };
    const days = (new Date(me.session.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
  });
});

describe("owner scoping: a user only ever sees and ends their own sessions", () => {
  it("lists only the caller's sessions and answers 404 for another user's session id", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const bobSession = ((await (await as(bob, "/api/session")).json()) as SessionBody).session.id;

    const list = (await (await as(alice, "/api/sessions")).json()) as {
      items: Array<{ id: string; userId: string; current: boolean }>;
    };
    expect(list.items.length).toBe(1);
    expect(list.items.every((s) => s.userId === alice.id)).toBe(true);
    expect(list.items.map((s) => s.id)).not.toContain(bobSession);
    expect(list.items[0]?.current).toBe(true);

    await expectError(await as(alice, `/api/sessions/${bobSession}`, { method: "DELETE" }), 404, "NOT_FOUND");
    await expectError(
      await as(alice, "/api/sessions/ses_does_not_exist", { method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    // Admin-only routes are no way around it either.
    await expectError(
      await as(alice, `/api/admin/users/${bob.id}/revoke-sessions`, json({})),
      403,
      "FORBIDDEN",
    );
    expect((await as(bob, "/api/session")).status).toBe(200);
  });

  it("ends the caller's own other session", async () => {
    const alice = await newUser();
    const laptop = { cookie: cookieFrom(await signIn(alice.email, alice.password)) };
    const laptopSession = ((await (await as(laptop, "/api/session")).json()) as SessionBody).session.id;
    const res = await as(alice, `/api/sessions/${laptopSession}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    await expectError(await as(laptop, "/api/session"), 401, "UNAUTHENTICATED");
    expect((await as(alice, "/api/session")).status).toBe(200);
  });
});

describe("cookies for a cross-site deployment", () => {
  it("are SameSite=None; Secure with the __Secure- prefix when the apps live on another site", async () => {
    const crossSite = {
      ...env,
      BETTER_AUTH_URL: "https://quantago-api.example.workers.dev",
      FRONTEND_ORIGIN: "https://quantago.pages.dev",
      ADMIN_ORIGIN: "https://quantago-admin.pages.dev",
    };
    const res = await createApp().request(
      "/api/auth/sign-up/email",
      json(
        { email: uniqueEmail(), password: "cross-site-password", name: "x" },
        { "cf-connecting-ip": uniqueIp(), origin: "https://quantago.pages.dev" },
      ),
      crossSite,
    );
    expect(res.status).toBe(200);
    const cookie = defined(
      res.headers.getSetCookie().find((c) => c.includes("session_token")),
      "a session cookie",
    );
    expect(cookie).toMatch(/^__Secure-better-auth\.session_token=/);
    expect(cookie).toMatch(/SameSite=None/i);
    expect(cookie).toMatch(/;\s*Secure/i);
  });
});
