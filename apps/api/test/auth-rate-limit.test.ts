import { describe, expect, it } from "vitest";
import { AUTH_RATE_LIMITS } from "../src/middleware/auth-rate-limit.ts";
import { newUser, signIn, signUp, uniqueEmail, uniqueIp } from "./auth-helpers.ts";
import { expectError } from "./helpers.ts";

async function expectRateLimited(res: Response, windowSeconds: number) {
  await expectError(res, 429, "RATE_LIMITED");
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe("rate limit on sign-in and sign-up (counters in Postgres)", () => {
  it("locks an account after 5 failed sign-ins, from any IP, even for the right password", async () => {
    const alice = await newUser();
    const { max, windowSeconds } = AUTH_RATE_LIMITS.signInPerAccount;
    for (let i = 0; i < max; i++) expect((await signIn(alice.email, "wrong-password")).status).toBe(401);
    await expectRateLimited(await signIn(alice.email, "wrong-password"), windowSeconds);
    await expectRateLimited(await signIn(alice.email.toUpperCase(), alice.password), windowSeconds);
    // Other accounts are unaffected.
    const bob = await newUser();
    expect((await signIn(bob.email, bob.password)).status).toBe(200);
  });

  it("forgets an account's failures after a successful sign-in", async () => {
    const alice = await newUser();
    const { max } = AUTH_RATE_LIMITS.signInPerAccount;
    for (let i = 0; i < max - 1; i++) expect((await signIn(alice.email, "wrong-password")).status).toBe(401);
    expect((await signIn(alice.email, alice.password)).status).toBe(200);
    for (let i = 0; i < max - 1; i++) expect((await signIn(alice.email, "wrong-password")).status).toBe(401);
    expect((await signIn(alice.email, alice.password)).status).toBe(200);
  });

  it("blocks an IP after 20 failed sign-ins across any accounts, and only that IP", async () => {
    const ip = uniqueIp();
    const { max, windowSeconds } = AUTH_RATE_LIMITS.signInPerIp;
    for (let i = 0; i < max; i++) {
      expect((await signIn(uniqueEmail("spray"), "wrong-password", ip)).status).toBe(401);
    }
    await expectRateLimited(await signIn(uniqueEmail("spray"), "wrong-password", ip), windowSeconds);
    expect((await signIn(uniqueEmail("spray"), "wrong-password", uniqueIp())).status).toBe(401);
  });

  it("limits sign-ups per IP to 10 an hour", async () => {
    const ip = uniqueIp();
    const { max, windowSeconds } = AUTH_RATE_LIMITS.signUpPerIp;
    for (let i = 0; i < max; i++) {
      // Invalid (too short) passwords are cheap to refuse and count like any attempt.
      expect((await signUp({ ip, password: "short" })).res.status).toBe(400);
    }
    await expectRateLimited((await signUp({ ip })).res, windowSeconds);
    expect((await signUp()).res.status).toBe(200);
  });
});
