import type { ActionCode, BarStrategy } from "../contract.ts";
import { BUY, HOLD, SELL } from "../contract.ts";
import { type ParameterSchema, ParameterValidationError, resolveParameters } from "../params.ts";

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
  readonly defaultFrequency: "scalping";
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
  /** A fresh fast-path instance with validated parameters. */
  create(raw?: unknown): BarStrategy;
}

/** Internal description of a built-in from which {@link defineStrategy} builds the definition. */
export interface StrategySpec<P extends Record<string, number>> {
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly parameterSchema: ParameterSchema;
  /** Cross-field checks; return messages (empty when valid). */
  readonly check?: (p: P) => string[];
  readonly requirements: (p: P) => StrategyRequirements;
  readonly create: (p: P, req: StrategyRequirements) => BarStrategy;
}

/** Builds a {@link StrategyDefinition} from a {@link StrategySpec}. */
export function defineStrategy<P extends Record<string, number>>(
  spec: StrategySpec<P>,
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
    defaultFrequency: "scalping",
    parameterSchema: spec.parameterSchema,
    defaults,
    minCandles: defaultReq.minCandles,
    lookbackCandles: defaultReq.lookbackCandles,
    parseParameters: parse,
    requirements: (raw?: unknown) => spec.requirements(parse(raw)),
    create: (raw?: unknown) => {
      const p = parse(raw);
      return spec.create(p, spec.requirements(p));
    },
  } as const);
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
