import type { ActionCode, BarColumns, BarStrategy, DecisionSlot, PortfolioView } from "../contract.ts";
import type { ParameterProperty } from "../params.ts";
import type { StrategyRequirements } from "./definition.ts";

/** Common fields of the built-ins whose decisions depend on the bars only. */
export abstract class BarsOnlyStrategy implements BarStrategy {
  readonly slug: string;
  readonly usesPortfolio = false;
  readonly minCandles: number;
  readonly lookbackCandles: number;

  constructor(slug: string, req: StrategyRequirements) {
    this.slug = slug;
    this.minCandles = req.minCandles;
    this.lookbackCandles = req.lookbackCandles;
  }

  abstract onBar(i: number, bars: BarColumns, portfolio: PortfolioView, out: DecisionSlot): ActionCode;
  abstract reset(): void;
}

/** An integer period parameter. */
export function periodParameter(title: string, description: string, value: number): ParameterProperty {
  return { type: "integer", title, description, default: value, minimum: 1, maximum: 5000 };
}

/** A percent parameter (`0.2` = 0.2 %). */
export function percentParameter(title: string, description: string, value: number): ParameterProperty {
  return { type: "number", title, description, default: value, minimum: 0, maximum: 50 };
}

/** Cross-field check that the `fast` window is shorter than the `slow` one. */
export function fastBelowSlow<P extends Record<string, number>>(fast: string, slow: string) {
  return (p: P): string[] =>
    (p[fast] as number) < (p[slow] as number)
      ? []
      : [`${fast} (${p[fast]}) must be less than ${slow} (${p[slow]})`];
}
