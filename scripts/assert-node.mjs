// Every repo script runs through this guard: wrangler 4 and vitest 5 need Node >= 22.12, and failing
// later with an obscure syntax or API error costs far more time than this one clear line.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `\n✖ Quantago scripts need Node >= 22.12, but this is Node ${process.versions.node} (${process.execPath}).\n` +
      "  Run them through `npm run <script>` or `pnpm run <script>` from the repo root: the repo installs\n" +
      "  Node 22 into node_modules/.bin, which pnpm puts first on PATH.\n",
  );
  process.exit(1);
}
