import { appViteConfig } from "@quantago/app-kit/vite";

export default appViteConfig(5173);
