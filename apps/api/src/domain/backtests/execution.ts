/**
 * From a backtest request to what the engine runs: the execution config (published parameter names
 * plus ours, see `backtestParametersSchema`) and the bars hash recorded for reproducibility.
 */
import type { BacktestParameters } from "@quantago/contracts";
import {
  type ExecutionConfig,
  executionConfigFromParameters,
  resolveExecutionConfig,
} from "@quantago/engine";
import type { BarColumns } from "@quantago/strategies";
import { toHex } from "../../lib/hex.ts";

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

/** SHA-256 (hex) over the six bar columns' bytes in order: equal hash, equal bars. */
export async function hashBars(bars: BarColumns): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    await writer.write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  await writer.close();
  return toHex(new Uint8Array(await digest.digest));
}
