import {
  getBuiltinStrategy,
  type ParameterSchema,
  ParameterValidationError,
  type ParameterValue,
  resolveParameters,
} from "@quantago/strategies";

/** What a form field holds: text for numbers (so "1e" can be shown as typed), booleans for checkboxes. */
export type RawValues = Record<string, string | boolean | undefined>;

export interface ParamCheck {
  /** Values to send (typed, defaults filled) when valid. */
  values?: Record<string, ParameterValue>;
  /** Per-field messages. */
  fieldErrors: Record<string, string>;
  /** A rule across fields that names none first (shown above the fields). */
  formError?: string;
}

/** Form text → the JSON value the API receives (numbers for numeric types, enum numbers as numbers). */
export function coerce(schema: ParameterSchema, raw: RawValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const v = raw[key];
    if (v === undefined || v === "") continue;
    if (prop.type === "boolean") out[key] = v === true || v === "true";
    else if (prop.type === "integer" || prop.type === "number") {
      const n = typeof v === "string" ? Number(v.trim()) : Number.NaN;
      out[key] = typeof v === "string" && v.trim() !== "" && Number.isFinite(n) ? n : v;
    } else out[key] = v;
  }
  return out;
}

/**
 * A message of a cross-field rule (`fast (30) must be less than slow (10)`) belongs to the parameter
 * it starts with; otherwise to the whole group.
 */
export function fieldOfMessage(schema: ParameterSchema, message: string): string | undefined {
  const text = message.replace(/^Invalid parameters for [^:]+:\s*(:\s*)?/, "");
  return Object.keys(schema.properties).find((k) => new RegExp(`^${k}\\b`).test(text));
}

/**
 * Client-side validation by the API's own rules: a built-in's `parseParameters` (schema plus its
 * cross-field checks), else the schema rules of `resolveParameters`, both from `@quantago/strategies`.
 */
export function checkParameters(strategy: string, schema: ParameterSchema, raw: RawValues): ParamCheck {
  const input = coerce(schema, raw);
  try {
    const builtin = getBuiltinStrategy(strategy);
    const values = builtin
      ? (builtin.parseParameters(input) as Record<string, ParameterValue>)
      : resolveParameters(schema, input, strategy);
    return { values, fieldErrors: {} };
  } catch (e) {
    if (!(e instanceof ParameterValidationError)) throw e;
    const fieldErrors: Record<string, string> = {};
    let formError: string | undefined;
    for (const issue of e.issues) {
      const key = issue.path || fieldOfMessage(schema, issue.message);
      if (key && schema.properties[key]) fieldErrors[key] ??= issue.message;
      else formError = formError ? `${formError}; ${issue.message}` : issue.message;
    }
    return { fieldErrors, ...(formError ? { formError } : {}) };
  }
}
