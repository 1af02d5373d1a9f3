import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unstable_readConfig as readWranglerConfig } from "wrangler";
import { BINDING_NAMES, renderSettingsTable, SETTINGS } from "./config-reference.ts";
import { configSchema } from "./env.ts";

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
interface WranglerEnvironment {
  name?: string;
  vars: Record<string, unknown>;
  r2_buckets: Array<{ binding: string; bucket_name?: string }>;
  workflows: Array<{ binding: string; name: string }>;
  worker_loaders?: Array<{ binding: string }>;
  triggers: { crons?: string[] };
  compatibility_flags: string[];
}

/** wrangler.toml as wrangler itself resolves it for `env` (top level when undefined). */
function wranglerConfig(env: string | undefined): WranglerEnvironment {
  return readWranglerConfig(
    { config: root("wrangler.toml"), env },
    { hideWarnings: true },
  ) as WranglerEnvironment;
}

const names = (kind: string) => SETTINGS.filter((s) => s.kind === kind).map((s) => s.name);

describe("the settings reference", () => {
  it("covers every key the Worker's startup check reads", () => {
    const listed = new Set([...names("var"), ...names("secret")]);
    for (const key of Object.keys(configSchema.shape)) expect(listed, key).toContain(key);
  });

  it.each([
    ["local development (top level)", undefined],
    ["staging", "staging"],
    ["production", "production"],
  ])("is declared whole by wrangler.toml for %s", (_label, env) => {
    const config = wranglerConfig(env);
    const declared = [
      ...config.r2_buckets.map((b) => b.binding),
      ...config.workflows.map((w) => w.binding),
      ...(config.worker_loaders ?? []).map((l) => l.binding),
    ];
    expect(declared.sort()).toEqual([...BINDING_NAMES].sort());
    const vars = Object.keys(config.vars);
    for (const setting of SETTINGS.filter((s) => s.kind === "var" && s.required)) {
      expect(vars, setting.name).toContain(setting.name);
    }
    for (const secret of names("secret")) expect(vars, `${secret} is a secret`).not.toContain(secret);
    expect(config.triggers.crons?.length, "the incremental sync cron").toBeGreaterThan(0);
    expect(config.compatibility_flags).toContain("nodejs_compat");
  });

  it("keeps staging's resources apart from production's", () => {
    const staging = wranglerConfig("staging");
    const production = wranglerConfig("production");
    const resources = (c: WranglerEnvironment) => [
      c.name,
      ...c.r2_buckets.map((b) => b.bucket_name),
      ...c.workflows.map((w) => w.name),
    ];
    const shared = resources(staging).filter((r) => resources(production).includes(r));
    expect(shared).toEqual([]);
  });

  it("is the table in docs/configuration.md (UPDATE_CONFIG_DOCS=1 rewrites it)", () => {
    const path = root("docs/configuration.md");
    const doc = readFileSync(path, "utf8");
    const pattern = /(<!-- settings:start[^>]*-->\n)([\s\S]*?)(\n<!-- settings:end -->)/;
    expect(doc, "docs/configuration.md has the settings markers").toMatch(pattern);
    const table = renderSettingsTable();
    if (process.env.UPDATE_CONFIG_DOCS === "1") {
      writeFileSync(
        path,
        doc.replace(pattern, (_m, start, _old, end) => `${start}${table}${end}`),
      );
      return;
    }
    expect(doc.match(pattern)?.[2]).toBe(table);
  });

  it("is listed in .dev.vars.example for every secret", () => {
    const example = readFileSync(root(".dev.vars.example"), "utf8");
    for (const secret of names("secret")) expect(example, secret).toContain(secret);
  });
});
