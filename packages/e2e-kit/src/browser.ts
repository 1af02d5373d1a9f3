import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The viewport every page is screenshotted at. */
export const VIEWPORT = { width: 1366, height: 900 };

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Another context on the same app with its own cookies (a second user beside the first). */
  newContext(): Promise<BrowserContext>;
}

/** Headless Chromium (the Debian `chromium` that `.ci/run` installs, or `CHROMIUM_PATH`) on `baseURL`. */
export async function launchBrowser(baseURL: string): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const newContext = () => browser.newContext({ viewport: VIEWPORT, baseURL });
  const context = await newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { browser, context, page, newContext };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Where one app's screenshots go (`<app>/test-results/`, git-ignored), and the two checks every page
 * gets: `look` screenshots it light and dark (the theme follows the system) and runs axe in both,
 * failing on any serious or critical violation; `failed` keeps a screenshot of a failing test.
 */
export function screenshots(dir: string) {
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    async look(page: Page, name: string): Promise<void> {
      const problems: string[] = [];
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(150);
        await page.screenshot({ path: join(dir, `${name}-${scheme}.png`), fullPage: true });
        if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
        const violations = (await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: { run: (ctx: Document, o: object) => Promise<{ violations: unknown[] }> };
            }
          ).axe;
          return (await axe.run(document, { resultTypes: ["violations"] })).violations;
        })) as AxeViolation[];
        for (const v of violations)
          if (v.impact === "serious" || v.impact === "critical")
            problems.push(
              `${scheme} ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
            );
      }
      expect(problems, `accessibility problems on ${name}`).toEqual([]);
    },
    async failed(page: Page, testName: string): Promise<void> {
      await page.screenshot({ path: join(dir, `FAILED-${testName.slice(0, 40).replace(/\W+/g, "-")}.png`) });
    },
  };
}

/** Signs in through the app's own sign-in form (both apps label it the same way). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
