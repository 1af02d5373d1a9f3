/**
 * Calendar arithmetic on Unix milliseconds without `Date` or `Intl`, so results never depend on the
 * host's clock, time zone or ICU data (proleptic Gregorian calendar, UTC).
 *
 * @module
 */

/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 of a civil date (month 1–12). Howard Hinnant's `days_from_civil`.
 *
 * @example
 * ```ts
 * daysFromCivil(2020, 1, 1); // 18262
 * ```
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Civil date of a day count since 1970-01-01 (inverse of {@link daysFromCivil}). */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Civil date (UTC) of a number of days since 1970-01-01. Howard Hinnant's `civil_from_days`.
 *
 * @example
 * ```ts
 * civilFromDays(18262); // { year: 2020, month: 1, day: 1 }
 * ```
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day of week of a day count since 1970-01-01: 0 Sunday … 6 Saturday. */
export function weekdayFromDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * ISO-8601 UTC string with milliseconds, same output as `new Date(ms).toISOString()` for years
 * 0–9999.
 *
 * @example
 * ```ts
 * formatIsoUtc(1577836800000); // "2020-01-01T00:00:00.000Z"
 * ```
 */
export function formatIsoUtc(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const rem = ms - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  const h = Math.floor(rem / 3_600_000);
  const mi = Math.floor((rem % 3_600_000) / 60_000);
  const s = Math.floor((rem % 60_000) / 1000);
  const milli = Math.floor(rem % 1000);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(milli, 3)}Z`;
}
