import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The engine and the strategies run in Node, Workers and a sandboxed Worker: no clock, randomness, I/O
// or host globals. One test guards both packages.
const FORBIDDEN = [
  /\bDate\b/,
  /\bMath\.random\b/,
  /\bprocess\b/,
  /\bperformance\b/,
  /\bglobalThis\b/,
  /\bconsole\./,
  /\bfetch\(/,
  /\bsetTimeout\b/,
  /\bcrypto\./,
  /\bIntl\b/,
  /from "node:/,
  /\brequire\(/,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith("test-helpers.ts") ? [p] : [];
  });
}

describe("purity", () => {
  it("library sources use no clock, randomness, I/O or host globals", () => {
    for (const pkg of ["engine", "strategies"]) {
      expect(sources(join(import.meta.dirname, "..", "..", pkg, "src")).length, pkg).toBeGreaterThan(5);
    }
    const files = ["engine", "strategies"].flatMap((pkg) =>
      sources(join(import.meta.dirname, "..", "..", pkg, "src")),
    );
    for (const file of files) {
      // Strip comments: JSDoc examples may mention anything.
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      for (const re of FORBIDDEN) expect(re.test(code), `${file} matches ${re}`).toBe(false);
    }
  });
});
