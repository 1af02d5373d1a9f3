import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { type CombinationRange, shardSteps } from "../../domain/research/plan.ts";
import {
  failSweepAfterRetries,
  failSweepNow,
  finishSweep,
  runSweepBatch,
  runWalkForwardWindow,
  STEPS_PER_SHARD,
  type StepTuning,
  SweepStopped,
  startSweep,
  sweepProgress,
  type WindowStep,
} from "../../domain/research/run.ts";
import type { Env } from "../../env.ts";
import { type Services, withServices } from "../../services.ts";

export interface ResearchWorkflowParams {
  sweepId: string;
  /** Set on a child instance of a fanned-out sweep: the steps it runs and the parent to tell. */
  shard?: { parent: string; index: number; steps: CombinationRange[] };
  /** Smaller steps and shards than the defaults (tests: a small sweep that still fans out). */
  tuning?: StepTuning;
}

const RETRIES = {
  retries: { limit: 2, delay: "2 seconds", backoff: "exponential" },
  timeout: "15 minutes",
} as const;

/** The event a child instance sends its parent when its steps are done (or stopped). */
const SHARD_DONE = "shard-done";
/** How long the parent waits for a child's event before it looks at the stored results anyway. */
const SHARD_WAIT = "30 seconds";
/** Instances `createBatch` creates per call. */
const CREATE_BATCH = 100;

/**
 * Runs one sweep or walk-forward analysis (docs/adr/0014): a start step, then durable steps of
 * combinations (a sweep) or one per window (a walk-forward), then a finish step. A sweep of more than
 * {@link STEPS_PER_SHARD} steps fans out: the parent creates one child instance of this same class
 * per group of steps (`shard`), which Cloudflare runs side by side, and waits for them (their events,
 * and the stored results as the truth) before it finishes. The steps' bodies are domain calls
 * (domain/research/run.ts); each is idempotent and stops once the sweep is no longer running, which
 * is how a cancel stops the remaining work, in the children too.
 */
export class ResearchWorkflow extends WorkflowEntrypoint<Env, ResearchWorkflowParams> {
  override async run(event: WorkflowEvent<ResearchWorkflowParams>, step: WorkflowStep): Promise<string> {
    const { sweepId, shard, tuning } = event.payload;
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
    // `complete`: the last step also completes the sweep (no finish step of its own).
    const runSteps = async (steps: readonly CombinationRange[], complete: boolean) => {
      for (const [k, range] of steps.entries()) {
        const last = complete && k === steps.length - 1;
        const ran = await step.do(`batch ${range[0]}-${range[1]}`, RETRIES, () =>
          guarded((s) => runSweepBatch(s, sweepId, range, last)),
        );
        if (ran === "stopped") return "stopped";
      }
      return "done";
    };
    try {
      if (shard) {
        const outcome = await runSteps(shard.steps, false);
        await step.do("tell parent", () => this.tellParent(shard.parent, shard.index));
        return outcome === "stopped" ? "stopped" : "completed";
      }
      const start = await step.do("start", RETRIES, () => guarded((s) => startSweep(s, sweepId, tuning)));
      if (start === "stopped" || start.status === "skipped") return "skipped";
      if (start.status === "completed") return "completed";
      const windows: WindowStep[] = [];
      if (start.kind === "walk_forward") {
        for (let k = 0; k < start.windows; k++) {
          const window = await step.do(`window ${k}`, RETRIES, () =>
            guarded((s) => runWalkForwardWindow(s, sweepId, k)),
          );
          if (window === "stopped") return "stopped";
          windows.push(window);
        }
      } else if (!start.fanOut) {
        // The start step ran the first step; the last of these completes the sweep.
        return (await runSteps(start.steps, true)) === "stopped" ? "stopped" : "completed";
      } else {
        const shards = shardSteps(start.steps, tuning?.stepsPerShard ?? STEPS_PER_SHARD);
        await step.do("fan out", RETRIES, () => this.createShards(event.instanceId, sweepId, shards));
        for (let k = 0; ; k++) {
          const state = await step.do(`progress ${k}`, RETRIES, () =>
            guarded((s) => sweepProgress(s, sweepId)),
          );
          if (state === "stopped") return "stopped";
          if (state === "done") break;
          try {
            await step.waitForEvent(`shard event ${k}`, { type: SHARD_DONE, timeout: SHARD_WAIT });
          } catch {
            // No child finished meanwhile (or its event was missed): the stored results decide.
          }
        }
      }
      const done = await step.do("finish", RETRIES, () => guarded((s) => finishSweep(s, sweepId, windows)));
      return done === "stopped" ? "stopped" : "completed";
    } catch (e) {
      console.error(JSON.stringify({ msg: "sweep failed after retries", sweepId, error: String(e) }));
      await step.do("record failure", () => withServices(this.env, (s) => failSweepAfterRetries(s, sweepId)));
      if (shard) await step.do("tell parent of failure", () => this.tellParent(shard.parent, shard.index));
      return "failed";
    }
  }

  /** One child instance per shard (ids `<sweep>-<shard>`), created in batches; a retry skips existing ones. */
  private async createShards(parent: string, sweepId: string, shards: CombinationRange[][]): Promise<number> {
    const workflow = this.env.RESEARCH_WORKFLOW;
    for (let k = 0; k < shards.length; k += CREATE_BATCH) {
      const instances = shards.slice(k, k + CREATE_BATCH).map((steps, j) => ({
        id: `${sweepId}-${k + j}`,
        params: { sweepId, shard: { parent, index: k + j, steps } },
      }));
      const { errors } = await workflow.createBatch({ instances });
      for (const error of errors) {
        // Created by an earlier attempt of this step: fine; anything else fails the step (retried).
        const id = instances[error.index]?.id ?? "";
        await workflow.get(id).catch(() => {
          throw new Error(`child instance ${id} was not created: ${error.message}`);
        });
      }
    }
    return shards.length;
  }

  /** Wakes the parent (best effort: it also looks at the stored results on its own). */
  private async tellParent(parent: string, index: number): Promise<boolean> {
    try {
      await (await this.env.RESEARCH_WORKFLOW.get(parent)).sendEvent({
        type: SHARD_DONE,
        payload: { index },
      });
      return true;
    } catch {
      return false; // ended (cancelled, terminated): nothing to wake
    }
  }
}
