import type { ErrorEnvelope } from "@quantago/contracts";

/** Base URL of the API: `VITE_API_URL` at build time, or same origin (dev proxy, same-site deploys). */
export const apiBase: string =
  (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_API_URL ?? "";

/** An API error carrying the server's envelope, so screens can show its message and request id. */
export class ApiError extends Error {
  readonly status: number;
  readonly envelope: ErrorEnvelope | undefined;
  constructor(status: number, envelope: ErrorEnvelope | undefined) {
    super(envelope?.error.message ?? `Request failed with status ${status}`);
    this.status = status;
    this.envelope = envelope;
  }
}

/** The error of a non-2xx response: its body is the API's error envelope when it parses as one. */
export function toApiError(status: number, body: unknown): ApiError {
  return new ApiError(status, asErrorEnvelope(body));
}

/**
 * The error envelope of a failed response, checked by shape rather than with the zod schema so that
 * zod stays out of the apps' first-load bundle (the app shell has a 150 KB budget).
 */
export function asErrorEnvelope(body: unknown): ErrorEnvelope | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error as
    | Record<string, unknown>
    | undefined;
  if (!error || typeof error.code !== "string" || typeof error.message !== "string") return undefined;
  return body as ErrorEnvelope;
}
