export {
  type Auth,
  type AuthConfig,
  type AuthDatabase,
  createAuth,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  ROLES,
  type Role,
  SESSION_EXPIRES_IN_SECONDS,
  SESSION_UPDATE_AGE_SECONDS,
} from "./auth.ts";
export { type CookiePolicy, cookiePolicy, siteOf } from "./cookies.ts";
