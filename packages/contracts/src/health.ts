import { z } from "zod";

export const healthQuerySchema = z.object({
  /** `deep=1` also checks configuration, PostgreSQL and ClickHouse (slower; for operators and probes). */
  deep: z.enum(["0", "1", "true", "false"]).optional(),
});

export const dependencyCheckSchema = z.object({
  ok: z.boolean(),
  ms: z.number().optional(),
  /** A short, non-sensitive reason when `ok` is false. */
  reason: z.string().optional(),
});

export const healthResponseSchema = z.object({
  ok: z.boolean(),
  checks: z.record(z.string(), dependencyCheckSchema).optional(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
