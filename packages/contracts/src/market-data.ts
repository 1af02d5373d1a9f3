import { z } from "zod";
import { representableTimeSchema } from "./limits.ts";
import { marketTimeframes } from "./wire.ts";

/** Timeframes served by `/api/market-data/ticks` (docs/compatibility.md#market-data). */
export const marketTimeframeSchema = z.enum(marketTimeframes);

export const assetClasses = ["forex", "crypto", "stock"] as const;
export const assetClassSchema = z.enum(assetClasses);

export const marketProviders = ["clickhouse", "yahoo", "binance"] as const;
export const marketProviderSchema = z.enum(marketProviders);

/** Most candles one `ticks` response carries; beyond it the route answers 400 with how to narrow. */
export const MAX_TICKS_PER_RESPONSE = 50_000;

/**
 * A date or date-time: `2025-01-01` (UTC midnight) or ISO-8601 with an offset or `Z`. Strings without
 * an offset are read as UTC so results never depend on the server's time zone.
 */
const instant = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s), {
    message: "expected an ISO-8601 date (YYYY-MM-DD) or date-time",
  })
  .transform((s, ctx) => {
    // Date.parse rolls impossible dates over (2025-02-30 → March 2); refuse them instead.
    const [year, month, day] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
      ctx.addIssue({ code: "custom", message: "not a valid calendar date" });
      return z.NEVER;
    }
    const withZone =
      /[T ]\d{2}:\d{2}/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(" ", "T")}Z` : s;
    const ms = Date.parse(withZone.length === 10 ? `${withZone}T00:00:00Z` : withZone);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "not a valid date" });
      return z.NEVER;
    }
    return ms;
  });

/** A date (`2025-01-01`) or ISO-8601 date-time as Unix ms; no offset means UTC. */
export const instantSchema = instant;

/**
 * {@link instantSchema} restricted to the times the store can hold (`REPRESENTABLE_TIME`, its end
 * included as a range end): `0000-01-01` or `9999-12-31` become a 400, not a failure further down.
 */
export const representableInstantSchema = instant.pipe(representableTimeSchema);

const startBeforeEnd = (q: { startDate: number; endDate: number }) => q.startDate < q.endDate;
const startBeforeEndIssue = { message: "startDate must be before endDate", path: ["endDate"] };

/** Symbol, `[startDate, endDate)` and timeframe: what every bar query takes. */
const barRangeSchema = z.object({
  symbol: z.string().trim().min(1).max(24),
  startDate: representableInstantSchema,
  endDate: representableInstantSchema,
  timeframe: marketTimeframeSchema.default("1m"),
});

export const ticksQuerySchema = barRangeSchema
  .extend({ assetClass: assetClassSchema.optional(), provider: marketProviderSchema.optional() })
  .refine(startBeforeEnd, startBeforeEndIssue);

/** `GET /api/market-data/columns`: stored bars only, as binary columns (see `columnsBinaryLayout`). */
export const columnsQuerySchema = barRangeSchema.refine(startBeforeEnd, startBeforeEndIssue);
export type ColumnsQuery = z.infer<typeof columnsQuerySchema>;

export type TicksQuery = z.infer<typeof ticksQuerySchema>;

export const tickSchema = z.object({
  timestamp: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

export const ticksResponseSchema = z.object({
  symbol: z.string(),
  timeframe: marketTimeframeSchema,
  assetClass: assetClassSchema,
  provider: marketProviderSchema,
  ticks: z.array(tickSchema),
});
export type TicksResponse = z.infer<typeof ticksResponseSchema>;

export const storedSymbolSchema = z.object({
  symbol: z.string(),
  assetClass: z.string(),
  source: z.string(),
  timeframe: z.string(),
  firstBar: z.string(),
  lastBar: z.string(),
  barCount: z.number(),
});
export const symbolsResponseSchema = z.object({ symbols: z.array(storedSymbolSchema) });

export const timeframesResponseSchema = z.object({
  timeframes: z.array(z.object({ id: marketTimeframeSchema, ms: z.number() })),
});
