import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` turns schema changes into a committed SQL migration under drizzle/.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
});
