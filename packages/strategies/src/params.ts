/**
 * Strategy parameter schemas in the published JSON-schema-like shape (docs/compatibility.md#strategy-catalog-and-registry) and their validation.
 *
 * @module
 */

/** Type of one strategy parameter. */
export type ParameterType = "integer" | "number" | "string" | "boolean";

/** Value of one strategy parameter. */
export type ParameterValue = number | string | boolean;

/** One property of a {@link ParameterSchema}. */
export interface ParameterProperty {
  readonly type: ParameterType;
  readonly title: string;
  readonly description: string;
  readonly default?: ParameterValue;
  readonly enum?: readonly (string | number)[];
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Parameter schema as published in the strategy catalog.
 *
 * @example
 * ```ts
 * const schema: ParameterSchema = {
 *   type: "object",
 *   properties: {
 *     fast: { type: "integer", title: "Fast window", description: "Bars in the fast SMA", default: 10, minimum: 1, maximum: 1000 },
 *   },
 *   required: ["fast"],
 * };
 * ```
 */
export interface ParameterSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, ParameterProperty>>;
  readonly required?: readonly string[];
}

/** One problem found while validating parameters. */
export interface ParameterIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown when strategy parameters do not satisfy the schema; lists every issue. */
export class ParameterValidationError extends Error {
  readonly issues: readonly ParameterIssue[];

  constructor(context: string, issues: readonly ParameterIssue[]) {
    super(`Invalid parameters for ${context}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "ParameterValidationError";
    this.issues = issues;
  }
}

function checkValue(key: string, prop: ParameterProperty, value: unknown, issues: ParameterIssue[]): boolean {
  switch (prop.type) {
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        issues.push({ path: key, message: `expected an integer, got ${JSON.stringify(value)}` });
        return false;
      }
      break;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        issues.push({ path: key, message: `expected a finite number, got ${JSON.stringify(value)}` });
        return false;
      }
      break;
    case "string":
      if (typeof value !== "string") {
        issues.push({ path: key, message: `expected a string, got ${JSON.stringify(value)}` });
        return false;
      }
      break;
    case "boolean":
      if (typeof value !== "boolean") {
        issues.push({ path: key, message: `expected a boolean, got ${JSON.stringify(value)}` });
        return false;
      }
      break;
  }
  if (prop.enum && !prop.enum.includes(value as string | number)) {
    issues.push({
      path: key,
      message: `must be one of ${prop.enum.map((v) => JSON.stringify(v)).join(", ")}`,
    });
    return false;
  }
  if (typeof value === "number") {
    if (prop.minimum !== undefined && value < prop.minimum) {
      issues.push({ path: key, message: `must be >= ${prop.minimum}, got ${value}` });
      return false;
    }
    if (prop.maximum !== undefined && value > prop.maximum) {
      issues.push({ path: key, message: `must be <= ${prop.maximum}, got ${value}` });
      return false;
    }
  }
  return true;
}

/**
 * Validates raw parameters against a schema and fills in defaults. Keys that are not in the schema
 * are ignored (the backtest `parameters` object also carries platform settings such as `timeframe`);
 * `undefined` and `null` mean "not given". Throws {@link ParameterValidationError} listing every issue.
 *
 * @example
 * ```ts
 * resolveParameters(schema, { fast: 5, timeframe: "1h" }, "sma-crossover"); // { fast: 5, slow: 30 }
 * ```
 */
export function resolveParameters(
  schema: ParameterSchema,
  raw: unknown,
  context = "strategy",
): Record<string, ParameterValue> {
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ParameterValidationError(context, [{ path: "", message: "parameters must be an object" }]);
  }
  const input = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, ParameterValue> = {};
  const issues: ParameterIssue[] = [];
  const required = schema.required ?? [];
  for (const [key, prop] of Object.entries(schema.properties)) {
    const value = Object.hasOwn(input, key) ? input[key] : undefined;
    if (value === undefined || value === null) {
      if (prop.default !== undefined) out[key] = prop.default;
      else if (required.includes(key)) issues.push({ path: key, message: "is required" });
      continue;
    }
    if (checkValue(key, prop, value, issues)) out[key] = value as ParameterValue;
  }
  if (issues.length > 0) throw new ParameterValidationError(context, issues);
  return out;
}
