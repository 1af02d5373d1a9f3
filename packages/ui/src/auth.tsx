import { createAuthClient } from "better-auth/react";
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import { formatDuration } from "./format.ts";

/** Password bounds of the API (docs/api.md, Auth): checked here first so the common mistake needs no round trip. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The Better Auth client for `/api/auth/*` on this origin (the dev server proxies `/api`, so the session
 * cookie stays first-party). `baseURL` is the API's origin when the app is served elsewhere.
 */
export function createQuantagoAuthClient(baseURL?: string) {
  const origin = baseURL || (typeof window !== "undefined" ? window.location.origin : "http://localhost");
  return createAuthClient({ baseURL: `${origin}/api/auth` });
}
export type QuantagoAuthClient = ReturnType<typeof createQuantagoAuthClient>;

type Field = "name" | "email" | "password" | "form";
export type FieldErrors = Partial<Record<Field, string>>;

/** What went wrong, on the field it belongs to, plus the wait when the API rate-limited us. */
export interface AuthFailure {
  fields: FieldErrors;
  retryAfterSeconds?: number;
}

interface RawAuthError {
  status?: number;
  code?: string;
  message?: string;
  error?: {
    code?: string;
    message?: string;
    issues?: Array<{ path: Array<string | number>; message: string }>;
  };
}

/** Maps a Better Auth / API error to the field a person must fix. */
export function authFailureFrom(err: RawAuthError, retryAfter?: string | null): AuthFailure {
  const code = err.code ?? err.error?.code ?? "";
  const message = err.message ?? err.error?.message ?? "The request failed. Try again.";
  if (err.status === 429 || code === "RATE_LIMITED") {
    const secs = Number(retryAfter);
    return {
      fields: { form: message },
      ...(Number.isFinite(secs) && secs > 0 ? { retryAfterSeconds: secs } : {}),
    };
  }
  const fields: FieldErrors = {};
  for (const issue of err.error?.issues ?? []) {
    const key = issue.path[issue.path.length - 1];
    if (key === "email" || key === "password" || key === "name") fields[key] = issue.message;
  }
  if (Object.keys(fields).length > 0) return { fields };
  if (/EMAIL_OR_PASSWORD/.test(code)) return { fields: { password: message } };
  if (/PASSWORD/.test(code)) return { fields: { password: message } };
  if (/EMAIL|USER_ALREADY_EXISTS|USER_NOT_FOUND/.test(code)) return { fields: { email: message } };
  if (/NAME/.test(code)) return { fields: { name: message } };
  return { fields: { form: message } };
}

function useCountdown(seconds: number | undefined): number {
  const [left, setLeft] = useState(seconds ?? 0);
  useEffect(() => {
    setLeft(seconds ?? 0);
    if (!seconds) return;
    const end = Date.now() + seconds * 1000;
    const t = setInterval(() => {
      const s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      setLeft(s);
      if (s === 0) clearInterval(t);
    }, 1000);
    return () => clearInterval(t);
  }, [seconds]);
  return left;
}

function TextField(props: {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  error: string | undefined;
  hint?: string;
  minLength?: number;
  maxLength?: number;
}) {
  const id = useId();
  const errId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errId : "", props.hint ? hintId : ""].filter(Boolean).join(" ");
  return (
    <div className="q-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type}
        autoComplete={props.autoComplete}
        required
        minLength={props.minLength}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint ? (
        <p id={hintId} className="q-hint">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={errId} className="q-field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  client: QuantagoAuthClient;
  /** Called once the session cookie is set. */
  onSuccess: () => void | Promise<void>;
  /** Link to the other form, rendered by the app's router. */
  footer?: ReactNode;
}

/** Sign-in or sign-up form: errors next to their field, rate limits with a live wait time. */
export function AuthForm({ mode, client, onSuccess, footer }: AuthFormProps) {
  const [failure, setFailure] = useState<AuthFailure>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const wait = useCountdown(failure.retryAfterSeconds);
  const signUp = mode === "sign-up";

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const email = String(data.get("email") ?? "").trim();
    const password = String(data.get("password") ?? "");
    const name = String(data.get("name") ?? "").trim();
    const local: FieldErrors = {};
    if (signUp && !name) local.name = "Enter your name.";
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) local.email = "Enter an email address like you@example.com.";
    if (signUp && password.length < PASSWORD_MIN) local.password = `Use at least ${PASSWORD_MIN} characters.`;
    if (password.length > PASSWORD_MAX) local.password = `Use at most ${PASSWORD_MAX} characters.`;
    if (!password) local.password = "Enter your password.";
    if (Object.keys(local).length > 0) {
      setFailure({ fields: local });
      return;
    }
    setBusy(true);
    let retryAfter: string | null = null;
    const fetchOptions = {
      onError: (ctx: { response: Response }) => {
        retryAfter = ctx.response.headers.get("retry-after");
      },
    };
    try {
      const result = signUp
        ? await client.signUp.email({ email, password, name }, fetchOptions)
        : await client.signIn.email({ email, password }, fetchOptions);
      if (result.error) {
        setFailure(authFailureFrom(result.error as RawAuthError, retryAfter));
        return;
      }
      setFailure({ fields: {} });
      await onSuccess();
    } catch (err) {
      setFailure({
        fields: { form: err instanceof Error ? err.message : "Network error: is the API running?" },
      });
    } finally {
      setBusy(false);
    }
  }

  const f = failure.fields;
  const title = signUp ? "Create your account" : "Sign in";
  return (
    <div className="q-auth">
      <p className="q-auth-brand">Quantago</p>
      <h1>{title}</h1>
      <p className="q-muted">
        {signUp ? "Backtest strategies on stored market data." : "Welcome back. Your backtests are waiting."}
      </p>
      <form onSubmit={submit} noValidate aria-label={title}>
        {signUp ? (
          <TextField
            label="Name"
            name="name"
            type="text"
            autoComplete="name"
            error={f.name}
            maxLength={120}
          />
        ) : null}
        <TextField label="Email" name="email" type="email" autoComplete="email" error={f.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={signUp ? "new-password" : "current-password"}
          error={f.password}
          {...(signUp ? { hint: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.` } : {})}
          maxLength={PASSWORD_MAX}
        />
        {f.form ? (
          <div className="q-form-error" role="alert">
            {f.form}
            {wait > 0 ? <span> You can try again in {formatDuration(wait * 1000)}.</span> : null}
          </div>
        ) : null}
        <button
          type="submit"
          className="q-button q-button-primary q-button-block"
          disabled={busy || wait > 0}
        >
          {busy
            ? signUp
              ? "Creating account…"
              : "Signing in…"
            : wait > 0
              ? `Wait ${formatDuration(wait * 1000)}`
              : title}
        </button>
      </form>
      {footer ? <div className="q-auth-footer">{footer}</div> : null}
    </div>
  );
}
