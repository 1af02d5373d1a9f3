import { fileURLToPath } from "node:url";
import { type BrowserSession, launchBrowser, screenshots, signIn } from "@quantago/e2e-kit";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

const shots = screenshots(fileURLToPath(new URL("../../test-results/", import.meta.url)));
const base = inject("adminUrl");
const ADMIN = { email: "admin@quantago.local", password: "quantago-admin" };

let session: BrowserSession;
let page: Page;

/** Screenshot light and dark, axe in both: no serious or critical violation (`@quantago/e2e-kit`). */
const look = (name: string, p: Page = page) => shots.look(p, name);

beforeAll(async () => {
  session = await launchBrowser(base);
  page = session.page;
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail") await shots.failed(page, ctx.task.name);
});

afterAll(async () => {
  await session?.browser.close();
});

const SYMBOL = "E2E-SYN";
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe("an operator", () => {
  it("signs in and sees the overview", async () => {
    await page.goto("/users");
    await page.waitForURL(/\/sign-in\?redirect=/);
    await look("sign-in");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.goto("/");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("rowheader", { name: "ClickHouse" }).waitFor();
    await look("overview");
  });

  it("registers a symbol", async () => {
    await page.goto("/symbols");
    await page.getByLabel(/One per line/).fill(`${SYMBOL} synthetic crypto - 1m`);
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByRole("rowheader", { name: SYMBOL }).waitFor();
    await look("symbols");
  });

  it("uploads a CSV with bad rows and sees the report, then a good one", async () => {
    await page.goto("/upload");
    await page.getByLabel("Symbol").fill("E2E-CSV");
    const t0 = Date.UTC(2024, 0, 2, 0, 0);
    const row = (i: number, high = 11) => `${t0 + i * 60_000},10,${high},9,10.5,100`;
    const bad = ["timestamp,open,high,low,close,volume", row(0), row(1, 5), row(1), row(3)].join("\n");
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByRole("heading", { name: /Rejected: \d+ problem/ }).waitFor();
    await page
      .getByRole("table", { name: "Rejected rows" })
      .getByRole("cell", { name: "3", exact: true })
      .first()
      .waitFor();
    await look("upload-rejected");
    const good = [
      "timestamp,open,high,low,close,volume",
      ...Array.from({ length: 50 }, (_, i) => row(i)),
    ].join("\n");
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByText("Stored 50 bars").waitFor();
    await look("upload-ok");
  });

  it("starts an ingestion and watches its events to completion across a forced reconnect", async () => {
    await page.goto("/ingestion");
    const start = page.getByRole("form", { name: "Start an ingestion" });
    await start.getByLabel("Kind").selectOption("backfill");
    await start.getByLabel("Symbol", { exact: true }).fill(SYMBOL);
    await start.getByLabel("From").fill(day(-20));
    await start.getByRole("button", { name: "Start" }).click();
    await page.waitForURL(/\/ingestion\/runs\//);
    await page.getByText(/connected|run finished/).waitFor();
    const reconnect = page.getByRole("button", { name: "Reconnect now" });
    if (await reconnect.isVisible()) await reconnect.click().catch(() => {});
    await page.getByText("run finished, stream closed").waitFor({ timeout: 90_000 });
    const ids =
      (await page.getByRole("list", { name: "Event feed" }).getAttribute("data-event-ids"))
        ?.split(",")
        .map(Number) ?? [];
    expect(ids.length).toBeGreaterThan(1);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The same stream read from the start in one go: the feed has every event, none twice.
    const runId = page.url().split("/").pop() ?? "";
    const all = await page.evaluate(async (id) => {
      const text = await (await fetch(`/api/admin/ingestion/events?runId=${id}&untilComplete=1`)).text();
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    }, runId);
    expect(ids).toEqual(all);
    await look("run");
    await page.goto("/ingestion");
    await page.getByRole("cell", { name: "backfill" }).first().waitFor();
    await look("ingestion");
    await page.goto(`/coverage?symbol=${SYMBOL}`);
    await page.getByRole("rowheader", { name: SYMBOL }).waitFor();
    await page.getByRole("heading", { name: "Gaps" }).waitFor();
    await look("coverage");
  });

  it("removes a range of bars after confirming, sees the API's answer and the gap in the coverage", async () => {
    await page.goto(`/coverage?symbol=${SYMBOL}`);
    const gaps = page.getByRole("table", { name: `Gaps of ${SYMBOL} 1m` });
    await page.getByRole("heading", { name: "Gaps" }).waitFor();
    expect(await gaps.count()).toBe(0);
    await page.getByLabel("Timeframe").selectOption("1m");
    await page.getByLabel("From (UTC, included)").fill(`${day(-10)}T10:00`);
    await page.getByLabel("To (UTC, excluded)").fill(`${day(-10)}T12:00`);
    await page.getByRole("button", { name: "Remove bars…" }).click();
    const dialog = page.getByRole("dialog", { name: `Remove the 1m bars of ${SYMBOL}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(
      `opening from ${day(-10)} 10:00 UTC up to (not including) ${day(-10)} 12:00 UTC is deleted`,
    );
    await look("coverage-confirm");
    await dialog.getByRole("button", { name: "Remove bars" }).click();
    await page.getByText(`Removed 120 1m bars of ${SYMBOL}`).waitFor();
    await gaps.getByRole("cell", { name: "120", exact: true }).waitFor();
    await look("coverage-deleted");
  });

  it("removes a symbol from the registry after confirming; one with stored bars is refused with the reason", async () => {
    await page.goto("/symbols");
    await page.getByRole("button", { name: "Remove E2E-CSV" }).click();
    const refuse = page.getByRole("dialog", { name: "Remove E2E-CSV from the registry?" });
    await refuse.waitFor();
    await look("symbols-remove-confirm");
    await refuse.getByRole("button", { name: "Remove symbol" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "Not removed: E2E-CSV still has stored 1m bars" })
      .waitFor();
    await page.getByRole("rowheader", { name: "E2E-CSV" }).waitFor();
    await look("symbols-remove-refused");

    await page.getByLabel(/One per line/).fill("E2E-GONE synthetic crypto");
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByRole("rowheader", { name: "E2E-GONE" }).waitFor();
    await page.getByRole("button", { name: "Remove E2E-GONE" }).click();
    await page
      .getByRole("dialog", { name: "Remove E2E-GONE from the registry?" })
      .getByRole("button", { name: "Remove symbol" })
      .click();
    await page.getByText("Removed E2E-GONE from the registry.").waitFor();
    await page.getByRole("rowheader", { name: "E2E-GONE" }).waitFor({ state: "detached" });
    expect(await page.getByRole("rowheader", { name: "E2E-CSV" }).count()).toBe(1);
  });

  it("refuses a plain user, promotes them, and the promotion takes effect in their session", async () => {
    const email = `user-${Date.now()}@example.com`;
    // Signed up in its own browser context: the session cookie must not replace the admin's.
    const other = await session.newContext();
    const res = await other.request.post("/api/auth/sign-up/email", {
      data: { email, password: "plain-user-password", name: "Plain User" },
      headers: { origin: base },
    });
    expect(res.ok()).toBe(true);
    const user = await other.newPage();
    await signIn(user, email, "plain-user-password");
    await user.getByText("This console is for administrators").waitFor();
    await look("refused", user);

    await page.goto(`/users?q=${encodeURIComponent(email)}`);
    await page.getByRole("button", { name: `Promote to admin: ${email}` }).click();
    await look("users-confirm");
    await page.getByRole("dialog").getByRole("button", { name: "Promote to admin" }).click();
    await page.getByText(/Done: role admin/).waitFor();
    await look("users");
    const href = await page.getByRole("link", { name: email }).getAttribute("href");
    expect(href).toMatch(/^\/users\/[^/]+$/);
    await page.getByRole("link", { name: email }).click();
    await page.getByRole("heading", { name: email }).waitFor();
    await look("user");
    // A pasted link loads the user by id, without the list.
    const pasted = await session.newContext();
    const fresh = await pasted.newPage();
    await signIn(fresh, ADMIN.email, ADMIN.password);
    await fresh.getByRole("heading", { name: "Overview" }).waitFor();
    await fresh.goto(href ?? "");
    await fresh.getByRole("heading", { name: email }).waitFor();
    await fresh.getByText("admin", { exact: true }).waitFor();
    await fresh.goto("/users/usr_does_not_exist");
    await fresh.getByText("No such user").waitFor();
    await look("user-unknown", fresh);
    await pasted.close();

    await user.reload();
    await user.getByRole("heading", { name: "Overview" }).waitFor();
    await other.close();
  });

  it("shows every dependency with latency and versions on the health page", async () => {
    await page.goto("/health");
    for (const name of ["PostgreSQL", "ClickHouse", "R2 (artifacts, results)", "Workflows"]) {
      const row = page.getByRole("row", { name: new RegExp(`^${name.replace(/[()]/g, "\\$&")}`) });
      await row.getByRole("cell", { name: "ok", exact: true }).waitFor();
      expect(await row.getByRole("cell", { name: /^\d+ ms$/ }).count()).toBe(1);
    }
    await page
      .getByRole("row", { name: /^PostgreSQL/ })
      .getByRole("cell", { name: /^\d+\.\d+/ })
      .waitFor();
    await look("health");
  });

  it("sees backtests across users: a failure with its reason, counts and the slowest runs", async () => {
    const submit = (strategy: string, extra: Record<string, unknown> = {}) =>
      page.request.post("/api/backtests", {
        headers: { origin: base },
        data: {
          backtest: {
            symbol: SYMBOL,
            exchange: "crypto",
            start_date: day(-5),
            end_date: day(-4),
            initial_balance: 10_000,
            strategy,
            parameters: { timeframe: "1m", ...extra },
          },
        },
      });
    // A remote strategy on a host that can never resolve (RFC 2606 `.invalid`): the run fails at its
    // first signal with the reason, as an operator would see one in production.
    const broken = {
      strategyRuntime: {
        type: "remote",
        language: "python",
        endpoint: "https://quantago-e2e.invalid/signal",
        timeoutMs: 2_000,
      },
      strategyMinCandles: 2,
      strategyLookbackCandles: 2,
    };
    const [ok, doomed] = await Promise.all([submit("sma-crossover"), submit("e2e-broken-remote", broken)]);
    expect(ok.status(), await ok.text()).toBe(202);
    expect(doomed.status(), await doomed.text()).toBe(202);
    await page.goto("/backtests");
    await page.getByRole("heading", { name: "Backtests across users" }).waitFor();
    const failures = page.getByRole("table", { name: "Recent failures" });
    await failures.getByRole("cell", { name: "e2e-broken-remote" }).waitFor({ timeout: 120_000 });
    await failures.getByRole("link", { name: ADMIN.email }).first().waitFor();
    await page
      .getByRole("table", { name: "Slowest completed runs" })
      .getByRole("cell", { name: "sma-crossover" })
      .first()
      .waitFor({ timeout: 60_000 });
    await look("backtests");
    await page.goto("/");
    await page
      .getByRole("table", { name: "Recent failures" })
      .getByRole("cell", { name: "e2e-broken-remote" })
      .waitFor();
    await look("overview-attention");
  });

  it("has keyboard shortcuts: ? lists them, g u goes to Users, / focuses the search", async () => {
    await page.goto("/");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    await help.getByText("after g: go to Users").waitFor();
    await look("shortcuts");
    await help.getByRole("button", { name: "Close" }).click();
    await page.keyboard.press("g");
    await page.keyboard.press("u");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("user-q");
  });
});
