/** Live market-data providers (docs/compatibility.md#market-data `provider`; `clickhouse` is the store, not a provider). */
export type ProviderName = "yahoo" | "binance";

/**
 * What went wrong, in terms a route can map to a status: `rate_limited` → 429 (with `Retry-After`),
 * `not_found` → 404 or an empty 400 (unknown symbol), `bad_request` → 400 (a request the provider
 * cannot serve: range too old or too long, symbol not listed there), `upstream` → 502 (provider down,
 * network failure, timeout, response we cannot read).
 */
export type ProviderErrorKind = "rate_limited" | "not_found" | "bad_request" | "upstream";

const MAX_REASON_LENGTH = 160;

/**
 * A short, printable excerpt of an upstream reason: control characters removed, whitespace collapsed,
 * clipped. Upstream text is never passed on whole: it may be HTML, huge, or contain our own request
 * details (IP addresses in Binance's rate-limit messages).
 *
 * @example
 * safeReason("Invalid symbol.\n"); // "Invalid symbol."
 */
export function safeReason(text: unknown): string {
  if (typeof text !== "string") return "";
  const flat = text
    .replace(/\p{Cc}+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  const noIps = flat.replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, "<ip>");
  return noIps.length > MAX_REASON_LENGTH ? `${noIps.slice(0, MAX_REASON_LENGTH - 1)}…` : noIps;
}

/**
 * The one error type of the providers. `message` is safe to show to API clients.
 *
 * @example
 * try { await yahoo.fetchCandles(req) } catch (e) {
 *   if (e instanceof ProviderError && e.kind === "rate_limited") return tooMany(e.retryAfterSeconds);
 * }
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly provider: ProviderName;
  /** Seconds to wait before retrying, from the provider's `Retry-After` header, when it sent one. */
  readonly retryAfterSeconds: number | undefined;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    provider: ProviderName,
    kind: ProviderErrorKind,
    message: string,
    details: { retryAfterSeconds?: number | undefined; status?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.provider = provider;
    this.kind = kind;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.status = details.status;
  }
}

/**
 * Seconds in a `Retry-After` header: either delta-seconds or an HTTP date (relative to `nowMs`).
 * Undefined when absent or unreadable; never negative.
 *
 * @example
 * parseRetryAfter("120", 0); // 120
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z")); // 60
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}
