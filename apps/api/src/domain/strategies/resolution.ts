/**
 * Which strategy a backtest runs, decided once at submit time and pinned on the row: a built-in by
 * slug or name, a registry strategy visible to the caller (its current version, or
 * `parameters.strategyVersion`; the version id and artifact hash are stored), or an ad-hoc remote
 * strategy described in `parameters.strategyRuntime`. The workflow rebuilds the runtime from the row,
 * so a rerun months later runs the same version and the same bytes.
 */
import type {
  BacktestParameters,
  RemoteRuntimeConfig,
  RuntimeConfig,
  WasmRuntimeConfig,
} from "@quantago/contracts";
import { type backtest, type Database, strategyDefinition, strategyVersion } from "@quantago/db";
import { getBuiltinStrategy, ParameterValidationError } from "@quantago/strategies";
import { eq } from "drizzle-orm";
import type { Config } from "../../env.ts";
import { AppError } from "../../lib/errors.ts";
import type { Services } from "../../services.ts";
import { sha256Hex } from "./artifacts.ts";
import { findVisibleVersion } from "./registry.ts";
import { endpointRefusal } from "./runtimes/endpoint-policy.ts";
import {
  nativeRuntime,
  RuntimeError,
  remoteRuntime,
  type StrategyIdentity,
  type StrategyRuntime,
  wasmRuntime,
} from "./runtimes/index.ts";

/** Platform parameters a strategy supplies when the request leaves them out (levels in percent). */
export interface StrategyDefaults {
  timeframe?: string;
  entryFrequency?: string;
  takeProfitLevel?: number;
  stopLossLevel?: number;
}

/** Defaults of an ad-hoc remote strategy, as published. */
export const ADHOC_DEFAULTS = {
  version: "1.0.0",
  timeframe: "1d",
  entryFrequency: "daily",
  takeProfitLevel: 1,
  stopLossLevel: 0.5,
} as const;

/** A definition's frequency and default config as {@link StrategyDefaults} (null levels: none). */
function definitionDefaults(
  frequency: string,
  config: { takeProfitLevel?: number | null; stopLossLevel?: number | null; timeframe?: string },
): StrategyDefaults {
  return {
    entryFrequency: frequency,
    ...(config.timeframe ? { timeframe: config.timeframe } : {}),
    ...(typeof config.takeProfitLevel === "number" ? { takeProfitLevel: config.takeProfitLevel } : {}),
    ...(typeof config.stopLossLevel === "number" ? { stopLossLevel: config.stopLossLevel } : {}),
  };
}

export interface ResolvedStrategy {
  source: "builtin" | "registry" | "adhoc";
  /** Canonical slug (built-ins, registry) or the name the caller gave (ad hoc). */
  name: string;
  runtime: "native" | "remote" | "wasm";
  version: string | null;
  versionId: string | null;
  artifactSha256: string | null;
  /** What the strategy supplies for the platform parameters the request left out. */
  defaults: StrategyDefaults;
}

function invalidStrategy(message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, {
    issues: [{ path: ["backtest", "strategy"], message }],
  });
}

function checkEndpoint(config: RemoteRuntimeConfig, allowPrivate: boolean): void {
  const refusal = endpointRefusal(config.endpoint, allowPrivate);
  if (refusal) throw invalidStrategy(`The remote strategy endpoint ${refusal}.`);
}

/** Resolves `backtest.strategy` for the caller or answers a 400 that says why. */
export async function resolveStrategy(
  db: Database,
  config: Config,
  userId: string,
  name: string,
  parameters: BacktestParameters,
): Promise<ResolvedStrategy> {
  if (parameters.strategyRuntime) {
    checkEndpoint(parameters.strategyRuntime, config.REMOTE_STRATEGY_ALLOW_PRIVATE);
    return {
      source: "adhoc",
      name,
      runtime: "remote",
      version: parameters.strategyVersion ?? ADHOC_DEFAULTS.version,
      versionId: null,
      artifactSha256: null,
      defaults: {
        timeframe: ADHOC_DEFAULTS.timeframe,
        entryFrequency: ADHOC_DEFAULTS.entryFrequency,
        takeProfitLevel: ADHOC_DEFAULTS.takeProfitLevel,
        stopLossLevel: ADHOC_DEFAULTS.stopLossLevel,
      },
    };
  }
  const builtin = getBuiltinStrategy(name);
  if (builtin) {
    try {
      builtin.parseParameters(parameters);
    } catch (e) {
      if (e instanceof ParameterValidationError) {
        throw new AppError("VALIDATION_FAILED", e.message, {
          issues: [{ path: ["backtest", "parameters"], message: e.message }],
        });
      }
      throw e;
    }
    return {
      source: "builtin",
      name: builtin.slug,
      runtime: "native",
      version: builtin.version,
      versionId: null,
      artifactSha256: null,
      defaults: definitionDefaults(builtin.defaultFrequency, builtin.defaultConfig),
    };
  }
  let found: Awaited<ReturnType<typeof findVisibleVersion>>;
  try {
    found = await findVisibleVersion(db, userId, name, parameters.strategyVersion);
  } catch (e) {
    if (e instanceof AppError && e.code === "NOT_FOUND")
      throw invalidStrategy(`Unknown strategy: ${e.message}`);
    throw e;
  }
  const runtime = found.version.runtimeConfig as RuntimeConfig;
  if (runtime.type === "remote") checkEndpoint(runtime, config.REMOTE_STRATEGY_ALLOW_PRIVATE);
  return {
    source: "registry",
    name: found.definition.slug,
    runtime: runtime.type,
    version: found.version.version,
    versionId: found.version.id,
    artifactSha256: found.version.artifactSha256,
    defaults: definitionDefaults(
      found.definition.defaultFrequency,
      found.definition.defaultConfig as Parameters<typeof definitionDefaults>[1],
    ),
  };
}

type BacktestRow = typeof backtest.$inferSelect;

/** What rebuilding a runtime needs: the registry, the stored modules, the sandbox loader, the policy. */
export type RuntimeDeps = Pick<Services, "db" | "storage" | "loader" | "config">;

/** Rebuilds the pinned strategy of a stored backtest as a runtime (in the workflow). */
export async function runtimeFor(row: BacktestRow, deps: RuntimeDeps): Promise<StrategyRuntime> {
  const parameters = row.parameters as BacktestParameters;
  if (row.strategySource === "builtin") {
    const builtin = getBuiltinStrategy(row.strategy);
    if (!builtin)
      throw new RuntimeError("strategy_parameters", `Built-in strategy ${row.strategy} no longer exists.`);
    return nativeRuntime(builtin);
  }
  if (row.strategySource === "adhoc") {
    const runtime = parameters.strategyRuntime;
    if (!runtime)
      throw new RuntimeError("strategy_parameters", "The ad-hoc strategy has no strategyRuntime.");
    const minCandles = parameters.strategyMinCandles ?? 1;
    const identity: StrategyIdentity = {
      name: row.strategy,
      version: row.strategyVersion ?? ADHOC_DEFAULTS.version,
      runtime: "remote",
      language: runtime.language,
      minCandles,
      lookbackCandles: parameters.strategyLookbackCandles ?? runtime.lookbackCandles ?? minCandles,
    };
    return remoteRuntime(runtime, identity, { allowPrivate: deps.config.REMOTE_STRATEGY_ALLOW_PRIVATE });
  }
  if (!row.strategyVersionId) throw new RuntimeError("artifact_missing", "The strategy version was deleted.");
  const [found] = await deps.db
    .select({ definition: strategyDefinition, version: strategyVersion })
    .from(strategyVersion)
    .innerJoin(strategyDefinition, eq(strategyDefinition.id, strategyVersion.strategyId))
    .where(eq(strategyVersion.id, row.strategyVersionId));
  if (!found) throw new RuntimeError("artifact_missing", "The strategy version was deleted.");
  const runtime = found.version.runtimeConfig as RuntimeConfig;
  const identity: StrategyIdentity = {
    name: found.definition.slug,
    version: found.version.version,
    runtime: runtime.type,
    language: runtime.language,
    minCandles: found.definition.minCandles,
    lookbackCandles: found.definition.lookbackCandles,
  };
  if (runtime.type === "remote")
    return remoteRuntime(runtime, identity, { allowPrivate: deps.config.REMOTE_STRATEGY_ALLOW_PRIVATE });
  const key = found.version.artifactKey;
  const object = key ? await deps.storage.artifacts.get(key) : null;
  if (!object || !found.version.artifactSha256) {
    throw new RuntimeError("artifact_missing", "The strategy's module is missing from storage.");
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  // The row pins the hash: refuse bytes that are not the ones the backtest was submitted with.
  if ((await sha256Hex(bytes)) !== found.version.artifactSha256) {
    throw new RuntimeError(
      "artifact_missing",
      "The strategy's module in storage does not match its recorded hash.",
    );
  }
  return wasmRuntime(
    deps.loader,
    { bytes, sha256: found.version.artifactSha256 },
    runtime as WasmRuntimeConfig,
    identity,
  );
}
