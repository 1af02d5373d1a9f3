#!/usr/bin/env node
/**
 * Bundle budget of an app (`--app web`, the default, or `--app admin`): builds it, then measures gzipped
 * JavaScript from Vite's manifest. Both apps share one budget.
 *   app shell   = the entry chunk and every chunk it imports statically (what the first page needs)
 *   route chunk = a lazily loaded page and the static imports it adds on top of the shell
 * Fails when the shell exceeds 150 KB or any route exceeds 140 KB. `--no-build` measures the last build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const SHELL_BUDGET = 150 * 1024;
const ROUTE_BUDGET = 140 * 1024;
const appArg = process.argv.indexOf("--app");
const appName = appArg > 0 ? process.argv[appArg + 1] : "web";
if (appName !== "web" && appName !== "admin") throw new Error(`--app must be web or admin, not ${appName}`);
const app = fileURLToPath(new URL(`../apps/${appName}/`, import.meta.url));
const dist = join(app, "dist");

if (!process.argv.includes("--no-build") || !existsSync(join(dist, ".vite/manifest.json"))) {
  execFileSync(join(app, "node_modules/.bin/vite"), ["build", "--logLevel", "error"], {
    cwd: app,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const gz = new Map();
const gzipped = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  return gz.get(file);
};
/** The chunk and every chunk it imports statically, as manifest keys. */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}
const js = (keys) => [...keys].map((k) => manifest[k].file).filter((f) => f.endsWith(".js"));
const sum = (files) => files.reduce((n, f) => n + gzipped(f), 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entry) throw new Error("no entry chunk in the Vite manifest");
const shellKeys = closure(entry);
const shell = sum(js(shellKeys));
const routes = new Set(Object.values(manifest).flatMap((c) => c.dynamicImports ?? []));
const failures = [];
console.log(`apps/${appName}`);
console.log(
  `app shell  ${kb(shell).padStart(9)} gzipped JS (budget ${kb(SHELL_BUDGET)})  ${js(shellKeys).length} chunks`,
);
if (shell > SHELL_BUDGET) failures.push(`app shell ${kb(shell)} > ${kb(SHELL_BUDGET)}`);
for (const key of [...routes].sort()) {
  const own = [...closure(key)].filter((k) => !shellKeys.has(k));
  const size = sum(js(own));
  const name = key.replace(/^src\//, "");
  console.log(
    `route      ${kb(size).padStart(9)}  ${name}${own.length > 1 ? ` (+${own.length - 1} shared chunks)` : ""}`,
  );
  if (size > ROUTE_BUDGET) failures.push(`route ${name} ${kb(size)} > ${kb(ROUTE_BUDGET)}`);
}
if (failures.length > 0) {
  console.error(`✖ bundle budget exceeded:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log("✔ bundle within budget");
