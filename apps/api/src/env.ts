import type { Auth } from "@quantago/auth";
import { z } from "zod";
import { BINDING_NAMES } from "./config-reference.ts";
import { AppError } from "./lib/errors.ts";
import type { Services } from "./services.ts";

/**
 * Secrets are not declared in wrangler.toml, so `wrangler types` cannot see them; they are typed here.
 * `DATABASE_WS_PROXY` (ours) is only set for a plain Postgres behind a WebSocket proxy (dev stack,
 * Docker Compose); production Neon needs none.
 */
export interface Secrets {
  DATABASE_URL?: string;
  DATABASE_WS_PROXY?: string;
  BETTER_AUTH_SECRET?: string;
  INGESTION_ADMIN_SECRET?: string;
  CLICKHOUSE_URL?: string;
  CLICKHOUSE_USERNAME?: string;
  CLICKHOUSE_PASSWORD?: string;
  /** Ours: origins replacing Yahoo's and Binance's public APIs (recorded-response tests, egress proxies). */
  YAHOO_BASE_URL?: string;
  BINANCE_BASE_URL?: string;
  /** Ours: "true" lets remote strategies live on loopback/private addresses (dev, tests). */
  REMOTE_STRATEGY_ALLOW_PRIVATE?: string;
  /** Ours: what `GET /api/admin/health` reports as the API's version and commit (set at deploy). */
  APP_VERSION?: string;
  GIT_COMMIT?: string;
}

export type Env = CloudflareBindings & Secrets;

declare global {
  namespace Cloudflare {
    // `env` from "cloudflare:workers" (tests, workflows) sees the secrets too.
    interface Env extends Secrets {}
    interface GlobalProps {
      mainModule: typeof import("./index.ts");
    }
  }
}

const url = z.url({ protocol: /^(https?|postgres(ql)?)$/ });

/**
 * What the Worker needs before it can serve anything beyond `/api/health`. Every key is a setting of
 * config-reference.ts (a unit test holds them equal), where the docs take their reference from.
 */
export const configSchema = z.object({
  DATABASE_URL: url,
  DATABASE_WS_PROXY: z.string().min(1).optional(),
  CLICKHOUSE_URL: url,
  CLICKHOUSE_USERNAME: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DB: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default("market_data"),
  // Signs session cookies: a short secret would make them forgeable.
  BETTER_AUTH_SECRET: z.string().min(32),
  BETTER_AUTH_URL: url,
  YAHOO_BASE_URL: url.optional(),
  BINANCE_BASE_URL: url.optional(),
  FRONTEND_ORIGIN: url,
  ADMIN_ORIGIN: url,
  INGESTION_ADMIN_SECRET: z.string().min(16).optional(),
  // Off unless explicitly "true": a remote endpoint on a private address is an SSRF vector.
  REMOTE_STRATEGY_ALLOW_PRIVATE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  APP_VERSION: z.string().min(1).max(64).default("dev"),
  GIT_COMMIT: z.string().min(1).max(64).optional(),
});
export type Config = z.infer<typeof configSchema>;

const checked = new WeakMap<object, Config | AppError>();

/**
 * Validates vars, secrets and bindings once per isolate. A missing or malformed one yields a 500 that
 * names it (names are not secret; values never appear), instead of a crash deep inside a handler.
 */
export function readConfig(env: Env): Config {
  let result = checked.get(env);
  if (!result) {
    const parsed = configSchema.safeParse(env);
    const missingBindings = BINDING_NAMES.filter(
      (name) => !(env as unknown as Record<string, unknown>)[name],
    );
    if (parsed.success && missingBindings.length === 0) {
      result = parsed.data;
    } else {
      const names = [
        ...new Set([...(parsed.error?.issues.map((i) => String(i.path[0])) ?? []), ...missingBindings]),
      ];
      result = new AppError(
        "INTERNAL",
        `The server is misconfigured: ${names.join(", ")} missing or invalid. An operator must set them.`,
      );
    }
    checked.set(env, result);
  }
  if (result instanceof AppError) throw result;
  return result;
}

/** Who is calling, once the access middleware has decided (unset on public routes without a session). */
export interface Principal {
  kind: "user" | "ingestion-secret";
  user?: SessionUserRow;
  session?: SessionRow;
}

type SessionResult = NonNullable<Awaited<ReturnType<Auth["api"]["getSession"]>>>;
export type SessionUserRow = SessionResult["user"];
export type SessionRow = SessionResult["session"];

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    services: Services;
    principal: Principal | undefined;
  };
}
