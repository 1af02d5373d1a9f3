import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { json, uniqueEmail, uniqueIp } from "./auth-helpers.ts";
import { defined } from "./helpers.ts";

/**
 * The three ways the API and the apps are laid out (docs/configuration.md#cookie-attributes-follow-from-the-urls):
 * each must let its own apps through CORS with credentials, refuse any other origin, and set a session
 * cookie the browser will send back from the apps.
 */
const MODES = [
  {
    mode: "one site, custom domains (the production default of wrangler.toml)",
    urls: {
      BETTER_AUTH_URL: "https://api.example.com",
      FRONTEND_ORIGIN: "https://app.example.com",
      ADMIN_ORIGIN: "https://admin.example.com",
    },
    cookie: { name: "__Secure-better-auth.session_token", sameSite: /SameSite=Lax/i, secure: true },
  },
  {
    mode: "different sites (workers.dev API, pages.dev apps)",
    urls: {
      BETTER_AUTH_URL: "https://quantago-api.someone.workers.dev",
      FRONTEND_ORIGIN: "https://quantago-web.pages.dev",
      ADMIN_ORIGIN: "https://quantago-admin.pages.dev",
    },
    cookie: { name: "__Secure-better-auth.session_token", sameSite: /SameSite=None/i, secure: true },
  },
  {
    mode: "local http on other ports (wrangler dev, vite preview)",
    urls: {
      BETTER_AUTH_URL: "http://127.0.0.1:9487",
      FRONTEND_ORIGIN: "http://127.0.0.1:5873",
      ADMIN_ORIGIN: "http://127.0.0.1:5874",
    },
    cookie: { name: "better-auth.session_token", sameSite: /SameSite=Lax/i, secure: false },
  },
] as const;

describe.each(MODES)("deployed as $mode", ({ urls, cookie }) => {
  const deployed = { ...env, ...urls };
  const app = createApp();

  it("answers the CORS preflight of both apps with credentials, and no other origin", async () => {
    for (const origin of [urls.FRONTEND_ORIGIN, urls.ADMIN_ORIGIN]) {
      const res = await app.request(
        "/api/backtests",
        {
          method: "OPTIONS",
          headers: {
            Origin: origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
          },
        },
        deployed,
      );
      expect(res.status).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
      expect(res.headers.get("Access-Control-Allow-Methods")).toContain("POST");
      expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("content-type");
    }
    const foreign = await app.request(
      "/api/backtests",
      {
        method: "OPTIONS",
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
      },
      deployed,
    );
    expect(foreign.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("sets a session cookie the apps' origin can send back", async () => {
    const res = await app.request(
      "/api/auth/sign-up/email",
      json(
        { email: uniqueEmail("mode"), password: "deploy-mode-password", name: "Mode" },
        { "cf-connecting-ip": uniqueIp(), origin: urls.FRONTEND_ORIGIN },
      ),
      deployed,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(urls.FRONTEND_ORIGIN);
    const setCookie = defined(
      res.headers.getSetCookie().find((c) => c.includes("session_token=")),
      "a session cookie",
    );
    expect(setCookie.startsWith(`${cookie.name}=`), setCookie).toBe(true);
    expect(setCookie).toMatch(cookie.sameSite);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(/;\s*Secure/i.test(setCookie)).toBe(cookie.secure);
  });
});
