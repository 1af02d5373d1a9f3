import { z } from "zod";

/** One property of a strategy's parameter schema (docs/compatibility.md#strategy-catalog-and-registry). */
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
 * `runtime` of a catalog entry: `"native"` for a built-in; for a registry strategy the stored runtime
 * config of its current version, as published (`type`, `language`, and the rest of the config;
 * `artifactKey` for a WASM module; header values hidden from non-owners).
 */
export const catalogRuntimeSchema = z.union([
  z.literal("native"),
  z.looseObject({ type: z.enum(["remote", "wasm"]), language: z.string() }),
]);

/**
 * A catalog entry of `GET /api/strategies` (docs/compatibility.md#strategy-catalog-and-registry). `defaultConfig` levels are percent;
 * null means "none".
 */
export const strategyCatalogEntrySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  runtime: catalogRuntimeSchema,
  /** Ours: `native`, `remote` or `wasm`, the kind `runtime` describes. */
  runtimeType: z.enum(["native", "remote", "wasm"]),
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

export const strategySlugParamSchema = z.object({ slug: z.string().min(1).max(120) });

// ---------------------------------------------------------------------------------------------------
// Registry: POST /api/strategies, POST /api/strategies/:slug/versions (docs/compatibility.md#strategy-catalog-and-registry)
// ---------------------------------------------------------------------------------------------------

/** Largest artifact accepted (decoded bytes); WASM modules are also bound by the validator's limit. */
export const MAX_ARTIFACT_BYTES = 8 * 1024 * 1024;
/** Request body limit of the two registry POST routes: the artifact travels as base64 inside JSON. */
export const MAX_STRATEGY_BODY_BYTES = Math.ceil((MAX_ARTIFACT_BYTES * 4) / 3) + 256 * 1024;

export const strategyFrequencySchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(["scalping", "daily", "weekly", "monthly", "quarterly"]));

const positiveInt = z.number().int().positive().max(1_000_000);
const exportName = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$.-]{0,63}$/, "must be a WebAssembly export name");

/** Header names a remote runtime may not set: they belong to the HTTP layer or carry our identity. */
const FORBIDDEN_REMOTE_HEADERS = new Set(["host", "content-length", "content-type", "connection", "cookie"]);

export const remoteRuntimeConfigSchema = z.object({
  type: z.literal("remote"),
  language: z.string().min(1).max(40),
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "must be an HTTP header name"),
      z.string().max(4096),
    )
    .refine((h) => Object.keys(h).every((k) => !FORBIDDEN_REMOTE_HEADERS.has(k.toLowerCase())), {
      message: `may not set ${[...FORBIDDEN_REMOTE_HEADERS].join(", ")}`,
    })
    .optional(),
  lookbackCandles: positiveInt.optional(),
});
export type RemoteRuntimeConfig = z.infer<typeof remoteRuntimeConfigSchema>;

export const wasmRuntimeConfigSchema = z.object({
  type: z.literal("wasm"),
  language: z.string().min(1).max(40),
  /** Accepted for compatibility; the module itself must be uploaded as the version's artifact. */
  moduleUrl: z.url().max(2048).optional(),
  exportedFunction: exportName.optional(),
  resultLengthFunction: exportName.optional(),
  allocFunction: exportName.optional(),
  deallocFunction: exportName.optional(),
  lookbackCandles: positiveInt.optional(),
  /** Ours: which ABI the module must satisfy; default whichever it does (columnar preferred). */
  abi: z.enum(["columnar", "json"]).optional(),
});
export type WasmRuntimeConfig = z.infer<typeof wasmRuntimeConfigSchema>;

export const runtimeConfigSchema = z.discriminatedUnion("type", [
  remoteRuntimeConfigSchema,
  wasmRuntimeConfigSchema,
]);
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export const artifactUploadSchema = z.object({
  file_name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\0]+$/, "must be a file name, not a path"),
  content_base64: z
    .string()
    .min(1)
    .max(Math.ceil((MAX_ARTIFACT_BYTES * 4) / 3) + 4, `must decode to at most ${MAX_ARTIFACT_BYTES} bytes`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"),
  content_type: z.string().max(200).optional(),
});
export type ArtifactUpload = z.infer<typeof artifactUploadSchema>;

export const strategyVersionStringSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "letters, digits and . _ + - only");

export const versionInputSchema = z.object({
  version: strategyVersionStringSchema,
  runtime_config: runtimeConfigSchema,
  artifact: artifactUploadSchema.optional(),
});

export const defaultConfigInputSchema = z.object({
  takeProfitLevel: z.number().positive().max(10_000).nullable(),
  stopLossLevel: z.number().positive().max(100).nullable(),
  timeframe: z.string().max(8).optional(),
});

export const createStrategyRequestSchema = z.object({
  strategy: z
    .object({
      slug: z
        .string()
        .min(3)
        .max(80)
        .regex(/^[a-z0-9-]+$/, "lower-case letters, digits and - only"),
      name: z.string().min(1).max(120),
      description: z.string().min(1).max(500),
      runtime_type: z.enum(["remote", "wasm"]),
      language: z.string().min(1).max(40),
      default_frequency: strategyFrequencySchema,
      min_candles: positiveInt,
      lookback_candles: positiveInt,
      default_config: defaultConfigInputSchema,
      parameter_schema: parameterSchemaSchema,
      is_public: z.boolean().default(false),
      initial_version: versionInputSchema,
      /** Tolerated here too (docs/compatibility.md#strategy-catalog-and-registry); used when `initial_version.artifact` is absent. */
      artifact: artifactUploadSchema.optional(),
    })
    .refine((s) => s.initial_version.runtime_config.type === s.runtime_type, {
      message: "initial_version.runtime_config.type must equal runtime_type",
      path: ["initial_version", "runtime_config", "type"],
    }),
});
export type CreateStrategyRequest = z.infer<typeof createStrategyRequestSchema>;

export const createVersionRequestSchema = z.object({
  version: versionInputSchema.extend({ make_current: z.boolean().default(true) }),
});
export type CreateVersionRequest = z.infer<typeof createVersionRequestSchema>;

/**
 * A stored version as the API returns it (the artifact's bytes are at the artifact route): the
 * published snake_case row (`strategy_id`, `runtime_config`, `artifact_key`, `artifact_content_type`,
 * `created_at`) and ours beside it (`runtimeConfig`, `artifact`, `current`, `createdAt`).
 */
export const strategyVersionSchema = z.object({
  id: z.string(),
  strategy_id: z.string(),
  version: z.string(),
  runtime_config: runtimeConfigSchema,
  artifact_key: z.string().nullable(),
  artifact_content_type: z.string().nullable(),
  created_at: z.string(),
  runtimeConfig: runtimeConfigSchema,
  artifact: z
    .object({
      sha256: z.string(),
      size: z.number().int(),
      fileName: z.string(),
      contentType: z.string(),
    })
    .nullable(),
  current: z.boolean(),
  createdAt: z.string(),
});
export type StrategyVersionInfo = z.infer<typeof strategyVersionSchema>;

/** A registry definition as the API returns it. */
export const strategyDefinitionSchema = strategyCatalogEntrySchema.extend({
  isPublic: z.boolean(),
  owned: z.boolean(),
  createdAt: z.string(),
});
export type StrategyDefinitionInfo = z.infer<typeof strategyDefinitionSchema>;

export const createStrategyResponseSchema = z.object({
  definition: strategyDefinitionSchema,
  version: strategyVersionSchema,
});
/** `POST /:slug/versions` answers the bare version row, as published. */
export const createVersionResponseSchema = strategyVersionSchema;
/** `GET /:slug/versions` answers a bare array, newest first (`X-Total-Count` carries the count). */
export const strategyVersionListResponseSchema = z.array(strategyVersionSchema);
export const strategyVersionParamSchema = strategySlugParamSchema.extend({
  version: strategyVersionStringSchema,
});

/** A catalog item: built-ins carry the documented fields; registry strategies add visibility. */
export const strategyListItemSchema = z.union([strategyDefinitionSchema, strategyCatalogEntrySchema]);
export type StrategyListItem = z.infer<typeof strategyListItemSchema>;
/** `GET /api/strategies` answers a bare array, as published (`X-Total-Count` carries the count). */
export const strategyListResponseSchema = z.array(strategyListItemSchema);
export const strategyResponseSchema = z.object({ strategy: strategyListItemSchema });
