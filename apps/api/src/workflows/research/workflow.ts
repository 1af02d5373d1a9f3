import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import {
  failSweepAfterRetries,
  failSweepNow,
  finishSweep,
  runSweepBatch,
  runWalkForwardWindow,
  SweepStopped,
  startSweep,
  type WindowStep,
} from "../../domain/research/run.ts";
import type { Env } from "../../env.ts";
import { type Services, withServices } from "../../services.ts";

export interface ResearchWorkflowParams {
  sweepId: string;
}

const RETRIES = {
  retries: { limit: 2, delay: "2 seconds", backoff: "exponential" },
  timeout: "15 minutes",
} as const;

/**
 * Runs one sweep or walk-forward analysis (docs/adr/0014): a start step, then one durable step per
 * batch of combinations (a sweep) or per window (a walk-forward), then a finish step. The steps'
 * bodies are domain calls (domain/research/run.ts); each is idempotent and stops once the sweep is no
 * longer running, which is how a cancel stops the remaining work.
 */
export class ResearchWorkflow extends WorkflowEntrypoint<Env, ResearchWorkflowParams> {
  override async run(event: WorkflowEvent<ResearchWorkflowParams>, step: WorkflowStep): Promise<string> {
    const { sweepId } = event.payload;
    // A step whose sweep is no longer running (cancelled, deleted, or failed by the strategy) answers
    // "stopped" instead of throwing, so it is not retried and the remaining steps never start.
    const guarded = <T>(work: (services: Services) => Promise<T>) =>
      withServices(this.env, async (services): Promise<T | "stopped"> => {
        try {
          return await work(services);
        } catch (e) {
          if (e instanceof SweepStopped) return "stopped";
          if (await failSweepNow(services, sweepId, e)) return "stopped";
          throw e;
        }
      });
    try {
      const start = await step.do("start", RETRIES, () => guarded((s) => startSweep(s, sweepId)));
      if (start === "stopped" || start.status === "skipped") return "skipped";
      const windows: WindowStep[] = [];
      if (start.kind === "walk_forward") {
        for (let k = 0; k < start.windows; k++) {
          const window = await step.do(`window ${k}`, RETRIES, () =>
            guarded((s) => runWalkForwardWindow(s, sweepId, k)),
          );
          if (window === "stopped") return "stopped";
          windows.push(window);
        }
      } else {
        for (let b = 0; b < start.batches; b++) {
          const batch = await step.do(`batch ${b}`, RETRIES, () =>
            guarded((s) => runSweepBatch(s, sweepId, b)),
          );
          if (batch === "stopped") return "stopped";
        }
      }
      const done = await step.do("finish", RETRIES, () => guarded((s) => finishSweep(s, sweepId, windows)));
      return done === "stopped" ? "stopped" : "completed";
    } catch (e) {
      console.error(JSON.stringify({ msg: "sweep failed after retries", sweepId, error: String(e) }));
      await step.do("record failure", () => withServices(this.env, (s) => failSweepAfterRetries(s, sweepId)));
      return "failed";
    }
  }
}
