import { authSchema, prefixedId } from "@quantago/db";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin } from "better-auth/plugins";
import { cookiePolicy } from "./cookies.ts";

/** Password bounds: 8 is the NIST minimum; the ceiling stops hashing megabyte "passwords" (CPU DoS). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** Sessions last a week and slide: a request at least a day after the last refresh extends them. */
export const SESSION_EXPIRES_IN_SECONDS = 7 * 24 * 60 * 60;
export const SESSION_UPDATE_AGE_SECONDS = 24 * 60 * 60;

export const ROLES = ["user", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface AuthConfig {
  BETTER_AUTH_SECRET: string;
  BETTER_AUTH_URL: string;
  FRONTEND_ORIGIN: string;
  ADMIN_ORIGIN: string;
}

/**
 * Any drizzle PostgreSQL database holding the auth tables: the Worker passes its Neon-driver database,
 * the Node scripts (admin:create, dev seed) a node-postgres one.
 */
export type AuthDatabase = Parameters<typeof drizzleAdapter>[0];

/**
 * Better Auth for one request (Workers must not keep a database client across requests, so this is a
 * factory, never a module-level instance). Mounted at `/api/auth/*`: email + password only.
 *
 * Better Auth's built-in rate limiter is off: the API's (`apps/api/src/middleware/auth-rate-limit.ts`) stores its
 * counters in Postgres and limits per account as well as per IP, which the built-in one does not.
 *
 * @example
 * const auth = createAuth({ db, config });
 * const session = await auth.api.getSession({ headers: request.headers });
 */
export function createAuth({ db, config }: { db: AuthDatabase; config: AuthConfig }) {
  const cookies = cookiePolicy({
    authUrl: config.BETTER_AUTH_URL,
    frontendOrigin: config.FRONTEND_ORIGIN,
    adminOrigin: config.ADMIN_ORIGIN,
  });
  return betterAuth({
    appName: "Quantago",
    baseURL: config.BETTER_AUTH_URL,
    basePath: "/api/auth",
    secret: config.BETTER_AUTH_SECRET,
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    trustedOrigins: [config.FRONTEND_ORIGIN, config.ADMIN_ORIGIN],
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      autoSignIn: true,
    },
    session: {
      expiresIn: SESSION_EXPIRES_IN_SECONDS,
      updateAge: SESSION_UPDATE_AGE_SECONDS,
    },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: {
      // `__Secure-` cookie names go with the Secure attribute.
      useSecureCookies: cookies.secure,
      defaultCookieAttributes: { sameSite: cookies.sameSite, secure: cookies.secure, httpOnly: true },
      // Cloudflare sets this header and overwrites any client value; X-Forwarded-For is client-controlled.
      ipAddress: { ipAddressHeaders: ["cf-connecting-ip"] },
      database: { generateId: ({ model }) => prefixedId(model) },
    },
    plugins: [admin({ defaultRole: "user", adminRoles: ["admin"] })],
  });
}

export type Auth = ReturnType<typeof createAuth>;
