import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserSession, launchBrowser, screenshots } from "@quantago/e2e-kit";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * A remote strategy (the published HTTP contract: `GET /health`, `POST` per candle) that holds every
 * candle after `delayMs` and counts its calls.
 */
async function startSlowRemoteStrategy(delayMs: number) {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") calls += 1;
      setTimeout(
        () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(req.method === "POST" ? { action: "HOLD" } : { status: "ok" }));
        },
        req.method === "POST" ? delayMs : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const shots = screenshots(fileURLToPath(new URL("../../test-results/", import.meta.url)));
const base = inject("webUrl");
/** The SDK's example modules, compiled at build time (built here when missing). */
const wasmBuild = fileURLToPath(new URL("../../../../packages/wasm-sdk/build/", import.meta.url));
if (!existsSync(join(wasmBuild, "sma-crossover.wasm")))
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: join(wasmBuild, ".."), stdio: "ignore" });

let session: BrowserSession;
let page: Page;
/** Figures measured along the way, written to test-results/timings.json. */
const timings: Record<string, unknown> = {};

/** Screenshot in light and dark and run axe in both (`@quantago/e2e-kit`). */
const look = (name: string) => shots.look(page, name);

beforeAll(async () => {
  session = await launchBrowser(base);
  page = session.page;
  // Cumulative layout shift of each document (shifts right after input do not count, as in CLS).
  await session.context.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>)
        if (!e.hadRecentInput) w.__cls += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail") await shots.failed(page, ctx.task.name);
});

afterAll(async () => {
  writeFileSync(join(shots.dir, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
  await session?.browser.close();
});

describe("a trader, from sign-up to a result", () => {
  const email = `trader-${Date.now()}@example.com`;
  let backtestUrl = "";
  /** The WASM strategy the trader registers (and later publishes a new version of). */
  let wasmSlug = "";

  it("is sent to sign in, with the page asked for kept", async () => {
    await page.goto("/backtests?status=completed");
    await page.waitForURL(/\/sign-in\?redirect=/);
    expect(decodeURIComponent(page.url())).toContain("redirect=/backtests?status=completed");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await look("sign-in");
  });

  it("signs up, sees field errors first, then lands back on the page asked for", async () => {
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create your account" }).waitFor();
    await page.getByLabel("Name").fill("E2E Trader");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create your account" }).click();
    await page.getByText("Use at least 8 characters.").waitFor();
    await look("sign-up");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create your account" }).click();
    await page.waitForURL(/\/backtests\?status=completed$/);
    await page.getByRole("heading", { name: "Backtests" }).waitFor();
  });

  it("explores the market: a year of candles for the seeded symbol", async () => {
    await page.getByRole("link", { name: "Market", exact: true }).click();
    await page.getByRole("link", { name: "SYNTH-USD" }).click();
    const chart = page.getByRole("figure", { name: /SYNTH-USD 1h candlestick chart/ });
    await chart.waitFor();
    expect(await chart.locator("canvas").count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByText(/8,7\d\d candles/).count()).toBe(1);
    // Those 8,760 hourly candles were drawn first as 2,190 4h ones; the 1h bars were asked for only
    // once that first view was painted.
    const loads = await page.evaluate(() => {
      const columns = performance
        .getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/market-data/columns"))
        .map((e) => ({
          tf: new URL(e.name).searchParams.get("timeframe"),
          start: e.startTime,
          end: (e as PerformanceResourceTiming).responseEnd,
        }));
      const marks = performance.getEntriesByName("candle-chart:rendered", "mark").map((m) => m.startTime);
      return { columns, marks };
    });
    expect(loads.columns.map((c) => c.tf)).toEqual(["4h", "1h"]);
    const [first, overview] = loads.columns as [(typeof loads.columns)[0], (typeof loads.columns)[0]];
    const painted = loads.marks.find((t) => t >= first.end);
    expect(painted).toBeDefined();
    expect(overview.start).toBeGreaterThan(painted as number);
    await look("market");
    // When the network drops the 1h read (and the app's one retry), the 4h first view stays, the page
    // says what is missing, and Retry reads it.
    const overviewRead = (url: URL) =>
      url.pathname === "/api/market-data/columns" && url.searchParams.get("timeframe") === "1h";
    let dropped = 0;
    await page.route(overviewRead, (route) => {
      dropped += 1;
      return route.abort("connectionreset");
    });
    await page.reload();
    await page
      .getByRole("figure", { name: /SYNTH-USD 1h candlestick chart with volume, 2,190 4h candles/ })
      .waitFor();
    const failure = page.getByRole("alert").filter({ hasText: "The 1h candles did not load" });
    await failure.waitFor();
    expect(await failure.textContent()).toContain("so the chart shows 4h candles");
    expect(dropped).toBe(2);
    await look("market-overview-failed");
    await page.unroute(overviewRead);
    await failure.getByRole("button", { name: "Retry" }).click();
    await expect.poll(() => page.getByText(/8,7\d\d candles/).count()).toBe(1);
    expect(await failure.count()).toBe(0);
    // The whole year at 1m opens as the 1h overview; zooming in reads 1m bars for the visible range.
    const t0 = Date.now();
    await page.getByRole("button", { name: "1m", exact: true }).click();
    const year = page.getByRole("figure", {
      name: /SYNTH-USD 1m candlestick chart with volume, 1h overview/,
    });
    await year.waitFor({ timeout: 60_000 });
    timings.yearOf1mCandlesShownMs = Date.now() - t0;
    expect(page.url()).toContain("tf=1m");
    const box = await year.boundingBox();
    if (!box) throw new Error("the chart has no box");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // A wheel notch widens bars by 10%: 60 notches take 8,760 hourly candles to a few days' worth.
    for (let i = 0; i < 60; i++) await page.mouse.wheel(0, -100);
    await page.getByText("1m around the view, 1h elsewhere").waitFor({ timeout: 30_000 });
    // The measurement behind the choice of route: the same year through both, in this browser.
    Object.assign(
      timings,
      await page.evaluate(async () => {
        const q = "symbol=SYNTH-USD&startDate=2025-01-01&endDate=2026-01-01";
        const time = async (url: string, accept: string) => {
          const t = performance.now();
          const res = await fetch(url, { headers: { accept } });
          const buf = await res.arrayBuffer();
          // JSON has to be parsed into objects; the binary columns are used as they arrive.
          if (accept.includes("json")) JSON.parse(new TextDecoder().decode(buf));
          return { status: res.status, bytes: buf.byteLength, ms: Math.round(performance.now() - t) };
        };
        return {
          columns1h: await time(
            `/api/market-data/columns?${q}&timeframe=1h`,
            "application/vnd.quantago.columns",
          ),
          ticks1h: await time(`/api/market-data/ticks?${q}&timeframe=1h`, "application/json"),
          columns1m: await time(
            `/api/market-data/columns?${q}&timeframe=1m`,
            "application/vnd.quantago.columns",
          ),
          ticks1m: await time(`/api/market-data/ticks?${q}&timeframe=1m`, "application/json"),
        };
      }),
    );
  });

  it("starts a backtest: a cross-field error on the right field, then a run that completes", async () => {
    await page.keyboard.press("Escape");
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("n");
    await page.waitForURL(/\/backtests\/new/);
    await page.goto("/backtests/new?strategy=sma-crossover&symbol=SYNTH-USD");
    await page.getByRole("heading", { name: "New backtest" }).waitFor();
    await page.getByLabel(/Fast/).fill("30");
    await page.getByLabel(/Slow/).fill("10");
    await page.getByRole("button", { name: "Run backtest" }).click();
    const fast = page.getByLabel(/Fast/);
    await expect.poll(() => fast.getAttribute("aria-invalid")).toBe("true");
    await page.getByText(/fast \(30\) must be less than slow \(10\)/).waitFor();
    await look("new-backtest");
    await page.getByLabel(/Fast/).fill("10");
    await page.getByLabel(/Slow/).fill("30");
    await page.getByRole("button", { name: "Run backtest" }).click();
    await page.waitForURL((url) => /^\/backtests\/(?!new$)[^/]+$/.test(url.pathname));
    backtestUrl = page.url();
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 120_000 });
    await page.getByText("Net return").waitFor();
    await page.getByRole("figure", { name: /Equity curve/ }).waitFor();
    await page.getByRole("figure", { name: /trades marked/ }).waitFor();
    await look("backtest-detail");
    // Every trade exported, not just the ones on screen.
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const lines = readFileSync(await csv.path(), "utf8")
      .trim()
      .split("\n");
    expect(lines[0]).toBe(
      "seq,type,size,entry_time,entry_price,exit_time,exit_price,fees,profit,return_pct,reason,cumulative_profit,metadata",
    );
    const shown = await page.getByText(/[\d,]+ trades · click a header to sort/).textContent();
    expect(lines.length - 1).toBe(Number(shown?.match(/([\d,]+) trades/)?.[1]?.replaceAll(",", "")));
  });

  it("lists the run on the dashboard and in the history, and shows the catalogs", async () => {
    await page.goto("/");
    await page.getByRole("heading", { name: "Recent backtests" }).waitFor();
    await page.getByRole("link", { name: "sma-crossover" }).first().waitFor();
    await look("dashboard");
    await page.goto("/backtests");
    await page.getByRole("cell", { name: "SYNTH-USD" }).first().waitFor();
    await look("backtests");
    await page.getByRole("button", { name: "Sharpe" }).click();
    await page.waitForURL(/sort=sharpe&dir=desc/);
    expect(await page.getByRole("columnheader", { name: "Sharpe" }).getAttribute("aria-sort")).toBe(
      "descending",
    );
    await page.goto("/strategies");
    await page
      .getByRole("cell", { name: /SMA Crossover/ })
      .first()
      .waitFor();
    await look("strategies");
    await page.goto("/market");
    await page.getByRole("cell", { name: "SYNTH-USD" }).waitFor();
    await look("market-index");
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await look("shortcuts");
    await page.keyboard.press("Escape");
    // A pasted link lands on the same view.
    await page.goto(backtestUrl);
    await page.getByText("Configuration and reproducibility").waitFor();
  });

  it("reads a built-in's parameters, registers a WASM module and backtests it to completion", async () => {
    await page.goto("/strategies");
    await page.getByRole("link", { name: "SMA Crossover" }).first().click();
    await page.waitForURL(/\/strategies\/sma-crossover$/);
    await page.getByRole("rowheader", { name: /fast/ }).waitFor();
    await look("strategy-builtin");

    await page.goto("/strategies/new");
    await page.getByRole("heading", { name: "Register a strategy" }).waitFor();
    // Checked in the browser by the API's own schema before anything is sent.
    await page.getByRole("button", { name: "Register strategy" }).click();
    await expect.poll(() => page.getByLabel("Slug").getAttribute("aria-invalid")).toBe("true");
    await page.getByText("Drop the module to register.").waitFor();
    // Not a module at all: refused on the spot.
    await page.getByLabel("WASM module", { exact: true }).setInputFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("hello"),
    });
    await page.getByText(/notes\.txt is not a WebAssembly module/).waitFor();
    const slug = `e2e-wasm-${Date.now()}`;
    wasmSlug = slug;
    await page.getByLabel("Slug").fill(slug);
    await page.getByLabel("Name").fill("E2E WASM SMA");
    await page.getByLabel("Description").fill("The SDK's example SMA crossover, uploaded from the browser.");
    // A module without a strategy's exports: the API's validation names what is missing.
    await page.getByLabel("WASM module", { exact: true }).setInputFiles(join(wasmBuild, "smoke.wasm"));
    await page.getByText(/smoke\.wasm · [\d,]+ bytes, ready to upload/).waitFor();
    await page.getByRole("button", { name: "Register strategy" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /missing/i })
      .waitFor();
    await look("register-strategy");
    // Dropped (a real drop event with a DataTransfer), the example module registers.
    const bytes = readFileSync(join(wasmBuild, "sma-crossover.wasm")).toString("base64");
    const drop = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer();
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([raw], "sma-crossover.wasm", { type: "application/wasm" }));
      return dt;
    }, bytes);
    await page.getByTestId("artifact-drop").dispatchEvent("drop", { dataTransfer: drop });
    await page.getByText(/sma-crossover\.wasm · [\d,]+ bytes, ready to upload/).waitFor();
    await page.getByRole("button", { name: "Register strategy" }).click();
    await page.waitForURL(new RegExp(`/strategies/${slug}$`));
    await page.getByRole("link", { name: "sma-crossover.wasm" }).waitFor();
    await page.getByText("current", { exact: true }).waitFor();
    await look("strategy-detail");

    await page.goto(`/backtests/new?strategy=${slug}&symbol=SYNTH-USD`);
    await page.getByRole("heading", { name: "New backtest" }).waitFor();
    await page.getByRole("button", { name: "Run backtest" }).click();
    await page.waitForURL((url) => /^\/backtests\/(?!new$)[^/]+$/.test(url.pathname));
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 120_000 });
    await page.getByText("Net return").waitFor();
  });

  it("compares two runs picked in the list: best values, equity from one start, what differs", async () => {
    // A second run: the same request with a slower slow average, through the API.
    const firstId = new URL(backtestUrl).pathname.split("/").pop() as string;
    const secondId = await page.evaluate(async (id) => {
      const b = await (await fetch(`/api/backtests/${id}`)).json();
      const res = await fetch("/api/backtests", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          backtest: {
            symbol: b.symbol,
            exchange: b.exchange,
            strategy: b.strategy,
            start_date: b.start_date,
            end_date: b.end_date,
            initial_balance: b.initial_balance,
            parameters: { ...b.parameters, slow: 50 },
          },
        }),
      });
      return (await res.json()).id as string;
    }, firstId);
    expect(secondId).toBeTruthy();
    await expect
      .poll(
        () =>
          page.evaluate(async (id) => (await (await fetch(`/api/backtests/${id}`)).json()).status, secondId),
        { timeout: 120_000, interval: 1000 },
      )
      .toBe("completed");
    await page.goto("/backtests");
    await page.getByRole("cell", { name: "SYNTH-USD" }).first().waitFor();
    const boxes = page.getByRole("checkbox", { name: /^Compare sma-crossover/ });
    await boxes.nth(0).check();
    await page.getByText("Tick one more run to compare").waitFor();
    await boxes.nth(1).check();
    await page.getByRole("link", { name: "Compare 2 runs" }).click();
    await page.waitForURL(/\/compare\?ids=[\w-]+(,|%2C)[\w-]+$/);
    await page.getByRole("heading", { name: "Metrics" }).waitFor();
    expect(await page.getByText("Best:", { exact: false }).count()).toBeGreaterThan(0);
    await page.getByRole("rowheader", { name: "Differs: Parameter · slow" }).waitFor();
    await page
      .getByRole("figure", { name: /Equity curves of 2 runs/ })
      .locator("canvas")
      .waitFor();
    await look("compare");
    // A pasted link with one id explains what to do instead of a blank table.
    await page.goto(`/compare?ids=${firstId}`);
    await page.getByText("Pick at least two runs to compare").waitFor();
    await look("compare-empty");
  });

  it("publishes a new version of the registered strategy from its page", async () => {
    await page.goto(`/strategies/${wasmSlug}`);
    await page.getByRole("heading", { name: "Publish a new version" }).waitFor();
    await page.getByLabel("Version", { exact: true }).fill("1.1.0");
    await page
      .getByLabel("WASM module", { exact: true })
      .setInputFiles(join(wasmBuild, "sma-crossover.wasm"));
    await page.getByText(/sma-crossover\.wasm · [\d,]+ bytes, ready to upload/).waitFor();
    await page.getByRole("button", { name: "Publish version" }).click();
    await page.getByRole("status").filter({ hasText: "Version 1.1.0 published and made current." }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "1.1.0" });
    await row.getByText("current", { exact: true }).waitFor();
    expect(await page.getByRole("cell", { name: /^1\.0\.0/ }).count()).toBe(1);
    await look("strategy-published");
  });

  it("splits the results by direction, sorts every trade, and keeps a note across a reload", async () => {
    await page.goto(backtestUrl);
    const split = page.getByRole("table", {
      name: /Trade statistics: all trades, long trades, short trades/,
    });
    await split.waitFor();
    for (const side of ["All", "Long", "Short"])
      await split.getByRole("columnheader", { name: side, exact: true }).waitFor();
    await split.getByRole("rowheader", { name: "Profit factor" }).waitFor();
    // Sorted by profit, the best trade comes first.
    await page.getByRole("button", { name: /^Profit/ }).click();
    expect(await page.getByRole("columnheader", { name: /^Profit/ }).getAttribute("aria-sort")).toBe(
      "descending",
    );
    const note = `Whipsaws in flat weeks; try a slower slow average. ${Date.now()}`;
    const box = page.getByLabel("Note on this result");
    await box.fill(note);
    await page.getByRole("status").filter({ hasText: "Unsaved changes" }).waitFor();
    await page.getByRole("button", { name: "Save note" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await look("backtest-detail-note");
    await page.reload();
    await page.getByLabel("Note on this result").waitFor();
    await expect
      .poll(() => page.getByLabel("Note on this result").inputValue(), { timeout: 20_000 })
      .toBe(note);
  });

  it("reruns a finished backtest: a new run of the same configuration opens and completes", async () => {
    await page.goto(backtestUrl);
    const firstId = new URL(backtestUrl).pathname.split("/").pop() as string;
    await page.getByRole("button", { name: "Rerun" }).click();
    await page.waitForURL(
      (url) => /^\/backtests\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(firstId),
    );
    await page.getByRole("link", { name: firstId }).waitFor();
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 120_000 });
    const [a, b] = await page.evaluate(
      async (ids) => Promise.all(ids.map(async (id) => (await fetch(`/api/backtests/${id}`)).json())),
      [firstId, new URL(page.url()).pathname.split("/").pop() as string],
    );
    expect(b.rerun_of).toBe(firstId);
    expect(b.parameters).toEqual(a.parameters);
    expect(b.bars_hash).toBe(a.bars_hash);
    expect(b.metrics.totalReturn).toBe(a.metrics.totalReturn);
  });

  it("cancels a running backtest from its page", async () => {
    // A built-in finishes a year of bars in about a second, faster than a click can land. A remote
    // strategy that answers each candle after 20 ms keeps the run going for minutes instead, and its
    // calls show whether the cancel stopped the work.
    const slow = await startSlowRemoteStrategy(20);
    try {
      const id = await page.evaluate(async (endpoint) => {
        const res = await fetch("/api/backtests", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            backtest: {
              symbol: "SYNTH-USD",
              exchange: "crypto",
              strategy: "slow-remote",
              start_date: "2025-01-01",
              end_date: "2026-01-01",
              initial_balance: 10000,
              parameters: {
                timeframe: "1h",
                strategyRuntime: { type: "remote", endpoint, timeoutMs: 2_000 },
                strategyMinCandles: 2,
                strategyLookbackCandles: 2,
              },
            },
          }),
        });
        return (await res.json()).id as string;
      }, `${slow.url}/signal`);
      await page.goto(`/backtests/${id}`);
      // Wait for the strategy to be called, so the cancel meets a run that is doing work.
      await expect.poll(() => slow.calls(), { timeout: 30_000 }).toBeGreaterThan(5);
      await page.getByRole("button", { name: "Cancel run" }).click();
      await page.locator(".q-badge-cancelled").first().waitFor();
      await page.getByText("This run was stopped before it finished.").waitFor();
      expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
      // The API stops a run's calls within a second of the cancel; none may come after that.
      await page.waitForTimeout(1_200);
      const settled = slow.calls();
      await page.waitForTimeout(1_000);
      expect(slow.calls()).toBe(settled);
      await look("backtest-cancelled");
    } finally {
      await slow.close();
    }
  });

  it("keeps the layout while loading: CLS at most 0.05 on the dashboard and a backtest page", async () => {
    for (const [path, ready] of [
      ["/", page.getByRole("heading", { name: "Recent backtests" })],
      [new URL(backtestUrl).pathname, page.getByRole("figure", { name: /trades marked/ })],
    ] as const) {
      await page.goto(path);
      await ready.waitFor();
      // Late answers (equity, trades, bars) land within this; each is a shift if a skeleton was wrong.
      await page.waitForTimeout(1_500);
      const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
      expect(cls, `CLS on ${path}`).toBeLessThanOrEqual(0.05);
    }
  });

  it("keyboard: n, / and ? work on every page", async () => {
    const pages = [
      "/",
      "/market",
      "/market/SYNTH-USD",
      "/strategies",
      "/strategies/sma-crossover",
      "/backtests",
      "/backtests/new",
      new URL(backtestUrl).pathname,
      "/compare",
    ];
    // Keys go to the page, not to a field that happens to hold focus (short pages leave no body to click).
    const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const path of pages) {
      await page.goto(path);
      await page.locator("main h1").first().waitFor();
      await blur();
      await page.keyboard.press("/");
      // The page's own search where it has one, else the header's.
      await expect
        .poll(
          () =>
            page.evaluate(
              () => document.activeElement?.matches("#global-search, [data-shortcut-search]") ?? false,
            ),
          { message: `/ on ${path}` },
        )
        .toBe(true);
      await page.keyboard.press("Escape");
      await blur();
      await page.keyboard.press("?");
      await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
      await page.keyboard.press("Escape");
      await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "hidden" });
      await page.keyboard.press("n");
      await page.waitForURL(/\/backtests\/new/);
    }
  });

  it("an ended session sends the trader to sign in and back; sign out", async () => {
    await page.goto("/backtests");
    await page.getByRole("heading", { name: "Backtests" }).waitFor();
    // The session ends behind the app's back (expired, revoked elsewhere): the next call answers 401.
    await page.evaluate(() =>
      fetch("/api/auth/sign-out", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(/\/sign-in\?redirect=/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto("/");
    await page.waitForURL(/\/sign-in\?redirect=/);
  });
});

describe("research: a sweep from the form to its heatmap, a cell's full result, and Monte Carlo", () => {
  beforeAll(async () => {
    // A trader of its own (signed up through the API): this part runs alone with `-t research`.
    const res = await session.context.request.post("/api/auth/sign-up/email", {
      data: {
        name: "E2E Researcher",
        email: `researcher-${Date.now()}@example.com`,
        password: "correct horse battery",
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  });

  it("runs a 3×2 grid over two months of 1h bars, picks the heatmap's axes and opens a cell", async () => {
    const t0 = Date.now();
    await page.goto("/research");
    await page.getByRole("heading", { name: "New sweep" }).waitFor();
    await page.getByLabel("Strategy").selectOption("sma-crossover");
    await page.getByLabel("Timeframe").selectOption("1h");
    // An impossible range: the browser counts nothing and names the problem on the row.
    await page.getByLabel("fast min").fill("10");
    await page.getByLabel("fast max").fill("5");
    await page.getByLabel("fast step").fill("5");
    await page.getByText(/max must be >= min/).waitFor();
    await page.getByLabel("fast min").fill("5");
    await page.getByLabel("fast max").fill("15");
    await page.getByLabel("slow min").fill("20");
    await page.getByLabel("slow max").fill("40");
    await page.getByLabel("slow step").fill("20");
    await page
      .getByRole("status", { name: "Combinations" })
      .filter({ hasText: "6 combinations will run" })
      .waitFor();
    await look("research-form");
    await page.getByRole("button", { name: "Run sweep" }).click();
    await page.waitForURL(/\/research\/(?!monte-carlo)[\w-]+$/);
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 60_000 });
    const heatmap = page.getByRole("table", { name: /^Sharpe ratio by/ });
    await heatmap.waitFor();
    expect(
      await heatmap.getByRole("button", { name: /^Open fast \d+, slow \d+: Sharpe ratio/ }).count(),
    ).toBe(6);
    // Swapping the axes puts slow across, and the URL keeps the view: a reload shows the same map.
    await page.getByLabel("Across (x axis)").selectOption("slow");
    await heatmap.getByRole("columnheader", { name: "20", exact: true }).waitFor();
    expect(await page.getByLabel("Down (y axis)").inputValue()).toBe("fast");
    await page.waitForURL(/[?&]x=slow&y=fast$/);
    await page.reload();
    await heatmap.getByRole("columnheader", { name: "40", exact: true }).waitFor();
    expect(await page.getByLabel("Across (x axis)").inputValue()).toBe("slow");
    expect(await page.getByLabel("Down (y axis)").inputValue()).toBe("fast");
    await page.getByRole("cell", { name: "fast=5 · slow=20", exact: true }).waitFor();
    await look("research-sweep");
    const cell = heatmap.getByRole("button", { name: /^Open slow 40, fast 10:/ });
    await cell.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => /^\/backtests\/[^/]+$/.test(url.pathname));
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 60_000 });
    await page.getByText("Net return").waitFor();
    const opened = await page.evaluate(
      async (id) => (await (await fetch(`/api/backtests/${id}`)).json()).parameters,
      new URL(page.url()).pathname.split("/").pop() as string,
    );
    expect(opened).toMatchObject({ fast: 10, slow: 40 });
    timings.sweepToOpenedCellMs = Date.now() - t0;
  });

  it("runs Monte Carlo from the opened backtest: fan chart, histograms, a deep link", async () => {
    const t0 = Date.now();
    await page.getByRole("link", { name: "Robustness (Monte Carlo)" }).click();
    await page.waitForURL(/\/research\/monte-carlo\?backtest=/);
    await page.getByLabel("Iterations").fill("300");
    await page.getByLabel("Seed").fill("7");
    await page.getByRole("button", { name: "Run Monte Carlo" }).click();
    await page.waitForURL(/\/research\/monte-carlo\/[\w-]+$/);
    await page
      .getByRole("figure", { name: /Fan chart of equity/ })
      .locator("canvas")
      .waitFor();
    for (const name of [/Histogram of final equity/, /Histogram of max drawdown/, /Histogram of the longest/])
      await page.getByRole("img", { name }).waitFor();
    await page.getByRole("rowheader", { name: "Final equity" }).waitFor();
    await page.getByText("Probability of ruin").first().waitFor();
    await look("monte-carlo");
    // The URL alone brings the run back.
    await page.goto(page.url());
    await page.getByRole("figure", { name: /Fan chart of equity/ }).waitFor();
    timings.monteCarloMs = Date.now() - t0;
  });

  it("runs a walk-forward of a 2×2 grid in 3 windows: windows, stitched out-of-sample equity, IS vs OOS", async () => {
    const t0 = Date.now();
    await page.getByRole("link", { name: "Research", exact: true }).click();
    // The form starts on sma-crossover, SYNTH-USD 1h from 2025-01-01.
    await page.getByRole("radio", { name: "Walk-forward" }).check();
    await page.getByLabel("End").fill("2025-03-15");
    await page.getByLabel("Windows", { exact: true }).fill("3");
    for (const [name, min, max, step] of [
      ["fast", "5", "10", "5"],
      ["slow", "20", "40", "20"],
    ] as const) {
      await page.getByLabel(`${name} min`).fill(min);
      await page.getByLabel(`${name} max`).fill(max);
      await page.getByLabel(`${name} step`).fill(step);
    }
    await page
      .getByRole("status", { name: "Combinations" })
      .filter({ hasText: "4 combinations will run, in each of 3 windows" })
      .waitFor();
    const submitted = Date.now();
    await page.getByRole("button", { name: "Run walk-forward" }).click();
    await page.waitForURL(/\/research\/(?!monte-carlo)[\w-]+$/);
    await page.locator(".q-badge-completed").first().waitFor({ timeout: 60_000 });
    timings.walkForwardRunMs = Date.now() - submitted;
    await page.getByRole("img", { name: /^Walk-forward windows from .+: 3 windows/ }).waitFor();
    await page
      .getByRole("figure", { name: /^Stitched out-of-sample equity/ })
      .locator("canvas")
      .waitFor();
    const table = page.getByRole("table", { name: /IS: in-sample/ });
    // Three windows and the overall row, each naming its chosen parameters and its numbers.
    for (const k of [1, 2, 3])
      await table.getByRole("rowheader", { name: new RegExp(`^Window ${k}\\s+IS `) }).waitFor();
    const rows = table.getByRole("row").filter({ has: page.getByRole("rowheader") });
    expect(await rows.count()).toBe(4);
    for (const row of await rows.all()) {
      const cells = await row.getByRole("cell").allInnerTexts();
      expect(cells.slice(1).filter((c) => /\d/.test(c)).length, cells.join(" | ")).toBeGreaterThanOrEqual(7);
    }
    await look("walk-forward");
    timings.walkForwardMs = Date.now() - t0;
  });

  it("cancels a running sweep from its page", async () => {
    const t0 = Date.now();
    // 1m bars over a month, 1,599 combinations: minutes of work, so the click meets a running sweep.
    const id = await page.evaluate(async () => {
      const res = await fetch("/api/research/sweeps", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          sweep: {
            backtest: {
              symbol: "SYNTH-USD",
              exchange: "crypto",
              strategy: "sma-crossover",
              start_date: "2025-02-01",
              end_date: "2025-03-01",
              parameters: { timeframe: "1m" },
            },
            axes: { fast: { min: 2, max: 40, step: 1 }, slow: { min: 50, max: 90, step: 1 } },
          },
        }),
      });
      return (await res.json()).id as string;
    });
    await page.goto(`/research/${id}`);
    await page.getByRole("button", { name: "Cancel sweep" }).click();
    await page.locator(".q-badge-cancelled").first().waitFor();
    await page.getByText("Cancelled: the results stored before it stopped are below.").waitFor();
    expect(await page.getByRole("button", { name: "Cancel sweep" }).count()).toBe(0);
    timings.sweepCancelMs = Date.now() - t0;
  });
});
