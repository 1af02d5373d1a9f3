/**
 * Which remote-strategy endpoints the platform may call. A user-supplied URL that the Worker fetches
 * is a server-side request forgery vector: in production we refuse loopback, private, link-local
 * (cloud metadata), CGNAT and other non-public literal addresses and local host names. Development
 * and tests run their strategy servers on 127.0.0.1, so the refusal is switched off there
 * (`REMOTE_STRATEGY_ALLOW_PRIVATE=true`). Host names are not resolved here (Workers cannot resolve
 * DNS); on Cloudflare a public name pointing at a private address is not reachable anyway, and
 * redirects are never followed (see remote.ts), so a public URL cannot bounce to a private one.
 */

/** Why an endpoint is refused, or null when it may be called. */
export function endpointRefusal(endpoint: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.username || url.password) return "must not carry credentials in the URL (use headers)";
  if (allowPrivate) return null;
  // The WHATWG parser already normalised 0x7f.1, 2130706433, [::ffff:127.0.0.1] and friends.
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || /\.(localhost|local|internal|lan|home\.arpa)$/.test(host)) {
    return `points at a local host name (${host})`;
  }
  const v4 = parseIpv4(host);
  if (v4 && !isPublicIpv4(v4)) return `points at a non-public address (${host})`;
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1);
    if (!isPublicIpv6(v6)) return `points at a non-public address (${host})`;
  }
  return null;
}

function parseIpv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function isPublicIpv4([a = 0, b = 0]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127) return false; // "this", private, loopback
  if (a === 169 && b === 254) return false; // link-local, cloud metadata
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false; // CGNAT
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a >= 224) return false; // multicast, reserved, broadcast
  return true;
}

function isPublicIpv6(address: string): boolean {
  const a = address.toLowerCase();
  if (a === "::" || a === "::1") return false;
  // IPv4-mapped / translated forms carry an IPv4 address; judge that one.
  const mapped = /^::ffff:(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] ?? "0", 16);
    const lo = Number.parseInt(mapped[2] ?? "0", 16);
    return isPublicIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  if (a.startsWith("::ffff:")) return false;
  const first = Number.parseInt(a.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((first & 0xff00) === 0xff00) return false; // multicast
  return true;
}
