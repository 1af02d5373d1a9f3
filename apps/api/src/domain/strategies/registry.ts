/**
 * The strategy registry (docs/compatibility.md#strategy-catalog-and-registry): user strategies and their immutable versions in Postgres,
 * artifacts in R2. Visibility: a definition exists for a caller when it is public or theirs; anything
 * else answers 404 exactly like a slug that was never created, so slugs cannot be probed.
 */
import type {
  CreateStrategyRequest,
  CreateVersionRequest,
  RuntimeConfig,
  StrategyCatalogEntry,
  StrategyDefinitionInfo,
  StrategyVersionInfo,
} from "@quantago/contracts";
import { type Database, prefixedId, strategyDefinition, strategyVersion } from "@quantago/db";
import { getBuiltinStrategy } from "@quantago/strategies";
import { and, desc, eq, or } from "drizzle-orm";
import { AppError } from "../../lib/errors.ts";
import type { Services } from "../../services.ts";
import { checkArtifact, type StoredArtifact, storeArtifact } from "./artifacts.ts";

export type DefinitionRow = typeof strategyDefinition.$inferSelect;
export type VersionRow = typeof strategyVersion.$inferSelect;

/** Postgres' unique_violation, raised when two requests race for the same slug or version. */
function isUniqueViolation(e: unknown): boolean {
  for (let err: unknown = e; err instanceof Error; err = err.cause) {
    if ((err as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

function visibleTo(userId: string) {
  return or(eq(strategyDefinition.isPublic, true), eq(strategyDefinition.ownerId, userId));
}

/** Header values of a remote runtime are credentials (API keys): only the owner sees them. */
function visibleRuntimeConfig(config: RuntimeConfig, owned: boolean): RuntimeConfig {
  if (owned || config.type !== "remote" || !config.headers) return config;
  return {
    ...config,
    headers: Object.fromEntries(Object.keys(config.headers).map((name) => [name, "(hidden)"])),
  };
}

export function toVersionInfo(
  row: VersionRow,
  currentVersionId: string | null,
  owned: boolean,
): StrategyVersionInfo {
  const runtimeConfig = visibleRuntimeConfig(row.runtimeConfig as RuntimeConfig, owned);
  return {
    id: row.id,
    strategy_id: row.strategyId,
    version: row.version,
    runtime_config: runtimeConfig,
    artifact_key: row.artifactKey,
    artifact_content_type: row.artifactContentType,
    created_at: row.createdAt.toISOString(),
    runtimeConfig,
    artifact:
      row.artifactSha256 === null
        ? null
        : {
            sha256: row.artifactSha256,
            size: row.artifactSize ?? 0,
            fileName: row.artifactFileName ?? "artifact",
            contentType: row.artifactContentType ?? "application/octet-stream",
          },
    current: row.id === currentVersionId,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toDefinitionInfo(
  row: DefinitionRow,
  current: VersionRow | null,
  userId: string,
): StrategyDefinitionInfo {
  const config = row.defaultConfig as StrategyCatalogEntry["defaultConfig"];
  const owned = row.ownerId === userId;
  const type = row.runtimeType as "remote" | "wasm";
  const stored = current ? visibleRuntimeConfig(current.runtimeConfig as RuntimeConfig, owned) : null;
  return {
    slug: row.slug,
    name: row.name,
    description: row.description,
    version: current?.version ?? "",
    // As published: the current version's stored runtime config, with the definition's type and
    // language, and the artifact's key for a WASM module.
    runtime: {
      ...stored,
      type,
      language: row.language,
      ...(type === "wasm" && current?.artifactKey ? { artifactKey: current.artifactKey } : {}),
    },
    runtimeType: type,
    language: row.language,
    defaultFrequency: row.defaultFrequency,
    minCandles: row.minCandles,
    lookbackCandles: row.lookbackCandles,
    defaultConfig: {
      takeProfitLevel: config.takeProfitLevel ?? null,
      stopLossLevel: config.stopLossLevel ?? null,
      ...(config.timeframe === undefined ? {} : { timeframe: config.timeframe }),
    },
    parameterSchema: row.parameterSchema as StrategyCatalogEntry["parameterSchema"],
    source: "registry",
    isPublic: row.isPublic,
    owned,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Registry strategies the caller may see (own or public), with their current version, by slug. */
export async function listVisibleDefinitions(
  db: Database,
  userId: string,
): Promise<StrategyDefinitionInfo[]> {
  const rows = await db
    .select({ definition: strategyDefinition, current: strategyVersion })
    .from(strategyDefinition)
    .leftJoin(strategyVersion, eq(strategyVersion.id, strategyDefinition.currentVersionId))
    .where(visibleTo(userId))
    .orderBy(strategyDefinition.slug);
  return rows.map((r) => toDefinitionInfo(r.definition, r.current, userId));
}

/** The definition if the caller may see it, else null (the route answers 404). */
export async function findVisibleDefinition(
  db: Database,
  userId: string,
  slug: string,
): Promise<{ definition: DefinitionRow; current: VersionRow | null } | null> {
  const [row] = await db
    .select({ definition: strategyDefinition, current: strategyVersion })
    .from(strategyDefinition)
    .leftJoin(strategyVersion, eq(strategyVersion.id, strategyDefinition.currentVersionId))
    .where(and(eq(strategyDefinition.slug, slug), visibleTo(userId)));
  return row ?? null;
}

function notFound(slug: string): AppError {
  return new AppError("NOT_FOUND", `No strategy ${JSON.stringify(slug)}.`);
}

function versionValues(
  strategyId: string,
  input: { version: string; runtime_config: RuntimeConfig },
  artifact: StoredArtifact | null,
): typeof strategyVersion.$inferInsert {
  return {
    id: prefixedId("strategyVersion"),
    strategyId,
    version: input.version,
    runtimeConfig: input.runtime_config,
    artifactKey: artifact?.key ?? null,
    artifactSha256: artifact?.sha256 ?? null,
    artifactSize: artifact?.size ?? null,
    artifactFileName: artifact?.fileName ?? null,
    artifactContentType: artifact?.contentType ?? null,
  };
}

/** `POST /api/strategies`: the definition and its first version, current. 409 when the slug is taken. */
export async function createStrategy(
  db: Database,
  bucket: R2Bucket,
  userId: string,
  request: CreateStrategyRequest["strategy"],
): Promise<{ definition: StrategyDefinitionInfo; version: StrategyVersionInfo }> {
  if (getBuiltinStrategy(request.slug)) {
    throw new AppError(
      "CONFLICT",
      `The slug ${JSON.stringify(request.slug)} belongs to a built-in strategy.`,
    );
  }
  const upload = request.initial_version.artifact ?? request.artifact;
  const artifactPath = request.initial_version.artifact
    ? ["strategy", "initial_version", "artifact"]
    : ["strategy", "artifact"];
  const bytes = checkArtifact(upload, request.initial_version.runtime_config, artifactPath);
  // Stored before the rows: content-addressed, so an orphan (the insert then fails) is harmless.
  const artifact = bytes && upload ? await storeArtifact(bucket, bytes, upload) : null;

  const definitionId = prefixedId("strategy");
  const version = versionValues(definitionId, request.initial_version, artifact);
  try {
    const [definition, versionRow] = await db.transaction(async (tx) => {
      await tx.insert(strategyDefinition).values({
        id: definitionId,
        slug: request.slug,
        name: request.name,
        description: request.description,
        runtimeType: request.runtime_type,
        language: request.language,
        defaultFrequency: request.default_frequency,
        minCandles: request.min_candles,
        lookbackCandles: request.lookback_candles,
        defaultConfig: request.default_config,
        parameterSchema: request.parameter_schema,
        isPublic: request.is_public,
        ownerId: userId,
      });
      const [v] = await tx.insert(strategyVersion).values(version).returning();
      const [d] = await tx
        .update(strategyDefinition)
        .set({ currentVersionId: version.id })
        .where(eq(strategyDefinition.id, definitionId))
        .returning();
      return [d, v] as const;
    });
    if (!definition || !versionRow) throw new Error("insert returned no row");
    return {
      definition: toDefinitionInfo(definition, versionRow, userId),
      version: toVersionInfo(versionRow, definition.currentVersionId, true),
    };
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("CONFLICT", `The slug ${JSON.stringify(request.slug)} is taken.`, { cause: e });
    }
    throw e;
  }
}

/**
 * `POST /api/strategies/:slug/versions`: a new immutable version (409 when the version string
 * exists), current unless `make_current` is false. 404 when invisible, 403 when visible but not owned.
 */
export async function createVersion(
  db: Database,
  bucket: R2Bucket,
  userId: string,
  slug: string,
  request: CreateVersionRequest["version"],
): Promise<StrategyVersionInfo> {
  const found = await findVisibleDefinition(db, userId, slug);
  if (!found) throw notFound(slug);
  const { definition } = found;
  if (definition.ownerId !== userId) {
    throw new AppError("FORBIDDEN", "Only the owner of a strategy can add versions to it.");
  }
  if (request.runtime_config.type !== definition.runtimeType) {
    throw new AppError(
      "VALIDATION_FAILED",
      `This strategy runs on the ${definition.runtimeType} runtime; a version cannot change it.`,
      {
        issues: [
          {
            path: ["version", "runtime_config", "type"],
            message: `must be ${JSON.stringify(definition.runtimeType)}`,
          },
        ],
      },
    );
  }
  const bytes = checkArtifact(request.artifact, request.runtime_config, ["version", "artifact"]);
  const artifact = bytes && request.artifact ? await storeArtifact(bucket, bytes, request.artifact) : null;
  const values = versionValues(definition.id, request, artifact);
  try {
    const row = await db.transaction(async (tx) => {
      const [v] = await tx.insert(strategyVersion).values(values).returning();
      if (request.make_current) {
        await tx
          .update(strategyDefinition)
          .set({ currentVersionId: values.id, updatedAt: new Date() })
          .where(eq(strategyDefinition.id, definition.id));
      }
      return v;
    });
    if (!row) throw new Error("insert returned no row");
    return toVersionInfo(row, request.make_current ? row.id : definition.currentVersionId, true);
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError(
        "CONFLICT",
        `Version ${JSON.stringify(request.version)} of ${JSON.stringify(slug)} exists; versions are immutable, publish a new one.`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** `GET /api/strategies/:slug/versions`: newest first. */
export async function listVersions(
  db: Database,
  userId: string,
  slug: string,
): Promise<StrategyVersionInfo[]> {
  const found = await findVisibleDefinition(db, userId, slug);
  if (!found) throw notFound(slug);
  const rows = await db
    .select()
    .from(strategyVersion)
    .where(eq(strategyVersion.strategyId, found.definition.id))
    .orderBy(desc(strategyVersion.createdAt), desc(strategyVersion.id));
  const owned = found.definition.ownerId === userId;
  return rows.map((r) => toVersionInfo(r, found.definition.currentVersionId, owned));
}

/** One version of a visible strategy (`version` omitted: the current one), or 404. */
export async function findVisibleVersion(
  db: Database,
  userId: string,
  slug: string,
  version?: string,
): Promise<{ definition: DefinitionRow; version: VersionRow }> {
  const found = await findVisibleDefinition(db, userId, slug);
  if (!found) throw notFound(slug);
  if (version === undefined) {
    if (!found.current) throw new AppError("NOT_FOUND", `Strategy ${JSON.stringify(slug)} has no version.`);
    return { definition: found.definition, version: found.current };
  }
  const [row] = await db
    .select()
    .from(strategyVersion)
    .where(and(eq(strategyVersion.strategyId, found.definition.id), eq(strategyVersion.version, version)));
  if (!row)
    throw new AppError(
      "NOT_FOUND",
      `Strategy ${JSON.stringify(slug)} has no version ${JSON.stringify(version)}.`,
    );
  return { definition: found.definition, version: row };
}

/** A version's stored module (`GET …/versions/:version/artifact`): 404 without one, 500 if R2 lost it. */
export async function readArtifact(
  { db, storage }: Pick<Services, "db" | "storage">,
  userId: string,
  slug: string,
  version: string,
) {
  const { version: row } = await findVisibleVersion(db, userId, slug, version);
  if (!row.artifactKey)
    throw new AppError("NOT_FOUND", `Version ${JSON.stringify(version)} has no artifact.`);
  const object = await storage.artifacts.get(row.artifactKey);
  if (!object) throw new AppError("INTERNAL", "Artifact missing from storage.", { cause: row.artifactKey });
  return { row, object };
}
