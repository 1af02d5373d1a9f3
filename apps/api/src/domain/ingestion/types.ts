import type { Timeframe } from "@quantago/market-data";

export type WorkflowRunKind = "bulk" | "incremental" | "backfill";

/** Parameters of one IngestionWorkflow instance; the instance id is the run id. */
export interface IngestionWorkflowParams {
  runId: string;
  kind: WorkflowRunKind;
  timeframe: Timeframe;
  /** Registered symbols (already normalised). */
  symbols: string[];
  /** Bulk and backfill: inclusive start (Unix ms). Incremental: ignored (each symbol resumes). */
  fromMs?: number;
  /** Exclusive end (Unix ms); default now. */
  toMs?: number;
  options?: {
    concurrency?: number | undefined;
    delayMs?: number | undefined;
    chunkBars?: number | undefined;
  };
  /**
   * Fault injection for the workflow tests: `failAfterWrite[symbol] = n` makes the first n attempts of
   * each of that symbol's chunk steps throw after their INSERT, as a crash between write and
   * acknowledgement would. The HTTP routes never set it.
   */
  faults?: { failAfterWrite?: Record<string, number> };
}

/** One symbol's share of the plan. */
export interface SymbolPlan {
  symbol: string;
  assetClass: string;
  source: string;
  fromMs: number;
  toMs: number;
  /** `[from, to)` per step. */
  chunks: Array<[number, number]>;
  /** Synthetic series: bar 0 of the path and its seed. */
  originMs?: number;
  seed?: number;
  /** Why the symbol cannot be ingested at all (it is then marked failed without any step). */
  error?: string;
}

export interface IngestionPlan {
  ingestVersion: number;
  symbols: SymbolPlan[];
}

export interface SymbolOutcome {
  symbol: string;
  status: "completed" | "failed";
  rows: number;
  error?: string;
}
