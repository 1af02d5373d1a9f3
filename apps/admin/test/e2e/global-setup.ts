import { runDevstackScript, startAppStack } from "@quantago/e2e-kit/stack";
import type { TestProject } from "vitest/node";

export const ADMIN = { email: "admin@quantago.local", password: "quantago-admin" };

/** The admin console's stack (`@quantago/e2e-kit`); the first admin comes from the devstack's `admin:create`. */
export default async function setup(project: TestProject) {
  const stack = await startAppStack({
    app: "admin",
    origin: "ADMIN_ORIGIN",
    prepare: (ready) =>
      runDevstackScript(
        "admin-create.ts",
        ["--email", ADMIN.email, "--password", ADMIN.password, "--name", "Admin"],
        { DATABASE_URL: ready.databaseUrl },
      ),
  });
  project.provide("adminUrl", stack.appUrl);
  return stack.stop;
}

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
