import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { AppError, toValidationIssues } from "./errors.ts";

/**
 * `zValidator` with the API's error envelope: every validation failure becomes a 400
 * `VALIDATION_FAILED` listing each issue with its path, whatever the target (json, query, param...).
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      throw new AppError("VALIDATION_FAILED", `Invalid ${target}: see issues.`, {
        issues: toValidationIssues(result.error.issues),
      });
    }
  });
}
