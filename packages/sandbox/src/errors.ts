/**
 * Why a sandboxed strategy run failed, in words a person understands, plus a stable machine code.
 *
 * @module
 */

/** Stable failure codes of sandboxed runs. */
export type SandboxFailureCode =
  | "invalid_module"
  | "abi"
  | "init"
  | "trap"
  | "cpu"
  | "memory"
  | "output"
  | "engine"
  | "sandbox"
  // Not a failure of the strategy: the request named kept bars the child no longer has (see
  // `SandboxRunRequest.barsKey`); the caller sends them and asks again.
  | "bars_missing";

/** A sandboxed strategy run failed; `reason` is meant to be shown to the strategy's author. */
export class SandboxError extends Error {
  readonly code: SandboxFailureCode;
  readonly reason: string;

  constructor(code: SandboxFailureCode, reason: string) {
    super(reason);
    this.name = "SandboxError";
    this.code = code;
    this.reason = reason;
  }
}

/** Formats a byte count as MiB for messages. */
export function mib(bytes: number): string {
  const v = bytes / (1024 * 1024);
  return `${Number.isInteger(v) ? v : v.toFixed(1)} MiB`;
}
