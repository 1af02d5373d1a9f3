const DAY_MS = 86_400_000;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()` for times that mostly share their UTC day with the previous call (bars
 * in time order): the date part is formatted by Date once per day and reused, the time of day is plain
 * arithmetic. About twice as fast as toISOString per call, which shows on tens of thousands of candles.
 * Output and errors (RangeError for invalid or out-of-range times) are exactly toISOString's.
 *
 * @example
 * const iso = new IsoTimeFormatter();
 * iso.format(Date.UTC(2025, 0, 1, 9, 30)); // "2025-01-01T09:30:00.000Z"
 */
export class IsoTimeFormatter {
  private day = Number.NaN;
  private prefix = "";

  format(ms: number): string {
    // Fractional milliseconds (never from the bar query) are left to Date, which truncates them.
    if (!Number.isInteger(ms)) return new Date(ms).toISOString();
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      const iso = new Date(ms).toISOString();
      this.day = day;
      this.prefix = iso.slice(0, iso.indexOf("T") + 1);
      return iso;
    }
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return `${this.prefix}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(millis)}Z`;
  }
}
