import { z } from "zod";

/**
 * The times every layer that holds a bar can represent, `[fromMs, toMs)` in Unix ms (UTC).
 *
 * - JavaScript `Date`: ±8.64e15 ms (years −271821 to 275760); beyond it `toISOString` throws.
 * - PostgreSQL `timestamp(tz)`: 4713 BC to 294276 AD.
 * - ClickHouse `DateTime64(3, 'UTC')` (the `time` columns of `ohlcv` and `ohlcv_rollup`): 1900-01-01
 *   to 2299-12-31; it does not refuse values outside, it stores them and reads them back unchanged
 *   (`9000000000000000` round-trips), which is how a bar past JavaScript's range got stored.
 * - ClickHouse bucket functions of the bar query and the rollups: `toStartOfInterval` returns a
 *   32-bit `DateTime` (1970-01-01 to 2106-02-07) and `toStartOfWeek` a `Date` (1970-01-01 to
 *   2149-06-06). Outside those they wrap or clamp silently, so a bar there would land in a wrong
 *   bucket. This is the narrowest layer and sets both ends.
 *
 * The first bound is Monday 1970-01-05, not the epoch: the weekly bucket of a bar on 1970-01-01..04
 * starts on Monday 1969-12-29, before `Date`'s range, and ClickHouse would clamp it to the epoch. The
 * last bound, 2100-01-01, keeps every bucket end and every range widened to whole weeks well inside
 * the 32-bit `DateTime`.
 */
export const REPRESENTABLE_TIME = {
  /** Earliest representable time, inclusive: 1970-01-05T00:00:00.000Z. */
  fromMs: Date.UTC(1970, 0, 5),
  /** First time past the range, exclusive: 2100-01-01T00:00:00.000Z. */
  toMs: Date.UTC(2100, 0, 1),
} as const;

/** True when `ms` is a whole number of milliseconds inside {@link REPRESENTABLE_TIME}. */
export function isRepresentableTime(ms: number): boolean {
  return Number.isInteger(ms) && ms >= REPRESENTABLE_TIME.fromMs && ms < REPRESENTABLE_TIME.toMs;
}

/** The range as people read it, for error messages. */
export const REPRESENTABLE_TIME_TEXT = `${new Date(REPRESENTABLE_TIME.fromMs).toISOString()} (inclusive) to ${new Date(REPRESENTABLE_TIME.toMs).toISOString()} (exclusive)`;

/** True when `text` holds a NUL character, which PostgreSQL text and JSONB cannot store. */
export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/**
 * A string refusing NUL characters. Use it (or `.refine` with {@link hasNul}) for every string that
 * may end up in PostgreSQL, whose `text` and `jsonb` reject `\u0000` with a server error.
 */
export const nulFreeStringSchema = z.string().refine((s) => !hasNul(s), {
  message: "must not contain NUL characters (\\u0000)",
});

/**
 * Checks that a Unix ms value may be stored or queried: inside {@link REPRESENTABLE_TIME}, or equal to
 * its exclusive end (the end of a `[from, to)` range may be the range's own end).
 */
export const representableTimeSchema = z
  .number()
  .int()
  .refine((ms) => ms >= REPRESENTABLE_TIME.fromMs && ms <= REPRESENTABLE_TIME.toMs, {
    message: `time must be between ${REPRESENTABLE_TIME_TEXT}`,
  });
