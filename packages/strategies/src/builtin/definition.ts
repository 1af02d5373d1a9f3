import type { ActionCode, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { FRESH_INDICATORS, type IndicatorSource } from "../indicators/memo.ts";
import { type ParameterSchema, ParameterValidationError, resolveParameters } from "../params.ts";

/**
 * Trading cadence a strategy is designed for; the platform's entry guardrails (minimum time between
 * entries, entries per day) follow it when a backtest does not choose its own.
 */
export type EntryFrequency = "scalping" | "daily" | "weekly" | "monthly" | "quarterly";

/**
 * Exit levels and market-data timeframe a strategy is published with, used when a backtest does not
 * set its own. Levels are percent of the entry price (`1` = 1 %); null means none.
 */
export interface StrategyDefaultConfig {
  readonly takeProfitLevel: number | null;
  readonly stopLossLevel: number | null;
  /** Bar timeframe (`"5m"`, `"1d"`, ...); absent: the platform default. */
  readonly timeframe?: string;
}

/** The default config of a strategy without exit levels or a timeframe of its own. */
export const NO_DEFAULT_CONFIG: StrategyDefaultConfig = Object.freeze({
  takeProfitLevel: null,
  stopLossLevel: null,
});

/** Candles a strategy needs: before its first possible signal, and as history per decision. */
export interface StrategyRequirements {
  readonly minCandles: number;
  readonly lookbackCandles: number;
}

/**
 * A built-in strategy: catalog metadata (docs/compatibility.md#strategy-catalog-and-registry) plus a factory for its fast-path implementation.
 *
 * @example
 * ```ts
 * smaCrossover.parameterSchema.properties.fast.default; // 10
 * const strategy = smaCrossover.create({ fast: 5, slow: 20 }); // validated, throws on bad input
 * ```
 */
export interface StrategyDefinition<P extends Record<string, number> = Record<string, number>> {
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly runtime: "native";
  readonly language: "typescript";
  readonly defaultFrequency: EntryFrequency;
  /** Take-profit / stop-loss levels (percent) and timeframe used when a backtest sets none. */
  readonly defaultConfig: StrategyDefaultConfig;
  /**
   * Slug of the built-in whose implementation this one reuses with other defaults and metadata
   * (an alias); absent for an implementation of its own.
   */
  readonly aliasOf?: string;
  readonly parameterSchema: ParameterSchema;
  /** Parameter values used when none are given. */
  readonly defaults: Readonly<P>;
  /** Requirements with the default parameters (the catalog values). */
  readonly minCandles: number;
  readonly lookbackCandles: number;
  /** Validates raw parameters (unknown keys ignored, defaults filled); throws `ParameterValidationError`. */
  parseParameters(raw?: unknown): P;
  /** Requirements for the given raw parameters. */
  requirements(raw?: unknown): StrategyRequirements;
  /**
   * A fresh fast-path instance with validated parameters. `options.indicators` serves the indicators
   * of strategies that take theirs from an {@link IndicatorSource} (the moving-average crossovers):
   * an `IndicatorMemo` shares them across the runs of a sweep, with identical results.
   */
  create(raw?: unknown, options?: CreateOptions): BarStrategy;
}

/**
 * Whether the strategy's own rules accept `raw` (its schema's bounds and its cross-field checks, such
 * as fast < slow). A sweep counts and skips the combinations they refuse before anything runs: the API
 * when it plans one, the web app when it previews the count.
 */
export function acceptsParameters(definition: StrategyDefinition, raw: unknown): boolean {
  try {
    definition.parseParameters(raw);
    return true;
  } catch (e) {
    if (e instanceof ParameterValidationError) return false;
    throw e;
  }
}

/** Options of {@link StrategyDefinition.create}. */
export interface CreateOptions {
  /** Default {@link FRESH_INDICATORS}: every indicator built for this instance alone. */
  readonly indicators?: IndicatorSource;
}

/** Internal description of a built-in from which {@link defineStrategy} builds the definition. */
export interface StrategySpec<P extends Record<string, number>> {
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  /** Default `"scalping"`. */
  readonly defaultFrequency?: EntryFrequency;
  /** Default {@link NO_DEFAULT_CONFIG}. */
  readonly defaultConfig?: StrategyDefaultConfig;
  readonly parameterSchema: ParameterSchema;
  /** Cross-field checks; return messages (empty when valid). */
  readonly check?: (p: P) => string[];
  readonly requirements: (p: P) => StrategyRequirements;
  /**
   * A fresh instance; `slug` is the definition's slug (an alias passes its own). Indicators fed with
   * closes may come from `indicators` (always given; fresh ones unless a sweep shares them).
   */
  readonly create: (
    p: P,
    req: StrategyRequirements,
    slug: string,
    indicators: IndicatorSource,
  ) => BarStrategy;
}

/** Builds a {@link StrategyDefinition} from a {@link StrategySpec}. */
export function defineStrategy<P extends Record<string, number>>(
  spec: StrategySpec<P>,
  aliasOf?: string,
): StrategyDefinition<P> {
  const parse = (raw?: unknown): P => {
    const p = resolveParameters(spec.parameterSchema, raw, spec.slug) as P;
    const problems = spec.check?.(p) ?? [];
    if (problems.length > 0) {
      throw new ParameterValidationError(
        spec.slug,
        problems.map((message) => ({ path: "", message })),
      );
    }
    return p;
  };
  const defaults = Object.freeze(parse({}));
  const defaultReq = spec.requirements(defaults);
  return Object.freeze({
    slug: spec.slug,
    name: spec.name,
    description: spec.description,
    version: "1.0.0",
    runtime: "native",
    language: "typescript",
    defaultFrequency: spec.defaultFrequency ?? "scalping",
    defaultConfig: Object.freeze({ ...(spec.defaultConfig ?? NO_DEFAULT_CONFIG) }),
    ...(aliasOf === undefined ? {} : { aliasOf }),
    parameterSchema: spec.parameterSchema,
    defaults,
    minCandles: defaultReq.minCandles,
    lookbackCandles: defaultReq.lookbackCandles,
    parseParameters: parse,
    requirements: (raw?: unknown) => spec.requirements(parse(raw)),
    create: (raw?: unknown, options?: CreateOptions) => {
      const p = parse(raw);
      return spec.create(p, spec.requirements(p), spec.slug, options?.indicators ?? FRESH_INDICATORS);
    },
  } as const);
}

/** What an alias changes on the strategy it reuses. */
export interface StrategyAlias<P extends Record<string, number>> {
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly defaultFrequency: EntryFrequency;
  readonly defaultConfig: StrategyDefaultConfig;
  /** New defaults of some parameters (the schema, validation and rule stay the base's). */
  readonly defaults?: Partial<P>;
  /** Requirements in place of the base's. */
  readonly requirements?: (p: P) => StrategyRequirements;
}

/**
 * A second catalog entry for the implementation of `base`: same rule, parameter schema, validation
 * and factory, with its own slug, name, description, defaults, frequency and default config.
 *
 * @example
 * ```ts
 * const trendFollowing = aliasStrategy(emaCrossoverSpec, { slug: "trend-following-strategy", defaults: { fast: 20, slow: 50 }, ... });
 * ```
 */
export function aliasStrategy<P extends Record<string, number>>(
  base: StrategySpec<P>,
  alias: StrategyAlias<P>,
): StrategyDefinition<P> {
  const overrides: Partial<P> = alias.defaults ?? {};
  const properties = Object.fromEntries(
    Object.entries(base.parameterSchema.properties).map(([key, prop]) => {
      const value = overrides[key];
      return [key, value === undefined ? prop : { ...prop, default: value }];
    }),
  );
  return defineStrategy<P>(
    {
      ...base,
      slug: alias.slug,
      name: alias.name,
      description: alias.description,
      defaultFrequency: alias.defaultFrequency,
      defaultConfig: alias.defaultConfig,
      parameterSchema: { ...base.parameterSchema, properties },
      requirements: alias.requirements ?? base.requirements,
    },
    base.slug,
  );
}

/**
 * Crossing of line `a` over line `b` between the previous and the current bar: BUY when `a` crosses
 * above (`a > b` now and `a <= b` before), SELL when it crosses below (`a < b` now, `a >= b` before),
 * HOLD otherwise. Any NaN input (indicator not ready) yields HOLD.
 */
export function crossAction(a: number, b: number, prevA: number, prevB: number): ActionCode {
  if (a > b) return prevA <= prevB ? BUY : HOLD;
  if (a < b) return prevA >= prevB ? SELL : HOLD;
  return HOLD;
}
