import { appViteConfig } from "@quantago/app-kit/vite";

const config = appViteConfig(5174);

// The manifest lets scripts/check-bundle.mjs tell the app shell from the route chunks.
export default { ...config, build: { ...config.build, manifest: true } };
