#!/usr/bin/env node
/**
 * Builds one of the apps for an API on another origin and deploys it to Cloudflare Pages:
 *   VITE_API_URL=https://api.example.com node scripts/deploy-app.mjs --app web --project quantago-web [--branch main]
 * `--build-only` stops after the build (apps/<app>/dist), e.g. to serve it with `vite preview` or to
 * upload it elsewhere. VITE_API_URL is required: an app built without it calls its own origin, which
 * only works when a route on that origin forwards /api to the Worker.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const usage =
  "usage: VITE_API_URL=https://api.example.com node scripts/deploy-app.mjs --app web|admin [--project <pages project>] [--branch <branch>] [--build-only]";
const { values } = parseArgs({
  options: {
    app: { type: "string" },
    project: { type: "string" },
    branch: { type: "string" },
    "build-only": { type: "boolean", default: false },
  },
  strict: true,
});
const fail = (message) => {
  console.error(`✖ ${message}\n${usage}`);
  process.exit(2);
};
if (values.app !== "web" && values.app !== "admin") fail("--app must be web or admin");
const apiUrl = process.env.VITE_API_URL;
if (!apiUrl) fail("set VITE_API_URL to the API Worker's public URL");
let origin;
try {
  origin = new URL(apiUrl).origin;
} catch {
  fail(`VITE_API_URL is not a URL: ${apiUrl}`);
}
if (apiUrl !== origin) fail(`VITE_API_URL must be an origin without a path (${origin}), not ${apiUrl}`);

const root = fileURLToPath(new URL("..", import.meta.url));
const app = join(root, "apps", values.app);
const bin = (name) => join(root, "node_modules/.bin", name);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });

console.log(`› building apps/${values.app} against ${origin}`);
run(bin("turbo"), ["run", "build", `--filter=@quantago/${values.app}...`, "--output-logs=errors-only"], root);
if (values["build-only"]) {
  console.log(
    `✔ apps/${values.app}/dist is ready (serve it with: pnpm --filter @quantago/${values.app} preview)`,
  );
  process.exit(0);
}
if (!values.project) fail("--project <Cloudflare Pages project name> is required to deploy");
const args = ["pages", "deploy", join(app, "dist"), "--project-name", values.project];
if (values.branch) args.push("--branch", values.branch);
run(bin("wrangler"), args, root);
