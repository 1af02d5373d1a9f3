import type { BacktestRecord } from "@quantago/contracts";
import { formatFractionPct, formatNumber, ProgressBar, StatusBadge, tone } from "@quantago/ui";

export const metric = (b: BacktestRecord, k: string): number | null => {
  const v = b.metrics?.[k];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};

/** The headline of a run: its return, or its progress / error while it is not completed. */
export function Headline({ b }: { b: BacktestRecord }) {
  if (b.status === "completed") {
    const r = metric(b, "totalReturn");
    return <span className={`q-mono q-tone-${tone(r)}`}>{formatFractionPct(r)}</span>;
  }
  if (b.status === "running" || b.status === "pending")
    return (
      <span className="q-row" style={{ gap: "0.5rem", flexWrap: "nowrap" }}>
        <ProgressBar value={b.progress} label={`Progress of ${b.strategy} on ${b.symbol}`} />
        <span className="q-mono q-small">{formatNumber(b.progress * 100, 0)}%</span>
      </span>
    );
  if (b.status === "failed")
    return <span className="q-small q-tone-negative">{b.error_message ?? "failed"}</span>;
  return <span className="q-muted q-small">—</span>;
}

export { StatusBadge };
