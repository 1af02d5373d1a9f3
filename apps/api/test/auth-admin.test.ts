import { env } from "cloudflare:workers";
import { adminUsersResponseSchema } from "@quantago/contracts";
import { user } from "@quantago/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { as, json, newAdmin, newUser, signIn } from "./auth-helpers.ts";
import { api, expectError, testDb } from "./helpers.ts";

const origin = { origin: env.ADMIN_ORIGIN };

describe("roles", () => {
  it("a role change takes effect on the user's next request", async () => {
    const admin = await newAdmin();
    const carol = await newUser();
    await expectError(await as(carol, "/api/admin/users"), 403, "FORBIDDEN");

    const promoted = await as(admin, `/api/admin/users/${carol.id}/role`, json({ role: "admin" }, origin));
    expect(promoted.status).toBe(200);
    expect(((await promoted.json()) as { user: { role: string } }).user.role).toBe("admin");
    expect((await as(carol, "/api/admin/users")).status).toBe(200);
    expect(((await (await as(carol, "/api/session")).json()) as { user: { role: string } }).user.role).toBe(
      "admin",
    );

    const demoted = await as(admin, `/api/admin/users/${carol.id}/role`, json({ role: "user" }, origin));
    expect(demoted.status).toBe(200);
    await expectError(await as(carol, "/api/admin/users"), 403, "FORBIDDEN");
  });

  it("refuses unknown roles, unknown users, and an admin demoting themselves (409)", async () => {
    const admin = await newAdmin();
    await expectError(
      await as(admin, `/api/admin/users/${admin.id}/role`, json({ role: "owner" }, origin)),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await as(admin, "/api/admin/users/usr_nope/role", json({ role: "admin" }, origin)),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await as(admin, `/api/admin/users/${admin.id}/role`, json({ role: "user" }, origin)),
      409,
      "CONFLICT",
    );
    expect((await as(admin, "/api/admin/users")).status).toBe(200);
  });

  it("refuses a state change from an untrusted Origin even with an admin cookie", async () => {
    const admin = await newAdmin();
    const victim = await newUser();
    const res = await as(
      admin,
      `/api/admin/users/${victim.id}/role`,
      json({ role: "admin" }, { origin: "https://evil.example" }),
    );
    await expectError(res, 403, "FORBIDDEN");
  });
});

describe("bans", () => {
  it("a banned user's next request is a 403 naming the ban, sign-in is refused, and unban restores the same session", async () => {
    const admin = await newAdmin();
    const dave = await newUser();
    expect((await as(dave, "/api/strategies")).status).toBe(200);
    const banned = await as(
      admin,
      `/api/admin/users/${dave.id}/ban`,
      json({ reason: "spam", expiresInSeconds: 3600 }, origin),
    );
    expect(banned.status).toBe(200);
    const body = (await banned.json()) as {
      user: { banned: boolean; banReason: string; banExpires: string };
    };
    expect(body.user).toMatchObject({ banned: true, banReason: "spam" });
    expect(new Date(body.user.banExpires).getTime()).toBeGreaterThan(Date.now());

    for (const path of ["/api/strategies", "/api/session", "/api/backtests"]) {
      const error = await expectError(await as(dave, path), 403, "FORBIDDEN");
      expect(error.message).toBe(
        `This account is banned. Reason: spam. The ban ends at ${body.user.banExpires}.`,
      );
    }
    const refused = await signIn(dave.email, dave.password);
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);

    const unbanned = await as(admin, `/api/admin/users/${dave.id}/unban`, json({}, origin));
    expect(unbanned.status).toBe(200);
    expect(((await unbanned.json()) as { user: unknown }).user).toMatchObject({
      banned: false,
      banReason: null,
      banExpires: null,
    });
    expect((await as(dave, "/api/strategies")).status).toBe(200);
    expect((await signIn(dave.email, dave.password)).status).toBe(200);
  });

  it("a ban without reason or expiry says only that the account is banned; unknown users are 404", async () => {
    const admin = await newAdmin();
    const gina = await newUser();
    expect((await as(admin, `/api/admin/users/${gina.id}/ban`, json({}, origin))).status).toBe(200);
    const error = await expectError(await as(gina, "/api/session"), 403, "FORBIDDEN");
    expect(error.message).toBe("This account is banned.");
    await expectError(await as(admin, "/api/admin/users/usr_nope/ban", json({}, origin)), 404, "NOT_FOUND");
    await expectError(await as(admin, "/api/admin/users/usr_nope/unban", json({}, origin)), 404, "NOT_FOUND");
  });

  it("refuses a session of a user banned by any other path (403), and honours an expired ban", async () => {
    const frank = await newUser();
    const { db, close } = testDb();
    try {
      await db.update(user).set({ banned: true }).where(eq(user.id, frank.id));
      await expectError(await as(frank, "/api/session"), 403, "FORBIDDEN");
      await db
        .update(user)
        .set({ banExpires: new Date(Date.now() - 1000) })
        .where(eq(user.id, frank.id));
      expect((await as(frank, "/api/session")).status).toBe(200);
    } finally {
      await close();
    }
  });

  it("an admin cannot ban themselves (409)", async () => {
    const admin = await newAdmin();
    await expectError(await as(admin, `/api/admin/users/${admin.id}/ban`, json({}, origin)), 409, "CONFLICT");
  });

  it("revoke-sessions signs a user out everywhere", async () => {
    const admin = await newAdmin();
    const erin = await newUser();
    expect((await signIn(erin.email, erin.password)).status).toBe(200);
    const res = await as(admin, `/api/admin/users/${erin.id}/revoke-sessions`, json({}, origin));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    await expectError(await as(erin, "/api/session"), 401, "UNAUTHENTICATED");
  });
});

describe("GET /api/admin/users", () => {
  it("searches email and name, pages with limit/offset and reports the total", async () => {
    const admin = await newAdmin();
    const tag = `zz${crypto.randomUUID().slice(0, 8)}`;
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await newUser({ name: `${tag} member ${i}` }));
    const byEmail = await newUser({ email: `${tag}-mail@test.quantago.local`, name: "Someone" });

    const all = adminUsersResponseSchema.parse(
      await (await as(admin, `/api/admin/users?search=${tag}`)).json(),
    );
    expect(all.total).toBe(4);
    expect(all.limit).toBe(20);
    expect(all.offset).toBe(0);
    expect(all.items.map((u) => u.id).sort()).toEqual([...created.map((u) => u.id), byEmail.id].sort());

    const upper = adminUsersResponseSchema.parse(
      await (await as(admin, `/api/admin/users?search=${tag.toUpperCase()}%20MEMBER`)).json(),
    );
    expect(upper.total).toBe(3);

    const first = adminUsersResponseSchema.parse(
      await (await as(admin, `/api/admin/users?search=${tag}&limit=3&offset=0`)).json(),
    );
    const second = adminUsersResponseSchema.parse(
      await (await as(admin, `/api/admin/users?search=${tag}&limit=3&offset=3`)).json(),
    );
    expect(first.items.length).toBe(3);
    expect(second.items.length).toBe(1);
    expect(second.total).toBe(4);
    const ids = [...first.items, ...second.items].map((u) => u.id);
    expect(new Set(ids).size).toBe(4);

    // Wildcards in the search are literal.
    const literal = adminUsersResponseSchema.parse(
      await (await as(admin, `/api/admin/users?search=${tag}%25`)).json(),
    );
    expect(literal.total).toBe(0);
  });

  it("validates limit and offset", async () => {
    const admin = await newAdmin();
    for (const query of ["limit=0", "limit=101", "offset=-1", "limit=abc"]) {
      await expectError(await as(admin, `/api/admin/users?${query}`), 400, "VALIDATION_FAILED");
    }
    const max = adminUsersResponseSchema.parse(await (await as(admin, "/api/admin/users?limit=100")).json());
    expect(max.limit).toBe(100);
  });
});

describe("ingestion routes accept the ingestion secret as well as an admin session", () => {
  // No ingestion route exists yet; one registered under the policy's prefix stands in for them.
  function appWithIngestionRoute() {
    const app = createApp();
    app.get("/api/admin/ingestion/ping", (c) => c.json({ principal: c.get("principal")?.kind ?? null }, 200));
    return app;
  }

  it("allows the right secret and an admin, refuses a wrong secret, a plain user and nobody", async () => {
    const app = appWithIngestionRoute();
    const secret = env.INGESTION_ADMIN_SECRET ?? "";
    const call = (headers: Record<string, string>) =>
      app.request("/api/admin/ingestion/ping", { headers }, env);

    const withSecret = await call({ "x-ingestion-admin-secret": secret });
    expect(withSecret.status).toBe(200);
    expect(await withSecret.json()).toEqual({ principal: "ingestion-secret" });
    await expectError(await call({ "x-ingestion-admin-secret": `${secret}x` }), 401, "UNAUTHENTICATED");
    await expectError(
      await call({ "x-ingestion-admin-secret": secret.slice(0, -1) }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(await call({}), 401, "UNAUTHENTICATED");

    const user = await newUser();
    await expectError(await call({ cookie: user.cookie }), 403, "FORBIDDEN");
    const admin = await newAdmin();
    expect((await call({ cookie: admin.cookie })).status).toBe(200);
  });

  it("ignores the header while INGESTION_ADMIN_SECRET is unset", async () => {
    const { INGESTION_ADMIN_SECRET: secret = "", ...withoutSecret } = env;
    const res = await appWithIngestionRoute().request(
      "/api/admin/ingestion/ping",
      { headers: { "x-ingestion-admin-secret": secret } },
      withoutSecret,
    );
    await expectError(res, 401, "UNAUTHENTICATED");
  });

  it("does not let the secret open other admin routes", async () => {
    const res = await api("/api/admin/users", {
      headers: { "x-ingestion-admin-secret": env.INGESTION_ADMIN_SECRET ?? "" },
    });
    await expectError(res, 401, "UNAUTHENTICATED");
  });
});
