import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import {
  type BacktestFaults,
  type BacktestOutcome,
  executeBacktest,
  failAfterRetries,
} from "../../domain/backtests/execute.ts";
import type { Env } from "../../env.ts";
import { withServices } from "../../services.ts";

export interface BacktestWorkflowParams {
  backtestId: string;
  /** Tests only (see BacktestFaults); the API never sets it. */
  faults?: BacktestFaults;
}

/**
 * Runs one stored backtest. The bars cannot travel between steps (a step's result is capped at
 * 1 MiB), so loading, running and persisting are one step; it is idempotent (see domain/backtests/execute.ts), which
 * is what makes its retries safe, and a remote strategy's answers are checkpointed to R2 as they come,
 * so a retry resumes a long remote run where it stopped. A strategy's own failure is recorded at once
 * and not retried.
 */
export class BacktestWorkflow extends WorkflowEntrypoint<Env, BacktestWorkflowParams> {
  override async run(
    event: WorkflowEvent<BacktestWorkflowParams>,
    step: WorkflowStep,
  ): Promise<BacktestOutcome> {
    const { backtestId } = event.payload;
    try {
      return await step.do(
        "run backtest",
        { retries: { limit: 2, delay: "2 seconds", backoff: "exponential" }, timeout: "15 minutes" },
        () =>
          withServices(this.env, (services) => executeBacktest(services, backtestId, event.payload.faults)),
      );
    } catch (e) {
      console.error(JSON.stringify({ msg: "backtest failed after retries", backtestId, error: String(e) }));
      await step.do("record failure", () =>
        withServices(this.env, (services) => failAfterRetries(services, backtestId)),
      );
      return { status: "failed", error: "internal" };
    }
  }
}
