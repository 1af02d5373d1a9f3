import { zValidator } from "@hono/zod-validator";
import { hasNul } from "@quantago/contracts";
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { AppError, toValidationIssues } from "./errors.ts";

const NUL_MESSAGE = "must not contain NUL characters (\\u0000)";

/** Deeper JSON than any request schema takes; refused before anything walks it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `value` cannot be stored or walked: the path of the first string (value or object key) holding
 * a NUL character, which PostgreSQL `text` and `jsonb` cannot store, or of the first node nested deeper
 * than {@link MAX_JSON_DEPTH}. Every input is checked whole here, whatever its schema says, instead of
 * field by field. Iterative, so no nesting can overflow the stack.
 */
export function findUnstorable(
  value: unknown,
): { path: Array<string | number>; message: string } | undefined {
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: value, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: Array<string | number> };
    if (path.length > MAX_JSON_DEPTH)
      return { path: path.slice(0, 8), message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (typeof node === "string") {
      if (hasNul(node)) return { path, message: NUL_MESSAGE };
    } else if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) stack.push({ node: item, path: [...path, i] });
    } else if (node !== null && typeof node === "object") {
      for (const [key, item] of Object.entries(node)) {
        if (hasNul(key)) return { path: [...path, key], message: NUL_MESSAGE };
        stack.push({ node: item, path: [...path, key] });
      }
    }
  }
  return undefined;
}

/** Throws the 400 for {@link findUnstorable}'s finding in `what` (e.g. `json`). */
export function assertStorable(value: unknown, what: string): void {
  const found = findUnstorable(value);
  if (found) {
    throw new AppError("VALIDATION_FAILED", `Invalid ${what}: see issues.`, {
      issues: [{ path: found.path, message: found.message, code: "custom" }],
    });
  }
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

/** What a `validate()` middleware checks: read by the OpenAPI generator (apps/api/src/openapi). */
export interface ValidatedInput {
  target: keyof ValidationTargets;
  schema: ZodType;
}

/**
 * Each `validate()` middleware's target and schema, keyed by the middleware itself, so the OpenAPI
 * document describes exactly the schemas the routes enforce (no second copy to drift).
 */
const validatedInputs = new WeakMap<object, ValidatedInput>();

/** The input a route handler validates, when it is a `validate()` middleware. */
export function validatedInputOf(handler: object): ValidatedInput | undefined {
  return validatedInputs.get(handler);
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
        assertStorable(value, target);
        // The overloads cannot relate zod's result type to the generic schema; it is the same.
        return s.safeParseAsync(value) as never;
      },
    },
  );
  if (target !== "json") {
    validatedInputs.set(validator, { target, schema });
    return validator;
  }
  const jsonOnly: MiddlewareHandler = (c, next) => {
    assertJsonContentType(c);
    return validator(c, next);
  };
  validatedInputs.set(jsonOnly, { target, schema });
  return jsonOnly as typeof validator;
}
