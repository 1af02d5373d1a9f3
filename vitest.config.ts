import { defineConfig } from "vitest/config";

// Two projects: pure unit tests in Node, and Worker tests inside workerd (apps/api/vitest.config.ts).
// The Worker project's global setup starts the embedded devstack once for the whole run.
export default defineConfig({
  test: {
    // Logs are noise when a test passes and evidence when it fails.
    silent: "passed-only",
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.unit.test.ts"],
          testTimeout: 30_000,
        },
      },
      "./apps/api/vitest.config.ts",
    ],
  },
});
