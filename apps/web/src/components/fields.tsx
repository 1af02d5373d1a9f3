import { type ReactNode, useId } from "react";

interface Common {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

/** The one-line explanation and the error under a control, ids `<id>-hint` and `<id>-err`. */
export function FieldNotes({
  id,
  hint,
  error,
}: {
  id: string;
  hint?: ReactNode;
  error?: string | undefined;
}) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="q-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-err`} className="q-field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

function Wrap({ id, label, hint, error, children }: Common & { id: string; children: ReactNode }) {
  return (
    <div className="q-field">
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** `aria-describedby` / `aria-invalid` pointing at {@link FieldNotes}. */
export const aria = (id: string, hint: unknown, error: unknown) => ({
  "aria-describedby":
    [hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ") || undefined,
  "aria-invalid": error ? true : undefined,
});

/** A labelled text/number/date input with its one-line explanation and its error. */
export function InputField({
  label,
  hint,
  error,
  value,
  onChange,
  type = "text",
  placeholder,
  min,
  max,
  numeric,
}: Common & {
  value: string;
  onChange: (v: string) => void;
  type?: "text" | "date";
  placeholder?: string;
  min?: string;
  max?: string;
  numeric?: boolean;
}) {
  const id = useId();
  return (
    <Wrap id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        type={type}
        value={value}
        placeholder={placeholder}
        min={min}
        max={max}
        inputMode={numeric ? "decimal" : undefined}
        className={numeric ? "q-mono" : undefined}
        onChange={(e) => onChange(e.target.value)}
        {...aria(id, hint, error)}
      />
    </Wrap>
  );
}

/** A labelled select. */
export function SelectField<T extends string>({
  label,
  hint,
  error,
  value,
  onChange,
  options,
}: Common & { value: T; onChange: (v: T) => void; options: ReadonlyArray<{ value: T; label: string }> }) {
  const id = useId();
  return (
    <Wrap id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        {...aria(id, hint, error)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}
