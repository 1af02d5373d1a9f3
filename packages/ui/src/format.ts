/**
 * Number and date formatting for traders: explicit signs and units, fractions shown as percentages,
 * UTC dates (bars are UTC). Every function returns "—" for null/undefined/NaN so tables never lie.
 */
const DASH = "—";

function bad(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v);
}

/** `0.1234` → `+12.34%` (a fraction in, a percentage out). */
export function formatFractionPct(v: number | null | undefined, digits = 2, signed = true): string {
  if (bad(v)) return DASH;
  const s = (v * 100).toFixed(digits);
  return `${signed && v > 0 ? "+" : ""}${s}%`;
}

/** `12.5` → `12.50%` (already a percentage). */
export function formatPct(v: number | null | undefined, digits = 2): string {
  if (bad(v)) return DASH;
  return `${v.toFixed(digits)}%`;
}

export function formatNumber(v: number | null | undefined, digits = 2): string {
  if (bad(v)) return DASH;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatInteger(v: number | null | undefined): string {
  if (bad(v)) return DASH;
  return Math.round(v).toLocaleString("en-US");
}

/** Money in the account's unit, sign explicit for P&L: `+1,234.50`. */
export function formatMoney(v: number | null | undefined, signed = false): string {
  if (bad(v)) return DASH;
  const s = Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (v < 0) return `−${s}`;
  return signed && v > 0 ? `+${s}` : s;
}

/** A price with enough digits for forex and crypto alike. */
export function formatPrice(v: number | null | undefined): string {
  if (bad(v)) return DASH;
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : 6;
  return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: digits });
}

function toDate(v: string | number | Date): Date {
  return v instanceof Date ? v : new Date(v);
}

/** `2025-03-04` (UTC). */
export function formatDate(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? DASH : d.toISOString().slice(0, 10);
}

/** `2025-03-04 13:05 UTC`. */
export function formatDateTime(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? DASH : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `3d 4h`, `12m 05s`, `850 ms`. */
export function formatDuration(ms: number | null | undefined): string {
  if (bad(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** "positive" | "negative" | "neutral": for colouring P&L (always paired with a sign, never colour alone). */
export function tone(v: number | null | undefined): "positive" | "negative" | "neutral" {
  if (bad(v) || v === 0) return "neutral";
  return v > 0 ? "positive" : "negative";
}

/** `12,345` → `12.3k`, for chart axes. */
export function formatCompact(v: number | null | undefined): string {
  if (bad(v)) return DASH;
  return v.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });
}
