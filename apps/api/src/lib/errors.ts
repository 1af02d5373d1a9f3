import { type ErrorCode, type ErrorEnvelope, errorStatus, type ValidationIssue } from "@quantago/contracts";

/**
 * The one error type handlers throw. `message` is shown to the caller, so it must never contain
 * internal details; put those in `cause`, which is only logged.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: ValidationIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: ValidationIssue[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.issues = options.issues;
    this.headers = options.headers;
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }

  toEnvelope(requestId: string): ErrorEnvelope {
    return {
      message: this.message,
      error: {
        code: this.code,
        message: this.message,
        requestId,
        ...(this.issues ? { issues: this.issues } : {}),
      },
    };
  }
}

/** Maps zod issues to the wire shape (paths only hold strings and numbers). */
export function toValidationIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string }>,
): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: issue.message,
    ...(issue.code ? { code: issue.code } : {}),
  }));
}
