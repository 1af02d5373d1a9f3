/** Why a strategy run failed, in words meant for the person who submitted the backtest. */
export type RuntimeFailureCode =
  | "strategy_output"
  | "strategy_parameters"
  | "remote_endpoint"
  | "remote_timeout"
  | "remote_unreachable"
  | "remote_status"
  | "remote_response"
  | "wasm"
  | "artifact_missing";

/**
 * A strategy failure whose message is safe and useful to show (stored as the backtest's
 * `error_message`). Anything else that escapes a run is an internal error and is shown generically.
 */
export class RuntimeError extends Error {
  readonly code: RuntimeFailureCode;

  constructor(code: RuntimeFailureCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RuntimeError";
    this.code = code;
  }
}
