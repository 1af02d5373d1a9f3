import { defineConfig } from "vitest/config";

// Projects: pure unit tests in Node; Worker tests inside workerd (apps/api/vitest.config.ts), whose
// global setup starts the embedded devstack; the web app's component tests in happy-dom; and the web
// app's end-to-end tests in headless Chromium against its own stack (apps/web/test/e2e/global-setup.ts), and
// the admin console's the same way (apps/admin/test/e2e/global-setup.ts).
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
      {
        test: {
          name: "web",
          environment: "happy-dom",
          include: ["apps/web/src/**/*.test.tsx", "packages/ui/src/**/*.test.tsx"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["apps/web/test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["apps/web/test/e2e/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "admin-e2e",
          environment: "node",
          include: ["apps/admin/test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["apps/admin/test/e2e/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
