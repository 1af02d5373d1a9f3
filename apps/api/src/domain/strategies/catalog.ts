import type { StrategyCatalogEntry, StrategyListItem } from "@quantago/contracts";
import type { Database } from "@quantago/db";
import { builtinStrategies, getBuiltinStrategy, type StrategyDefinition } from "@quantago/strategies";
import { AppError } from "../../lib/errors.ts";
import { findVisibleDefinition, listVisibleDefinitions, toDefinitionInfo } from "./registry.ts";

/** The catalog shape of a built-in native strategy. */
export function builtinEntry(definition: StrategyDefinition): StrategyCatalogEntry {
  return {
    slug: definition.slug,
    name: definition.name,
    description: definition.description,
    version: definition.version,
    runtime: definition.runtime,
    runtimeType: definition.runtime,
    language: definition.language,
    defaultFrequency: definition.defaultFrequency,
    minCandles: definition.minCandles,
    lookbackCandles: definition.lookbackCandles,
    defaultConfig: { ...definition.defaultConfig },
    // The schema's defaults are the definition's defaults, so the two cannot disagree.
    parameterSchema: definition.parameterSchema as StrategyCatalogEntry["parameterSchema"],
    source: "builtin",
  };
}

/** `GET /api/strategies`: the built-in strategies, then the registry strategies the caller may see. */
export async function listStrategies(db: Database, userId: string): Promise<StrategyListItem[]> {
  return [...builtinStrategies.map(builtinEntry), ...(await listVisibleDefinitions(db, userId))];
}

/** `GET /api/strategies/:slug`: a built-in (by slug or name) or a visible registry strategy; 404 otherwise. */
export async function getStrategy(db: Database, userId: string, slug: string): Promise<StrategyListItem> {
  const builtin = getBuiltinStrategy(slug);
  if (builtin) return builtinEntry(builtin);
  const found = await findVisibleDefinition(db, userId, slug);
  if (!found) throw new AppError("NOT_FOUND", `No strategy ${JSON.stringify(slug)}.`);
  return toDefinitionInfo(found.definition, found.current, userId);
}
