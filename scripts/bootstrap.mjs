#!/usr/bin/env node
// Entry point of `npm run dev` and `npm test` on a fresh clone. It must run on the system Node (>= 20)
// with nothing but npm: it installs the pinned pnpm and the workspace (which brings Node 22 into
// node_modules/.bin), then runs the named root script through pnpm so every child uses Node 22.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = process.argv[2];
if (!script) {
  console.error("usage: node scripts/bootstrap.mjs <root script> [args...]");
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, "");
const bin = join(root, "node_modules", ".bin");
const stampFile = join(root, "node_modules", ".quantago-install");
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };

function lockHash() {
  const lock = join(root, "pnpm-lock.yaml");
  return existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "none";
}

function installIfNeeded() {
  const hash = lockHash();
  const installed = existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash;
  if (installed && existsSync(join(bin, "node")) && existsSync(join(bin, "pnpm"))) return;
  console.log(`› installing the workspace with pnpm ${pnpmVersion} (first run or lockfile changed)…`);
  const args = ["install", ...(process.env.CI ? ["--frozen-lockfile"] : [])];
  const local = join(bin, "pnpm");
  const result = existsSync(local)
    ? spawnSync(local, args, { cwd: root, stdio: "inherit", env })
    : spawnSync("npx", ["--yes", `pnpm@${pnpmVersion}`, ...args], { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error("✖ install failed; see the output above.");
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, lockHash());
}

installIfNeeded();

const child = spawn(join(bin, "pnpm"), ["run", script, ...process.argv.slice(3)], {
  cwd: root,
  stdio: "inherit",
  env,
});
// The terminal delivers Ctrl-C to the whole process group; forwarding covers `kill <pid>` as well.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
