import react from "@vitejs/plugin-react";
import { defineConfig, type UserConfig } from "vite";

/**
 * Vite config shared by apps/web and apps/admin. In dev, `/api` is proxied to the Worker so the Better
 * Auth cookie stays same-origin; a production build talks to `VITE_API_URL` (empty = same origin).
 */
export function appViteConfig(port: number): UserConfig {
  const api = process.env.QUANTAGO_API_URL ?? "http://127.0.0.1:8787";
  return defineConfig({
    plugins: [react()],
    server: { port, proxy: { "/api": { target: api, changeOrigin: false } } },
    preview: { port },
    build: { sourcemap: true },
  });
}
