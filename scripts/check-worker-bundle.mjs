#!/usr/bin/env node
/**
 * The API Worker's deploy bundle against Cloudflare's size limit: `wrangler deploy --dry-run --env
 * <env>` (production by default, `--env staging` otherwise) into a temporary directory, then the
 * gzipped size of everything it would upload (the script and its modules). Cloudflare measures the
 * compressed size: 3 MB on the Workers Free plan, 10 MB on Paid. The default budget is the Free
 * plan's; `WORKER_GZIP_LIMIT_MB=10` raises it for a Paid account. Fails above the budget.
 * Run `turbo run build` first (the Worker imports built workspace packages).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const envArg = process.argv.indexOf("--env");
const env = envArg > 0 ? process.argv[envArg + 1] : "production";
const limitMb = Number(process.env.WORKER_GZIP_LIMIT_MB ?? 3);
const limit = limitMb * 1000 * 1000;
const outdir = mkdtempSync(join(tmpdir(), "quantago-worker-"));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  execFileSync(
    join(root, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--env", env, "--outdir", outdir, "--config", join(root, "wrangler.toml")],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CI: "1" } },
  );
  // Source maps are not uploaded unless `upload_source_maps` is set; they do not count.
  const uploaded = files(outdir).filter((f) => !f.endsWith(".map"));
  let raw = 0;
  let gzipped = 0;
  for (const file of uploaded) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const share = ((gzipped / limit) * 100).toFixed(1);
  console.log(
    `› API Worker (--env ${env}): ${uploaded.length} files, ${kb(raw)} raw, ${kb(gzipped)} gzipped ` +
      `of the ${limitMb} MB limit (${share}%)`,
  );
  if (gzipped > limit) {
    console.error(`✖ the Worker's gzipped bundle exceeds ${limitMb} MB: Cloudflare will refuse the deploy.`);
    process.exitCode = 1;
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
