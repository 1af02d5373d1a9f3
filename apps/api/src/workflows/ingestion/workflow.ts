import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import {
  abortIngestionRun,
  completeSymbol,
  failSymbol,
  finishIngestionRun,
  ingestRunChunk,
  planRun,
  startSymbol,
} from "../../domain/ingestion/pipeline.ts";
import { describeError, PermanentChunkError } from "../../domain/ingestion/sources.ts";
import type {
  IngestionPlan,
  IngestionWorkflowParams,
  SymbolOutcome,
  SymbolPlan,
} from "../../domain/ingestion/types.ts";
import type { Env } from "../../env.ts";
import { withServices } from "../../services.ts";

const BOOKKEEPING = {
  retries: { limit: 5, delay: "1 second", backoff: "exponential" },
  timeout: "1 minute",
} as const;
const CHUNK = {
  retries: { limit: 4, delay: "5 seconds", backoff: "exponential" },
  timeout: "5 minutes",
} as const;

/**
 * Bulk, incremental and backfill ingestion in one class: they differ only in how the plan picks each
 * symbol's range. Shape of an instance (id = run id):
 *
 * 1. `plan` — marks the run running, resolves symbols and ranges, emits `run.started`.
 * 2. Per symbol, in batches of `concurrency`: `start <symbol>`, one `chunk <symbol> <i>` step per chunk
 *    (fetch + INSERT, retried with exponential backoff), `complete <symbol>`; when a chunk runs out of
 *    retries (or fails permanently) `fail <symbol>` records it and the other symbols go on.
 * 3. `finish` — completed / partial / failed, totals, `run.completed`.
 *
 * What each step does lives in `domain/ingestion/pipeline.ts`; every step is idempotent there.
 */
export class IngestionWorkflow extends WorkflowEntrypoint<Env, IngestionWorkflowParams> {
  override async run(event: WorkflowEvent<IngestionWorkflowParams>, step: WorkflowStep) {
    const p = event.payload;
    try {
      const plan = await step.do("plan", BOOKKEEPING, () => withServices(this.env, (s) => planRun(s, p)));
      const concurrency = p.options?.concurrency ?? 4;
      const outcomes: SymbolOutcome[] = [];
      for (let i = 0; i < plan.symbols.length; i += concurrency) {
        const batch = plan.symbols.slice(i, i + concurrency);
        outcomes.push(...(await Promise.all(batch.map((s) => this.ingestSymbol(step, p, plan, s)))));
      }
      return await step.do("finish", BOOKKEEPING, () =>
        withServices(this.env, (s) => finishIngestionRun(s, p, outcomes)),
      );
    } catch (err) {
      const reason = describeError(err);
      await step.do("abort", BOOKKEEPING, () =>
        withServices(this.env, async (s) => {
          await abortIngestionRun(s, p.runId, reason);
          return true;
        }),
      );
      throw err;
    }
  }

  private async ingestSymbol(
    step: WorkflowStep,
    p: IngestionWorkflowParams,
    plan: IngestionPlan,
    s: SymbolPlan,
  ): Promise<SymbolOutcome> {
    let rows = 0;
    try {
      if (s.error) throw new PermanentChunkError(s.error);
      await step.do(`start ${s.symbol}`, BOOKKEEPING, () =>
        withServices(this.env, async (services) => {
          await startSymbol(services, p, s);
          return true;
        }),
      );
      let lastBarTime: number | null = null;
      for (const [index, [fromMs, toMs]] of s.chunks.entries()) {
        const rowsBefore = rows;
        const result = await step.do(`chunk ${s.symbol} ${index}`, CHUNK, async (ctx) => {
          const attempt = (ctx as { attempt?: number } | undefined)?.attempt ?? 1;
          const delayMs = this.delayMs(p, s.source);
          return withServices(this.env, (services) =>
            ingestRunChunk(services, { p, plan, s, index, fromMs, toMs, rowsBefore, attempt, delayMs }),
          );
        });
        if ("failed" in result) throw new PermanentChunkError(result.failed);
        rows += result.rows;
        lastBarTime = result.lastBarTime ?? lastBarTime;
      }
      await step.do(`complete ${s.symbol}`, BOOKKEEPING, () =>
        withServices(this.env, async (services) => {
          await completeSymbol(services, p, s, rows, lastBarTime);
          return true;
        }),
      );
      return { symbol: s.symbol, status: "completed", rows };
    } catch (err) {
      const reason = describeError(err);
      await step.do(`fail ${s.symbol}`, BOOKKEEPING, () =>
        withServices(this.env, async (services) => {
          await failSymbol(services, p, s, reason, rows);
          return true;
        }),
      );
      return { symbol: s.symbol, status: "failed", rows, error: reason };
    }
  }

  /** The run's pause between provider requests, else the operator's per provider (wrangler.toml vars). */
  private delayMs(p: IngestionWorkflowParams, source: string): number {
    const delayMs =
      p.options?.delayMs ??
      Number(
        source === "yahoo"
          ? this.env.INGESTION_YAHOO_DELAY_MS
          : source === "binance"
            ? this.env.INGESTION_BINANCE_DELAY_MS
            : 0,
      );
    return Number.isFinite(delayMs) ? delayMs : 0;
  }
}
