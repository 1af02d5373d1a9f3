/**
 * Cookie attributes for the session cookie, derived from where the API and the two apps live.
 *
 * The rule: a browser only sends a `SameSite=Lax` cookie on a fetch when the page and the API are the
 * same *site* (scheme + registrable domain; ports and subdomains do not matter). So:
 * - the API, the web app and the admin app all on one site (e.g. `app.example.com`, `admin.example.com`,
 *   `api.example.com`, or `localhost` on different ports) → `SameSite=Lax`, `Secure` only over https.
 *   Lax keeps the cookie off cross-site subrequests, a cheap CSRF layer on top of the Origin checks.
 * - any of them on another site (e.g. `*.pages.dev` apps calling a `*.workers.dev` API) → the cookie
 *   must be `SameSite=None`, which browsers only accept with `Secure`. Browsers treat
 *   `http://localhost` as a secure context, so this also works for a cross-site localhost setup; plain
 *   http on any other host cannot carry a cross-site cookie at all (use https).
 *
 * The registrable domain is approximated without the full Public Suffix List: the last two labels,
 * or three when the last two are a suffix listed below (shared hosting domains where every
 * subdomain is its own site). Erring towards "cross-site" is safe (None+Secure also works same-site
 * over https); erring towards "same site" would break sign-in, hence the list.
 */
export interface CookiePolicy {
  sameSite: "lax" | "none";
  secure: boolean;
}

/** Multi-label public suffixes a deployment of this project plausibly uses. */
const MULTI_LABEL_SUFFIXES = new Set([
  "workers.dev",
  "pages.dev",
  "vercel.app",
  "netlify.app",
  "github.io",
  "fly.dev",
  "onrender.com",
  "herokuapp.com",
  "co.uk",
  "org.uk",
  "com.au",
  "co.jp",
  "com.br",
  "co.nz",
  "co.in",
]);

function isIpAddress(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[");
}

/** `scheme://registrable-domain` of a URL, an approximation of the browser's notion of a site. */
export function siteOf(url: string): string {
  const { protocol, hostname } = new URL(url);
  const host = hostname.toLowerCase();
  let site = host;
  if (!isIpAddress(host)) {
    const labels = host.split(".");
    const lastTwo = labels.slice(-2).join(".");
    site = MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join(".") : lastTwo;
  }
  return `${protocol}//${site}`;
}

/**
 * @example
 * cookiePolicy({ authUrl: "http://localhost:8787", frontendOrigin: "http://localhost:5173",
 *                adminOrigin: "http://localhost:5174" }) // { sameSite: "lax", secure: false }
 */
export function cookiePolicy(urls: {
  authUrl: string;
  frontendOrigin: string;
  adminOrigin: string;
}): CookiePolicy {
  const apiSite = siteOf(urls.authUrl);
  const sameSite = siteOf(urls.frontendOrigin) === apiSite && siteOf(urls.adminOrigin) === apiSite;
  if (sameSite) return { sameSite: "lax", secure: new URL(urls.authUrl).protocol === "https:" };
  return { sameSite: "none", secure: true };
}
