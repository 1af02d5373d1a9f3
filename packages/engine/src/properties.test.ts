import type { BarColumns } from "@quantago/strategies";
import { smaCrossover } from "@quantago/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runBacktest } from "./backtest.ts";
import type { ExecutionConfig } from "./config.ts";
import { generateSmaxBars } from "./fixtures/smax.ts";
import { EXIT_REASONS } from "./trade-log.ts";
import type { BacktestResult } from "./types.ts";

const HOUR = 3_600_000;

/** Random OHLC bars: a walk of closes, opens that may gap, highs/lows around them. */
const barsArb = fc
  .array(
    fc.record({
      gap: fc.double({ min: -0.03, max: 0.03, noNaN: true }),
      move: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      up: fc.double({ min: 0, max: 0.03, noNaN: true }),
      down: fc.double({ min: 0, max: 0.03, noNaN: true }),
    }),
    { minLength: 1, maxLength: 80, size: "medium" },
  )
  .map((rows): BarColumns => {
    const n = rows.length;
    const b = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n).fill(1),
    };
    let prev = 100;
    rows.forEach((r, i) => {
      const o = prev * (1 + r.gap);
      const c = o * (1 + r.move);
      b.time[i] = Date.UTC(2024, 0, 1) + i * HOUR;
      b.open[i] = o;
      b.close[i] = c;
      b.high[i] = Math.max(o, c) * (1 + r.up);
      b.low[i] = Math.min(o, c) * (1 - r.down);
      prev = c;
    });
    return b;
  });

const configArb: fc.Arbitrary<ExecutionConfig> = fc.record({
  initialBalance: fc.constantFrom(1000, 10_000),
  fill: fc.constantFrom("next_open", "signal_close"),
  direction: fc.constantFrom("long_only", "long_short"),
  sizing: fc.constantFrom("fixed_units", "fraction_of_equity", "risk_per_trade"),
  units: fc.double({ min: 0.1, max: 5, noNaN: true }),
  fraction: fc.double({ min: 0.1, max: 1, noNaN: true }),
  feePct: fc.constantFrom(0, 0.1, 1),
  feeFixed: fc.constantFrom(0, 1),
  slippageBps: fc.constantFrom(0, 5, 50),
  takeProfitPct: fc.constantFrom(null, 1, 3),
  stopLossPct: fc.constantFrom(null, 1, 2),
  maxTradeHours: fc.constantFrom(null, 2, 5),
  entryFrequency: fc.constantFrom("scalping", "daily"),
  endOfData: fc.constantFrom("close", "mark"),
}) as fc.Arbitrary<ExecutionConfig>;

const scenarioArb = barsArb.chain((bars) =>
  fc.record({
    bars: fc.constant(bars),
    actions: fc.uint8Array({ min: 0, max: 2, minLength: bars.time.length, maxLength: bars.time.length }),
    config: configArb,
  }),
);

function closeTo(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(scale));
}

/** Equity rebuilt from the trades alone: initial + realized pnl + open position marked, minus its entry fee. */
function equityFromTrades(
  r: BacktestResult,
  bars: BarColumns,
  j: number,
): { equity: number; position: number } {
  let equity = r.config.initialBalance;
  let position = 0;
  const all = [...r.trades];
  for (const t of all) {
    if (t.exitIndex <= j) equity += t.pnl;
    else if (t.entryIndex <= j) {
      const signed = t.side === "long" ? t.size : -t.size;
      equity += ((bars.close[j] as number) - t.entryPrice) * signed - t.entryFee;
      position = signed;
    }
  }
  const o = r.openPosition;
  if (o !== null && o.entryIndex <= j) {
    const signed = o.side === "long" ? o.size : -o.size;
    equity += ((bars.close[j] as number) - o.entryPrice) * signed - o.entryFee;
    position = signed;
  }
  return { equity, position };
}

/** Every number finite or null, nested objects (the per-direction trade statistics) included. */
function allFiniteOrNull(obj: Record<string, unknown>): boolean {
  return Object.values(obj).every(
    (v) =>
      v === null ||
      (typeof v === "number" && Number.isFinite(v)) ||
      (typeof v === "object" && allFiniteOrNull(v as Record<string, unknown>)),
  );
}

describe("engine properties", () => {
  it("equity = cash + position value at every bar (rebuilt from the trades)", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, config, { recordPosition: true });
        for (let j = 0; j < bars.time.length; j++) {
          const { equity, position } = equityFromTrades(r, bars, j);
          expect(closeTo(r.equity[j] as number, equity, r.config.initialBalance * 10), `bar ${j}`).toBe(true);
          const recorded = (r.position as Float64Array)[j] as number;
          if (!(j === bars.time.length - 1 && r.config.endOfData === "close")) {
            expect(closeTo(recorded, position, 1), `position at bar ${j}`).toBe(true);
          }
        }
        expect(
          closeTo(
            r.metrics.finalEquity,
            r.finalCash + ((r.position as Float64Array).at(-1) ?? 0) * (bars.close.at(-1) ?? 0),
            r.config.initialBalance,
          ),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("fees are non-negative and add up", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, config, { recordPosition: true });
        let total = r.openPosition?.entryFee ?? 0;
        for (const t of r.trades) {
          expect(t.entryFee).toBeGreaterThanOrEqual(0);
          expect(t.exitFee).toBeGreaterThanOrEqual(0);
          expect(t.fees).toBe(t.entryFee + t.exitFee);
          total += t.fees;
        }
        expect(r.metrics.feesPaid).toBeGreaterThanOrEqual(0);
        expect(closeTo(r.metrics.feesPaid, total, 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("no fill happens before its signal bar; next_open fills strictly after it", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, config, { recordPosition: true });
        const nextOpen = r.config.fill === "next_open";
        const positions = [...r.trades, ...(r.openPosition ? [r.openPosition] : [])];
        for (const t of positions) {
          expect(actions[t.entrySignalIndex]).not.toBe(0);
          if (nextOpen) expect(t.entryIndex).toBeGreaterThan(t.entrySignalIndex);
          else expect(t.entryIndex).toBe(t.entrySignalIndex);
        }
        for (const t of r.trades) {
          expect(t.exitIndex).toBeGreaterThanOrEqual(t.entryIndex);
          if (t.reason === "signal") {
            if (nextOpen) expect(t.exitIndex).toBeGreaterThan(t.exitSignalIndex);
            else expect(t.exitIndex).toBe(t.exitSignalIndex);
          } else {
            expect(t.exitSignalIndex).toBe(-1);
          }
          if (t.reason === "end_of_data") expect(t.exitIndex).toBe(bars.time.length - 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("trade columns and trade objects describe the same trades", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, config);
        const c = r.tradeColumns;
        expect(c.count).toBe(r.trades.length);
        r.trades.forEach((t, k) => {
          expect(t.size * (t.side === "long" ? 1 : -1)).toBe(c.size[k]);
          expect([t.entryIndex, t.exitIndex, t.entrySignalIndex, t.exitSignalIndex]).toEqual([
            c.entryIndex[k],
            c.exitIndex[k],
            c.entrySignalIndex[k],
            c.exitSignalIndex[k],
          ]);
          expect([t.entryPrice, t.exitPrice, t.entryFee, t.exitFee, t.pnl]).toEqual([
            c.entryPrice[k],
            c.exitPrice[k],
            c.entryFee[k],
            c.exitFee[k],
            c.pnl[k],
          ]);
          expect(EXIT_REASONS[c.reason[k] as number]).toBe(t.reason);
          expect(t.entryTime).toBe(bars.time[t.entryIndex]);
          expect(t.pnl).toBe(t.grossPnl - t.fees);
        });
        expect(r.trades).toBe(r.trades); // built once, then cached
      }),
      { numRuns: 100 },
    );
  });

  it("fills without slippage happen inside the bar's range", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, { ...config, slippageBps: 0 });
        for (const t of r.trades) {
          for (const [i, p] of [
            [t.entryIndex, t.entryPrice],
            [t.exitIndex, t.exitPrice],
          ] as const) {
            expect(p).toBeGreaterThanOrEqual((bars.low[i] as number) * (1 - 1e-12));
            expect(p).toBeLessThanOrEqual((bars.high[i] as number) * (1 + 1e-12));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic: bit-identical results on repeat", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const a = runBacktest(bars, { actions }, config, { recordPosition: true });
        const b = runBacktest(bars, { actions }, config, { recordPosition: true });
        expect(Buffer.from(a.equity.buffer).equals(Buffer.from(b.equity.buffer))).toBe(true);
        expect(
          Buffer.from((a.position as Float64Array).buffer).equals(
            Buffer.from((b.position as Float64Array).buffer),
          ),
        ).toBe(true);
        expect(b.trades).toEqual(a.trades);
        expect(b.metrics).toEqual(a.metrics);
      }),
      { numRuns: 100 },
    );
    // A strategy instance reused across runs is reset first.
    const strategy = smaCrossover.create({ fast: 2, slow: 5 });
    const bars = generateSmaxBars(500);
    const first = runBacktest(bars, strategy, { fill: "signal_close" });
    const second = runBacktest(bars, strategy, { fill: "signal_close" });
    expect(first.trades.length).toBeGreaterThan(5);
    expect(Buffer.from(second.equity.buffer).equals(Buffer.from(first.equity.buffer))).toBe(true);
  });

  it("never outputs NaN or Infinity in metrics", () => {
    fc.assert(
      fc.property(scenarioArb, ({ bars, actions, config }) => {
        const r = runBacktest(bars, { actions }, config, { recordPosition: true });
        expect(allFiniteOrNull(r.metrics as unknown as Record<string, unknown>)).toBe(true);
        for (const v of r.equity) expect(Number.isFinite(v)).toBe(true);
        for (const t of r.trades)
          expect(allFiniteOrNull({ pnl: t.pnl, returnPct: t.returnPct, fees: t.fees })).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
