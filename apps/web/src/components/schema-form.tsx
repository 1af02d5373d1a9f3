import type { ParameterProperty, ParameterSchema } from "@quantago/strategies";
import { useId } from "react";
import { aria, FieldNotes } from "./fields.tsx";
import type { RawValues } from "./param-rules.ts";

function rangeHint(p: ParameterProperty): string {
  const bits: string[] = [];
  if (p.minimum !== undefined && p.maximum !== undefined) bits.push(`${p.minimum} to ${p.maximum}`);
  else if (p.minimum !== undefined) bits.push(`at least ${p.minimum}`);
  else if (p.maximum !== undefined) bits.push(`at most ${p.maximum}`);
  if (p.type === "integer") bits.push("whole number");
  if (p.default !== undefined) bits.push(`default ${String(p.default)}`);
  return bits.join(" · ");
}

function Field({
  name,
  prop,
  required,
  value,
  error,
  onChange,
}: {
  name: string;
  prop: ParameterProperty;
  required: boolean;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange: (v: string | boolean | undefined) => void;
}) {
  const id = useId();
  const hint = [prop.description, rangeHint(prop)].filter(Boolean).join(" — ");
  const common = { id, name, ...aria(id, hint, error), "aria-required": required || undefined } as const;

  if (prop.type === "boolean") {
    return (
      <div className="q-field">
        <div className="q-check">
          <input
            {...common}
            type="checkbox"
            checked={value === true || (value === undefined && prop.default === true)}
            onChange={(e) => onChange(e.target.checked)}
          />
          <label htmlFor={id}>{prop.title || name}</label>
        </div>
        <FieldNotes id={id} hint={hint} error={error} />
      </div>
    );
  }

  const label = (
    <label htmlFor={id}>
      {prop.title || name}
      {required ? <span aria-hidden="true"> *</span> : null}{" "}
      <span className="q-muted q-small q-mono">{name}</span>
    </label>
  );
  let control: React.ReactNode;
  if (prop.enum) {
    control = (
      <select
        {...common}
        value={typeof value === "string" ? value : prop.default !== undefined ? String(prop.default) : ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
      >
        {prop.default === undefined ? <option value="">Choose…</option> : null}
        {prop.enum.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (prop.type === "integer" || prop.type === "number") {
    control = (
      <input
        {...common}
        type="text"
        inputMode={prop.type === "integer" ? "numeric" : "decimal"}
        className="q-mono"
        placeholder={prop.default !== undefined ? String(prop.default) : ""}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        placeholder={prop.default !== undefined ? String(prop.default) : ""}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="q-field">
      {label}
      {control}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/**
 * A form generated from a strategy's parameter schema (the subset the API accepts: integer, number,
 * string, boolean, enum, minimum/maximum, required). Numbers are typed as text so a half-typed value
 * stays on screen; `param-rules.ts` validates with the API's own rules.
 */
export function SchemaForm({
  schema,
  values,
  onChange,
  errors,
  formError,
  legend = "Strategy parameters",
}: {
  schema: ParameterSchema;
  values: RawValues;
  onChange: (next: RawValues) => void;
  errors: Record<string, string>;
  formError?: string | undefined;
  legend?: string;
}) {
  const entries = Object.entries(schema.properties);
  const required = new Set(schema.required ?? []);
  return (
    <fieldset>
      <legend>{legend}</legend>
      {formError ? (
        <div className="q-form-error" role="alert">
          {formError}
        </div>
      ) : null}
      {entries.length === 0 ? <p className="q-muted">This strategy has no parameters.</p> : null}
      <div className="q-field-row">
        {entries.map(([name, prop]) => (
          <Field
            key={name}
            name={name}
            prop={prop}
            required={required.has(name)}
            value={values[name]}
            error={errors[name]}
            onChange={(v) => onChange({ ...values, [name]: v })}
          />
        ))}
      </div>
    </fieldset>
  );
}
