import type { Database } from "@quantago/db";
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";

export interface LimitRule {
  /** Attempts allowed within one window; the next one is refused until the window ends. */
  max: number;
  windowSeconds: number;
}

/**
 * - Sign-in, per account (email): 5 failed attempts per 15 minutes. Guessing one user's password is the
 *   attack; a success clears the count. (Anyone can lock an account for at most 15 minutes this way,
 *   the usual price of per-account limits.)
 * - Sign-in, per IP: 20 failed attempts per 15 minutes, against one client spraying many accounts; a
 *   success gives its attempt back.
 * - Sign-up, per IP: 10 attempts per hour, successful or not (mass account creation).
 * - Sign-up, per email: 5 attempts per 15 minutes (probing which emails are registered).
 * Counters are fixed windows starting at the first counted attempt, stored in Postgres.
 */
export const AUTH_RATE_LIMITS = {
  signInPerAccount: { max: 5, windowSeconds: 15 * 60 },
  signInPerIp: { max: 20, windowSeconds: 15 * 60 },
  signUpPerIp: { max: 10, windowSeconds: 60 * 60 },
  signUpPerAccount: { max: 5, windowSeconds: 15 * 60 },
} as const satisfies Record<string, LimitRule>;

interface Consumed {
  key: string;
  count: number;
  retryAfter: number;
  rule: LimitRule;
}

/**
 * Counts one attempt against `key` atomically (one upsert, so concurrent attempts in other isolates
 * cannot all slip through a stale read) and returns the count within the current window. Time comes
 * from the database clock, the only one every isolate shares.
 */
async function consume(db: Database, key: string, rule: LimitRule): Promise<Consumed> {
  const window = sql`make_interval(secs => ${rule.windowSeconds}::int)`;
  const result = await db.execute<{ count: number; retry_after: number }>(sql`
    insert into auth_rate_limit (key, count, window_start) values (${key}, 1, now())
    on conflict (key) do update set
      count = case when auth_rate_limit.window_start <= now() - ${window} then 1
                   else auth_rate_limit.count + 1 end,
      window_start = case when auth_rate_limit.window_start <= now() - ${window} then now()
                          else auth_rate_limit.window_start end
    returning count, ceil(extract(epoch from (window_start + ${window} - now())))::int as retry_after`);
  const row = result.rows[0];
  return {
    key,
    rule,
    count: Number(row?.count ?? 0),
    retryAfter: Math.max(1, Number(row?.retry_after ?? 1)),
  };
}

/**
 * Rows whose window ended long ago only take space (a reused key resets itself). About one request in
 * a hundred deletes them, which keeps the table small without a scheduled job.
 */
async function sweepSometimes(db: Database): Promise<void> {
  if (Math.random() >= 0.01) return;
  await db.execute(sql`delete from auth_rate_limit where window_start < now() - interval '1 day'`);
}

async function forget(db: Database, key: string): Promise<void> {
  await db.execute(sql`delete from auth_rate_limit where key = ${key}`);
}

async function giveBack(db: Database, key: string): Promise<void> {
  await db.execute(sql`update auth_rate_limit set count = greatest(count - 1, 0) where key = ${key}`);
}

/** Reads `email` from a JSON body without consuming the body Better Auth will read. */
async function emailOf(c: Context<AppEnv>): Promise<string | undefined> {
  try {
    const body: unknown = await c.req.raw.clone().json();
    if (body && typeof body === "object" && "email" in body && typeof body.email === "string") {
      const email = body.email.trim().toLowerCase();
      return email.length > 0 && email.length <= 320 ? email : undefined;
    }
  } catch {
    // Not JSON: Better Auth answers it with its own 400; only the IP counter applies.
  }
  return undefined;
}

/**
 * Cloudflare sets `cf-connecting-ip` on every request and overwrites a client's value. Requests
 * without it (local tools) share one bucket.
 */
function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip")?.trim() || "unknown";
}

/**
 * Rate limit for Better Auth's `POST /sign-in/email` and `POST /sign-up/email`: a refused attempt gets
 * our 429 envelope (`RATE_LIMITED`) with `Retry-After` in seconds, before Better Auth runs.
 */
export function authRateLimit(kind: "sign-in" | "sign-up") {
  return createMiddleware<AppEnv>(async (c, next) => {
    const db = c.get("services").db;
    const email = await emailOf(c);
    const ip = clientIp(c);
    const limits =
      kind === "sign-in"
        ? { ip: AUTH_RATE_LIMITS.signInPerIp, account: AUTH_RATE_LIMITS.signInPerAccount }
        : { ip: AUTH_RATE_LIMITS.signUpPerIp, account: AUTH_RATE_LIMITS.signUpPerAccount };
    const ipKey = `${kind}:ip:${ip}`;
    const accountKey = email ? `${kind}:email:${email}` : undefined;
    // One after the other, on the request's one connection: side by side, the second statement would
    // make the request's pool open another connection, which costs more than the statement.
    const consumed = [await consume(db, ipKey, limits.ip)];
    if (accountKey) consumed.push(await consume(db, accountKey, limits.account));
    await sweepSometimes(db);
    const over = consumed.filter((entry) => entry.count > entry.rule.max);
    if (over.length > 0) {
      const retryAfter = Math.max(...over.map((entry) => entry.retryAfter));
      throw new AppError("RATE_LIMITED", `Too many attempts. Try again in ${retryAfter} seconds.`, {
        headers: { "Retry-After": String(retryAfter) },
      });
    }
    await next();
    if (kind === "sign-in" && c.res.ok) {
      // Only failures count against sign-in: a success clears the account and returns the IP's attempt.
      await giveBack(db, ipKey);
      if (accountKey) await forget(db, accountKey);
    }
  });
}
