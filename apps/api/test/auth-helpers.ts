import { user } from "@quantago/db";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { api, testDb } from "./helpers.ts";

/** Tests share one database: every user gets its own email. */
export function uniqueEmail(tag = "user"): string {
  return `${tag}-${crypto.randomUUID().slice(0, 12)}@test.quantago.local`;
}

/**
 * The rate limiter buckets by `cf-connecting-ip`; each test uses its own address so that tests running
 * side by side never share a bucket.
 */
export function uniqueIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** The `Cookie` header a browser would send back after `res` (expired/cleared cookies dropped). */
export function cookieFrom(res: Response, previous = ""): string {
  const jar = new Map<string, string>();
  for (const pair of previous.split("; ").filter(Boolean)) {
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  for (const header of res.headers.getSetCookie()) {
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const cleared = attributes.some((a) => /^max-age=0$/i.test(a)) || value === "";
    if (cleared) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  cookie: string;
  ip: string;
}

export async function signUp(
  options: { email?: string; password?: string; name?: string; ip?: string } = {},
) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? `pw-${crypto.randomUUID()}`;
  const ip = options.ip ?? uniqueIp();
  const res = await api(
    "/api/auth/sign-up/email",
    json({ email, password, name: options.name ?? email.split("@")[0] }, { "cf-connecting-ip": ip }),
  );
  return { res, email, password, ip };
}

/** Signs up a fresh user and returns its session cookie. */
export async function newUser(options: { name?: string; email?: string } = {}): Promise<TestUser> {
  const { res, email, password, ip } = await signUp(options);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { user: { id: string } };
  return { id: body.user.id, email, password, ip, cookie: cookieFrom(res) };
}

export function signIn(email: string, password: string, ip = uniqueIp()): Promise<Response> {
  return api("/api/auth/sign-in/email", json({ email, password }, { "cf-connecting-ip": ip }));
}

/** Makes a user an admin the way the first-admin command does: straight in the database. */
export async function promote(userId: string): Promise<void> {
  const { db, close } = testDb();
  try {
    await db.update(user).set({ role: "admin" }).where(eq(user.id, userId));
  } finally {
    await close();
  }
}

export async function newAdmin(): Promise<TestUser> {
  const admin = await newUser({ name: "Admin" });
  await promote(admin.id);
  return admin;
}

/** A request carrying a session cookie. */
export function as(who: { cookie: string }, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", who.cookie);
  return api(path, { ...init, headers });
}
