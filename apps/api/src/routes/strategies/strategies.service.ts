import type { StrategyCatalogEntry } from "@quantago/contracts";
import { builtinStrategies, getBuiltinStrategy, type StrategyDefinition } from "@quantago/strategies";
import { AppError } from "../../lib/errors.ts";

/** The catalog shape of a built-in native strategy. */
export function builtinEntry(definition: StrategyDefinition): StrategyCatalogEntry {
  return {
    slug: definition.slug,
    name: definition.name,
    description: definition.description,
    version: definition.version,
    runtime: definition.runtime,
    language: definition.language,
    defaultFrequency: definition.defaultFrequency,
    minCandles: definition.minCandles,
    lookbackCandles: definition.lookbackCandles,
    defaultConfig: { takeProfitLevel: null, stopLossLevel: null },
    // The schema's defaults are the definition's defaults, so the two cannot disagree.
    parameterSchema: definition.parameterSchema as StrategyCatalogEntry["parameterSchema"],
    source: "builtin",
  };
}

/**
 * `GET /api/strategies`: the built-in strategies. Registry strategies (own or public) join this list
 * with the strategy catalog of the runtimes issue.
 */
export function listStrategies(): StrategyCatalogEntry[] {
  return builtinStrategies.map(builtinEntry);
}

/** `GET /api/strategies/:slug`: a built-in by slug (or name); 404 otherwise. */
export function getStrategy(slug: string): StrategyCatalogEntry {
  const definition = getBuiltinStrategy(slug);
  if (!definition) throw new AppError("NOT_FOUND", `No strategy ${JSON.stringify(slug)}.`);
  return builtinEntry(definition);
}
