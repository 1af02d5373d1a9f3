import type { ErrorCode } from "@quantago/contracts";
import { isAPIError } from "better-auth/api";
import { AppError } from "../lib/errors.ts";

const codeByStatus: Record<number, ErrorCode> = {
  400: "VALIDATION_FAILED",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  422: "CONFLICT",
  429: "RATE_LIMITED",
};

/** Our code for a Better Auth error status: the mapped one, else a 400's or a 500's. */
export function codeForAuthStatus(status: number): ErrorCode {
  return codeByStatus[status] ?? (status >= 500 ? "INTERNAL" : "VALIDATION_FAILED");
}

/**
 * A Better Auth `APIError` thrown by `auth.api.*` inside one of our routes, as our envelope. Its 4xx
 * messages are written for end users ("User not found"), so they are kept; anything else is a 500.
 */
export function fromAuthError(err: unknown): AppError | undefined {
  if (!isAPIError(err)) return undefined;
  const code = codeByStatus[err.statusCode];
  if (!code) return new AppError("INTERNAL", "Internal server error.", { cause: err });
  return new AppError(code, err.body?.message ?? err.message, { cause: err });
}
