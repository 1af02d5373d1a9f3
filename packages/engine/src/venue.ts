/**
 * Venue sessions and the three time zones they need, with the daylight-saving rules written out so
 * results never depend on the host's time-zone database:
 *
 * - `Europe/London`: UTC+0, UTC+1 from the last Sunday of March 01:00 UTC to the last Sunday of
 *   October 01:00 UTC (EU rule, in force since 1996; applied to every year).
 * - `America/New_York`: UTC−5, UTC−4 from 02:00 local standard time (07:00 UTC) on the second Sunday
 *   of March to 02:00 local daylight time (06:00 UTC) on the first Sunday of November (since 2007);
 *   for 2006 and earlier, first Sunday of April to last Sunday of October (the 1987–2006 rule,
 *   applied to every earlier year).
 * - `Asia/Tokyo`: UTC+9, no daylight saving.
 *
 * @module
 */

import { civilFromDays, DAY_MS, daysFromCivil, weekdayFromDays } from "@quantago/strategies";
import type { Exchange } from "./config.ts";

/** Time zones the venues use. */
export type VenueTimeZone = "Europe/London" | "America/New_York" | "Asia/Tokyo";

/** A venue's regular session in local time, Monday to Friday, `[openHour, closeHour)`. */
export interface VenueSession {
  readonly timeZone: VenueTimeZone;
  readonly openHour: number;
  readonly closeHour: number;
}

const HOUR_MS = 3_600_000;

/** Sessions per exchange; `crypto` trades 24/7 and has none. */
export const VENUE_SESSIONS: Readonly<Record<Exchange, VenueSession | null>> = Object.freeze({
  london: { timeZone: "Europe/London", openHour: 8, closeHour: 16 },
  newyork: { timeZone: "America/New_York", openHour: 8, closeHour: 17 },
  tokyo: { timeZone: "Asia/Tokyo", openHour: 9, closeHour: 18 },
  nasdaq: { timeZone: "America/New_York", openHour: 9, closeHour: 16 },
  nyse: { timeZone: "America/New_York", openHour: 9, closeHour: 16 },
  crypto: null,
});

/** Day count (since 1970-01-01) of the n-th (1-based) Sunday of a month. */
function nthSunday(year: number, month: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  const toSunday = (7 - weekdayFromDays(first)) % 7;
  return first + toSunday + (n - 1) * 7;
}

/** Day count (since 1970-01-01) of the last Sunday of a month. */
function lastSunday(year: number, month: number): number {
  const last = month === 12 ? daysFromCivil(year + 1, 1, 1) - 1 : daysFromCivil(year, month + 1, 1) - 1;
  return last - weekdayFromDays(last);
}

/** Daylight-saving interval `[start, end)` in UTC ms for a zone and year; null when the zone has none. */
export function dstInterval(zone: VenueTimeZone, year: number): readonly [number, number] | null {
  switch (zone) {
    case "Europe/London":
      return [lastSunday(year, 3) * DAY_MS + HOUR_MS, lastSunday(year, 10) * DAY_MS + HOUR_MS];
    case "America/New_York":
      if (year >= 2007)
        return [nthSunday(year, 3, 2) * DAY_MS + 7 * HOUR_MS, nthSunday(year, 11, 1) * DAY_MS + 6 * HOUR_MS];
      return [nthSunday(year, 4, 1) * DAY_MS + 7 * HOUR_MS, lastSunday(year, 10) * DAY_MS + 6 * HOUR_MS];
    case "Asia/Tokyo":
      return null;
  }
}

const STANDARD_OFFSET: Readonly<Record<VenueTimeZone, number>> = {
  "Europe/London": 0,
  "America/New_York": -5 * HOUR_MS,
  "Asia/Tokyo": 9 * HOUR_MS,
};

/**
 * UTC offset in milliseconds (local = UTC + offset) of a zone at an instant.
 *
 * @example
 * ```ts
 * utcOffsetMs("America/New_York", Date.UTC(2024, 6, 1)); // -14_400_000 (EDT)
 * ```
 */
export function utcOffsetMs(zone: VenueTimeZone, ms: number): number {
  const std = STANDARD_OFFSET[zone];
  const dst = dstInterval(zone, civilFromDays(Math.floor(ms / DAY_MS)).year);
  return dst !== null && ms >= dst[0] && ms < dst[1] ? std + HOUR_MS : std;
}

/** Offset lookup that recomputes the DST interval once per calendar year (allocation-free per call). */
class OffsetCache {
  private readonly zone: VenueTimeZone;
  private readonly std: number;
  private yearStart = Number.POSITIVE_INFINITY;
  private yearEnd = Number.NEGATIVE_INFINITY;
  private dstStart = 0;
  private dstEnd = 0;

  constructor(zone: VenueTimeZone) {
    this.zone = zone;
    this.std = STANDARD_OFFSET[zone];
  }

  offset(ms: number): number {
    if (ms < this.yearStart || ms >= this.yearEnd) {
      const year = civilFromDays(Math.floor(ms / DAY_MS)).year;
      this.yearStart = daysFromCivil(year, 1, 1) * DAY_MS;
      this.yearEnd = daysFromCivil(year + 1, 1, 1) * DAY_MS;
      const dst = dstInterval(this.zone, year);
      this.dstStart = dst === null ? 0 : dst[0];
      this.dstEnd = dst === null ? 0 : dst[1];
    }
    return ms >= this.dstStart && ms < this.dstEnd ? this.std + HOUR_MS : this.std;
  }
}

function inSession(session: VenueSession, cache: OffsetCache, ms: number): boolean {
  const local = ms + cache.offset(ms);
  const day = Math.floor(local / DAY_MS);
  const weekday = weekdayFromDays(day);
  if (weekday === 0 || weekday === 6) return false;
  const msOfDay = local - day * DAY_MS;
  return msOfDay >= session.openHour * HOUR_MS && msOfDay < session.closeHour * HOUR_MS;
}

/**
 * Whether an intraday bar opening at `ms` (Unix ms) is inside the venue's session (weekday and
 * local hours `[open, close)`). Always true for `crypto`.
 *
 * @example
 * ```ts
 * isInVenueSession("london", Date.UTC(2024, 3, 2, 7, 30)); // true: 08:30 BST on a Tuesday
 * ```
 */
export function isInVenueSession(exchange: Exchange, ms: number): boolean {
  const session = VENUE_SESSIONS[exchange];
  if (session === null) return true;
  return inSession(session, new OffsetCache(session.timeZone), ms);
}

/**
 * Mask of the bars the engine evaluates (1) or skips (0) for a venue, or null when every bar is
 * evaluated (`crypto`, or bars of one day or longer). Bars are judged by their open time.
 *
 * @example
 * ```ts
 * const mask = venueMask(bars.time, "nyse", 60_000); // Uint8Array, 1 = in session
 * ```
 */
export function venueMask(time: Float64Array, exchange: Exchange, timeframeMs: number): Uint8Array | null {
  const session = VENUE_SESSIONS[exchange];
  if (session === null || timeframeMs >= DAY_MS) return null;
  const cache = new OffsetCache(session.timeZone);
  const mask = new Uint8Array(time.length);
  for (let i = 0; i < time.length; i++) mask[i] = inSession(session, cache, time[i] as number) ? 1 : 0;
  return mask;
}
