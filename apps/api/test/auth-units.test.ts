import { cookiePolicy, siteOf } from "@quantago/auth";
import { prefixedId } from "@quantago/db";
import { APIError } from "better-auth/api";
import { describe, expect, it } from "vitest";
import { fromAuthError } from "../src/auth/errors.ts";
import { secretsEqual } from "../src/middleware/access.ts";
import { isBanned } from "../src/middleware/session.ts";

const policy = (authUrl: string, frontendOrigin: string, adminOrigin: string) =>
  cookiePolicy({ authUrl, frontendOrigin, adminOrigin });

describe("cookie policy derived from BETTER_AUTH_URL, FRONTEND_ORIGIN, ADMIN_ORIGIN", () => {
  it("is Lax and not Secure for local development over http on localhost ports", () => {
    expect(policy("http://localhost:8787", "http://localhost:5173", "http://localhost:5174")).toEqual({
      sameSite: "lax",
      secure: false,
    });
  });

  it("is Lax and Secure when everything shares one registrable domain over https", () => {
    expect(policy("https://api.example.com", "https://app.example.com", "https://admin.example.com")).toEqual(
      {
        sameSite: "lax",
        secure: true,
      },
    );
    expect(policy("https://example.com/api", "https://example.com", "https://example.com")).toEqual({
      sameSite: "lax",
      secure: true,
    });
  });

  it("is None and Secure as soon as one app is on another site", () => {
    const crossSite = { sameSite: "none", secure: true };
    expect(policy("https://api.example.com", "https://app.example.com", "https://admin.other.com")).toEqual(
      crossSite,
    );
    expect(policy("https://q.acme.workers.dev", "https://q.pages.dev", "https://q-admin.pages.dev")).toEqual(
      crossSite,
    );
    // Subdomains of a public suffix are separate sites, even under one parent.
    expect(policy("https://api.workers.dev", "https://app.workers.dev", "https://api.workers.dev")).toEqual(
      crossSite,
    );
    // Scheme is part of the site: an https app calling an http API is cross-site.
    expect(policy("http://example.com", "https://example.com", "https://example.com")).toEqual(crossSite);
    // 127.0.0.1 and localhost are different sites; browsers accept Secure cookies on localhost.
    expect(policy("http://127.0.0.1:8787", "http://localhost:5173", "http://localhost:5174")).toEqual(
      crossSite,
    );
  });

  it("computes sites by scheme and registrable domain, ignoring ports and subdomains", () => {
    expect(siteOf("https://a.b.example.com:8443/x")).toBe("https://example.com");
    expect(siteOf("https://shop.example.co.uk")).toBe("https://example.co.uk");
    expect(siteOf("https://my-app.pages.dev")).toBe("https://my-app.pages.dev");
    expect(siteOf("http://localhost:5173")).toBe("http://localhost");
    expect(siteOf("http://127.0.0.1:8787")).toBe("http://127.0.0.1");
  });
});

describe("Better Auth errors in our envelope", () => {
  it("maps 4xx statuses to our codes and keeps their user-facing message", () => {
    const notFound = fromAuthError(APIError.fromStatus("NOT_FOUND", { message: "User not found" }));
    expect(notFound?.code).toBe("NOT_FOUND");
    expect(notFound?.message).toBe("User not found");
    expect(fromAuthError(APIError.fromStatus("BAD_REQUEST", { message: "x" }))?.code).toBe(
      "VALIDATION_FAILED",
    );
    expect(fromAuthError(APIError.fromStatus("FORBIDDEN"))?.code).toBe("FORBIDDEN");
    expect(fromAuthError(APIError.fromStatus("TOO_MANY_REQUESTS"))?.code).toBe("RATE_LIMITED");
  });

  it("hides the message of anything else behind INTERNAL, and ignores non-auth errors", () => {
    const internal = fromAuthError(
      APIError.fromStatus("INTERNAL_SERVER_ERROR", { message: "db password is x" }),
    );
    expect(internal?.code).toBe("INTERNAL");
    expect(internal?.message).not.toContain("password");
    expect(fromAuthError(new Error("plain"))).toBeUndefined();
  });
});

describe("small pieces", () => {
  it("compares secrets exactly, whatever their lengths", async () => {
    expect(await secretsEqual("same-secret-value", "same-secret-value")).toBe(true);
    expect(await secretsEqual("same-secret-valuE", "same-secret-value")).toBe(false);
    expect(await secretsEqual("same", "same-secret-value")).toBe(false);
    expect(await secretsEqual("", "same-secret-value")).toBe(false);
  });

  it("generates prefixed, unguessable ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => prefixedId("user")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^usr_[0-9A-Za-z]{24}$/);
    expect(prefixedId("session")).toMatch(/^ses_/);
  });

  it("treats a ban as over once its expiry has passed", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const base = { banned: true, banExpires: null } as unknown as Parameters<typeof isBanned>[0];
    expect(isBanned(base, now)).toBe(true);
    expect(isBanned({ ...base, banExpires: new Date("2026-01-02T00:00:00Z") }, now)).toBe(true);
    expect(isBanned({ ...base, banExpires: new Date("2025-12-31T00:00:00Z") }, now)).toBe(false);
    expect(isBanned({ ...base, banned: false }, now)).toBe(false);
  });
});
