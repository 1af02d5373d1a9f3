import { z } from "zod";

/** One property of a strategy's parameter schema (api-compat §4). */
export const parameterPropertySchema = z.object({
  type: z.enum(["string", "number", "integer", "boolean"]),
  title: z.string().optional(),
  description: z.string().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  enum: z.array(z.union([z.string(), z.number()])).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
});

export const parameterSchemaSchema = z.object({
  type: z.literal("object"),
  properties: z.record(z.string(), parameterPropertySchema),
  required: z.array(z.string()).optional(),
});

/**
 * A catalog entry of `GET /api/strategies` (api-compat §4). `defaultConfig` levels are percent;
 * null means "none" (built-ins set no take-profit or stop-loss of their own).
 */
export const strategyCatalogEntrySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  runtime: z.enum(["native", "remote", "wasm"]),
  language: z.string(),
  defaultFrequency: z.string(),
  minCandles: z.number().int(),
  lookbackCandles: z.number().int(),
  defaultConfig: z.object({
    takeProfitLevel: z.number().nullable(),
    stopLossLevel: z.number().nullable(),
    timeframe: z.string().optional(),
  }),
  parameterSchema: parameterSchemaSchema,
  source: z.enum(["builtin", "registry"]),
});
export type StrategyCatalogEntry = z.infer<typeof strategyCatalogEntrySchema>;

export const strategyListResponseSchema = z.object({ strategies: z.array(strategyCatalogEntrySchema) });
export const strategyResponseSchema = z.object({ strategy: strategyCatalogEntrySchema });
export const strategySlugParamSchema = z.object({ slug: z.string().min(1).max(120) });
