/**
 * From a backtest request to what the engine runs: the execution config (published parameter names
 * plus ours, see `backtestParametersSchema`). The bars hash is `hashBars` (domain/market-data/bars.ts).
 */
import type { BacktestParameters } from "@quantago/contracts";
import {
  type ExecutionConfig,
  executionConfigFromParameters,
  resolveExecutionConfig,
} from "@quantago/engine";

/** Our execution-model keys of `parameters`, copied to the engine config as they are. */
const EXECUTION_KEYS = [
  "sizing",
  "units",
  "fraction",
  "feePct",
  "feeFixed",
  "slippageBps",
  "fill",
  "direction",
  "endOfData",
] as const;

/**
 * The engine config of a backtest. Throws `EngineConfigError` (a 400 at submit time) when the
 * combination is invalid, e.g. fixed-unit sizing without `units`.
 */
export function executionConfigFor(
  parameters: BacktestParameters,
  backtest: { exchange: string; initialBalance: number },
): ExecutionConfig {
  const ours: ExecutionConfig = {};
  for (const key of EXECUTION_KEYS) {
    if (parameters[key] !== undefined) Object.assign(ours, { [key]: parameters[key] });
  }
  const { config } = executionConfigFromParameters(parameters, {
    ...ours,
    exchange: backtest.exchange as ExecutionConfig["exchange"],
    initialBalance: backtest.initialBalance,
  });
  resolveExecutionConfig(config);
  return config;
}
