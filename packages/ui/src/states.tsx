import type { CSSProperties, ReactNode } from "react";

/** A grey block holding the place of content that is loading, so nothing jumps when it arrives. */
export function Skeleton({
  width = "100%",
  height = "1em",
  style,
}: {
  width?: string | number;
  height?: string | number;
  style?: CSSProperties;
}) {
  return <span className="q-skeleton" aria-hidden="true" style={{ width, height, ...style }} />;
}

/** A region that announces it is loading and keeps its layout with skeleton lines. */
export function LoadingBlock({
  label,
  lines = 3,
  height,
}: {
  label: string;
  lines?: number;
  height?: number;
}) {
  return (
    <div
      className="q-loading"
      role="status"
      aria-live="polite"
      style={height ? { minHeight: height } : undefined}
    >
      <span className="q-visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} height="1.1em" width={`${90 - ((i * 17) % 40)}%`} />
      ))}
    </div>
  );
}

/** Nothing to show yet, and what to do about it. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="q-empty">
      <p className="q-empty-title">{title}</p>
      {children ? <div className="q-empty-body">{children}</div> : null}
      {action ? <div className="q-empty-action">{action}</div> : null}
    </div>
  );
}

export interface ErrorLike {
  message: string;
  status?: number;
  requestId?: string | undefined;
}

/** A failure with the API's own message, its request id (to quote in a bug report) and a retry. */
export function ErrorState({
  title = "Something went wrong",
  error,
  onRetry,
}: {
  title?: string;
  error: ErrorLike;
  onRetry?: () => void;
}) {
  return (
    <div className="q-error" role="alert">
      <p className="q-error-title">{title}</p>
      <p className="q-error-message">{error.message}</p>
      {error.requestId ? (
        <p className="q-muted q-small">
          Request id: <code>{error.requestId}</code>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="q-button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/**
 * A part of a view that did not load while the rest did (the chart stays, at a coarser level): one
 * line saying what is missing and what is shown instead, with a retry.
 */
export function PartialFailure({
  children,
  onRetry,
  retrying = false,
}: {
  children: ReactNode;
  onRetry: () => void;
  retrying?: boolean;
}) {
  return (
    <p className="q-partial-failure" role="alert">
      <span>{children}</span>
      <button type="button" className="q-button q-button-small" onClick={onRetry} disabled={retrying}>
        {retrying ? "Retrying…" : "Retry"}
      </button>
    </p>
  );
}

/** Coloured status pill; the text always says the status, colour only reinforces it. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`q-badge q-badge-${status}`}>{status}</span>;
}

/** A progress bar with an accessible name and value. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className="q-progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
    >
      <div className="q-progress-bar" style={{ width: `${pct}%` }} />
    </div>
  );
}
