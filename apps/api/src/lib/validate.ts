import { zValidator } from "@hono/zod-validator";
import { hasNul } from "@quantago/contracts";
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { AppError, toValidationIssues } from "./errors.ts";

const NUL_MESSAGE = "must not contain NUL characters (\\u0000)";

/**
 * The path of the first string (value or object key) holding a NUL character in `value`, or
 * `undefined`. PostgreSQL `text` and `jsonb` cannot store `\u0000`, so every input is checked whole
 * here, whatever its schema says, instead of field by field.
 */
export function findNul(
  value: unknown,
  path: Array<string | number> = [],
): Array<string | number> | undefined {
  if (typeof value === "string") return hasNul(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const at = findNul(item, [...path, i]);
      if (at) return at;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (hasNul(key)) return [...path, key];
      const at = findNul(item, [...path, key]);
      if (at) return at;
    }
  }
  return undefined;
}

/**
 * `application/json`, optionally with a UTF-8 charset: the only body a JSON route takes. Anything
 * else, a missing Content-Type included, is a 415 rather than the empty object Hono's validator
 * would otherwise validate in its place (a ban or an "every symbol" sync sent as `text/plain`).
 */
export function assertJsonContentType(c: Context): void {
  const header = c.req.header("content-type") ?? "";
  const [mediaType = "", ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  const charsetOk = params.every((p) => p === "" || /^charset="?utf-8"?$/.test(p));
  if (mediaType !== "application/json" || !charsetOk) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      "This route takes a JSON body: send it with Content-Type: application/json.",
    );
  }
}

/**
 * `zValidator` with the API's error envelope: every validation failure becomes a 400
 * `VALIDATION_FAILED` listing each issue with its path, whatever the target (json, query, param...).
 * Every target is refused whole when a string in it holds a NUL character; a `json` target also
 * requires a JSON Content-Type (415 otherwise).
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  const validator = zValidator(
    target,
    schema,
    (result) => {
      if (!result.success) {
        throw new AppError("VALIDATION_FAILED", `Invalid ${target}: see issues.`, {
          issues: toValidationIssues(result.error.issues),
        });
      }
    },
    {
      validationFunction: (s, value) => {
        const at = findNul(value);
        if (at) {
          throw new AppError("VALIDATION_FAILED", `Invalid ${target}: see issues.`, {
            issues: [{ path: at, message: NUL_MESSAGE, code: "custom" }],
          });
        }
        // The overloads cannot relate zod's result type to the generic schema; it is the same.
        return s.safeParseAsync(value) as never;
      },
    },
  );
  if (target !== "json") return validator;
  const jsonOnly: MiddlewareHandler = (c, next) => {
    assertJsonContentType(c);
    return validator(c, next);
  };
  return jsonOnly as typeof validator;
}
